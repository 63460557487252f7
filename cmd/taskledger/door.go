package main

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"

	"github.com/spf13/pflag"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/internal/msg"
)

// tokenEnv and operatorEnv name the environment variables behind --token
// and --operator.
const (
	tokenEnv    = "TASKLEDGER_TOKEN"
	operatorEnv = "TASKLEDGER_OPERATOR"
)

// addPrincipalFlags adds --token and --operator to the flags of a command
// that records: who the command acts as.
func addPrincipalFlags(a *cli, fs *pflag.FlagSet) {
	addTokenFlag(a, fs, "act as this API token's holder (env "+tokenEnv+"); without one, as the operator at this machine")
	fs.StringVar(&a.operator, "operator", "", "your name, recorded beside your operating-system account when acting without a token (env "+operatorEnv+")")
}

// addTokenFlag adds --token to fs, described by usage.
func addTokenFlag(a *cli, fs *pflag.FlagSet, usage string) {
	fs.StringVar(&a.token, "token", "", usage)
}

// bearer returns the API token of the run: --token, else $TASKLEDGER_TOKEN.
func (a *cli) bearer() string {
	if a.token != "" {
		return a.token
	}
	return a.getenv(tokenEnv)
}

// principal is who a command acts as: the holder of --token, or the
// operator at this machine (their operating-system account and the name
// they declared). No flag names the actor directly.
func (a *cli) principal(tokens *auth.Tokens) (auth.Principal, error) {
	token := a.bearer()
	if token == "" {
		name := a.operator
		if name == "" {
			name = a.getenv(operatorEnv)
		}
		return auth.LocalOperator(a.osUser, name), nil
	}
	if tokens == nil {
		return auth.Principal{}, errors.New("this ledger keeps no tokens: act without --token")
	}
	p, err := tokens.Lookup(token)
	if err != nil {
		return auth.Principal{}, noticef(msg.CLITokenInvalid, nil, err)
	}
	return p, nil
}

// door is the application layer over an open ledger, with the principal
// the command acts as.
type door struct {
	svc *app.Service
	who auth.Principal
}

// open returns the application layer over l for one run: read models
// caught up with the log (from the snapshots on), the ledger's tokens and
// the real clock.
func (l *ledger) open(ctx context.Context, a *cli) (door, error) {
	r, err := l.runner(ctx, a.logger())
	if err != nil {
		return door{}, err
	}
	tokens := auth.InMemory(rand.Reader, a.now)
	if l.state != "" {
		if tokens, err = openTokenDir(a, l.state); err != nil {
			return door{}, err
		}
	}
	who, err := a.principal(tokens)
	if err != nil {
		return door{}, err
	}
	accounts, err := serveAccounts(a, l)
	if err != nil {
		return door{}, err
	}
	svc, err := app.New(app.Config{
		Store: l.store, Registry: l.registry, Views: app.PulledViews{Runner: r},
		Clock: app.ClockFunc(a.now), Tokens: tokens, Logger: a.logger(), Accounts: accounts,
		Evidence: l.blobs,
	})
	return door{svc: svc, who: who}, err
}

// refusal marks a refusal the application layer explains (its own, the
// domain's, a reused idempotency key…) so that run prints it from the
// message catalogue with its codes; other errors are returned unchanged.
func refusal(err error) error {
	if ae := app.Explain(err); ae != nil {
		return &refusalError{ae: ae, err: err}
	}
	return err
}

// refusalError is an explained refusal on its way to run.
type refusalError struct {
	ae  *app.Error
	err error
}

// Error words the refusal in Chinese, then English.
func (e *refusalError) Error() string { return e.render([]msg.Lang{msg.ZH, msg.EN}) }

func (e *refusalError) Unwrap() error { return e.err }

// render writes the refusal in each of langs, one line each; the first
// line ends with the class in brackets and the catalogue code in
// parentheses.
func (e *refusalError) render(langs []msg.Lang) string {
	tag := "[" + string(e.ae.Code) + "]"
	if e.ae.Key != "" {
		tag += " (" + string(e.ae.Key) + ")"
	}
	lines := make([]string, 0, len(langs))
	for i, l := range langs {
		line := e.ae.Text(l)
		if i == 0 {
			line += " " + tag
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// withDoor opens the existing ledger at store, runs fn on the application
// layer over it and closes the ledger.
func (a *cli) withDoor(ctx context.Context, store string, fn func(door, *ledger) error) error {
	l, err := a.openLedger(store, mustExist)
	if err != nil {
		return err
	}
	defer l.Close()
	d, err := l.open(ctx, a)
	if err != nil {
		return err
	}
	return fn(d, l)
}
