package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/spf13/pflag"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/notify"
	"taskledger/projections"
)

// The environment variables of serve's notification flags. The webhook's
// secret is read from the environment only, so it never shows in a
// process list.
const (
	notifyWebhookEnv = "TASKLEDGER_NOTIFY_WEBHOOK"
	notifySecretEnv  = "TASKLEDGER_NOTIFY_SECRET"
	smtpEnv          = "TASKLEDGER_SMTP"
	notifyNATSEnv    = "TASKLEDGER_NOTIFY_NATS"
	notifyAMQPEnv    = "TASKLEDGER_NOTIFY_AMQP"
)

// notifyFlags defines serve's notification flags into s, defaulting to
// their environment variables; the secret comes from the environment.
func notifyFlags(a *cli, fs *pflag.FlagSet, s *notify.Settings) {
	fs.StringVar(&s.Webhook, "notify-webhook", a.getenv(notifyWebhookEnv), "POST every reminder (催办) as signed JSON to this http(s) URL (env "+notifyWebhookEnv+"; the HMAC secret in env "+notifySecretEnv+")")
	fs.StringVar(&s.SMTP, "smtp", a.getenv(smtpEnv), "e-mail every reminder: smtp://user:pass@host:port?from=…&to=…,… (env "+smtpEnv+")")
	fs.StringVar(&s.NATS, "notify-nats", a.getenv(notifyNATSEnv), "publish every reminder to NATS JetStream at this URL, stream and subject "+notify.Topic+" (env "+notifyNATSEnv+")")
	fs.StringVar(&s.AMQP, "notify-amqp", a.getenv(notifyAMQPEnv), "publish every reminder to the durable AMQP queue "+notify.Topic+" at this URL (env "+notifyAMQPEnv+")")
	s.Secret = a.getenv(notifySecretEnv)
}

// openNotify opens the channels settings turn on; the reminders go out
// while this replica holds the lease, each delivery recorded as the
// system through the application layer.
func (s *serving) openNotify(settings notify.Settings) error {
	if !settings.Any() {
		return nil
	}
	if settings.Webhook != "" && settings.Secret == "" {
		return fmt.Errorf("%w: --notify-webhook needs the shared secret in %s", errUsage, notifySecretEnv)
	}
	svc, runner := s.srv.App(), s.runner
	record := func(ctx context.Context, k domain.ObligationKey, id uuid.UUID, channel string) error {
		_, err := svc.RecordDelivery(ctx, auth.SystemPrincipal(), app.DeliveryInput{Obligation: k, Reminder: id, Channel: channel})
		return err
	}
	names := notify.CatalogNames{
		Catalog:     func() *projections.Catalog { return runner.Views().Catalog },
		Obligations: func() *projections.Obligations { return runner.Views().Obligations },
	}
	out, err := notify.Open(settings, s.l.store, s.l.registry, record, names, s.a.now, s.logger)
	if err != nil {
		return err
	}
	s.outbox = out
	return nil
}

// printReminders says how many reminders a tick recorded, by kind.
func printReminders(a *cli, recorded []app.Result) {
	counts := map[domain.ReminderKind]int{}
	for _, r := range recorded {
		var d domain.ReminderRecorded
		if err := json.Unmarshal(r.Events[0].Payload, &d); err == nil {
			counts[d.Kind]++
		}
	}
	fmt.Fprintf(a.stdout, "记录催办 %d 条（催办 %d，逾期催办 %d，升级督办 %d）/ %d reminders recorded\n", len(recorded),
		counts[domain.ReminderDueSoon], counts[domain.ReminderOverdue],
		counts[domain.ReminderEscalatedLead]+counts[domain.ReminderEscalatedOffice], len(recorded))
}
