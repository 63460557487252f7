package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/dashboard"
	"taskledger/domain"
	"taskledger/internal/msg"
)

const accountLong = `Accounts let people log in to the dashboard with a password (taskledger
serve). Roles: reporter (填报人) and leader (单位负责人, who signs off)
act for one registered unit (--unit: an id, name or alias); inspector
(督查), committee (考核委员) and admin (办公室管理员) act for none. Every
event a person records names them and their unit. The store keeps only
an argon2id hash of each password, in DIR/accounts.json (mode 0600).
A password is printed once, when it is set; the person changes it after
logging in.`

// accountRoles are the roles an account may hold.
var accountRoles = []string{"reporter", "leader", "inspector", "committee", "admin"}

// newAccountCommand is the account subcommand.
func newAccountCommand(a *cli) *cobra.Command {
	return groupCommand("account", "create, list and disable personal accounts, reset passwords (account create | list | disable | reset-password)", accountLong,
		newAccountCreateCommand(a), newAccountListCommand(a), newAccountDisableCommand(a), newAccountResetCommand(a))
}

// serveAccounts opens the ledger's accounts; a memory ledger keeps them in
// memory.
func serveAccounts(a *cli, l *ledger) (*auth.Accounts, error) {
	if l.state == "" {
		return auth.InMemoryAccounts(rand.Reader, a.now), nil
	}
	if err := os.MkdirAll(l.state, 0o755); err != nil {
		return nil, fmt.Errorf("account store: %w", err)
	}
	return auth.OpenAccounts(l.state, rand.Reader, a.now)
}

// withAccountDoor opens the ledger at store with its accounts and runs fn
// on the application layer over it.
func withAccountDoor(ctx context.Context, a *cli, store string, fn func(d door) error) error {
	if store == "memory" {
		return fmt.Errorf("%w: a memory store keeps no accounts between runs; give --store DIR", errUsage)
	}
	return a.withDoor(ctx, store, func(d door, _ *ledger) error { return fn(d) })
}

type accountCreateOptions struct {
	store, name, unit, password string
	roles                       []string
}

func newAccountCreateCommand(a *cli) *cobra.Command {
	var o accountCreateOptions
	cmd := &cobra.Command{
		Use:   "create LOGIN --name NAME --role ROLE[,ROLE] [--unit UNIT]",
		Short: "make an account; its first password is printed once",
		Long:  accountLong,
		Args:  exactArgs(1, "a login name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAccountCreate(cmd.Context(), a, args[0], o)
		},
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.name, "name", "", "the person's name, as events record it (e.g. 王芳)")
	fs.StringSliceVar(&o.roles, "role", nil, strings.Join(accountRoles, ", ")+"; reporter and leader may go together")
	completeChoices(cmd, "role", accountRoles...)
	fs.StringVar(&o.unit, "unit", "", "the registered unit a reporter or leader acts for: its id, name or alias")
	fs.StringVar(&o.password, "password-env", "", "read the first password from this environment variable (default: generate one)")
	return cmd
}

func runAccountCreate(ctx context.Context, a *cli, login string, o accountCreateOptions) error {
	password, err := envPassword(o.password)
	if err != nil {
		return err
	}
	return withAccountDoor(ctx, a, o.store, func(d door) error {
		v, pw, err := d.svc.CreateAccount(ctx, d.who, app.AccountInput{Login: login, Name: o.name, Unit: o.unit, Roles: o.roles, Password: password})
		if err != nil {
			return refusal(err)
		}
		fmt.Fprintf(a.stdout, "%s\n", pw)
		fmt.Fprintf(a.stderr, "已创建账号 %s（%s，%s）；初始密码仅显示这一次，请当面交给本人，登录后须修改。\ncreated account %s; the password is shown only now.\n",
			v.Login, v.Name, rolesZH(v.Roles), v.Login)
		return nil
	})
}

// envPassword reads a password from the named environment variable, so
// that it never appears in a process list; "" means none.
func envPassword(name string) (string, error) {
	if name == "" {
		return "", nil
	}
	pw, ok := os.LookupEnv(name)
	if !ok || pw == "" {
		return "", usageNotice(msg.CLIPasswordEnv, msg.Args{"Name": name})
	}
	return pw, nil
}

func rolesZH(rs []auth.AccountRole) string {
	names := map[auth.AccountRole]string{auth.Reporter: "填报人", auth.Leader: "单位负责人", auth.InspectorAccount: "督查",
		auth.CommitteeAccount: "考核委员", auth.Admin: "办公室管理员"}
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = names[r]
	}
	return strings.Join(out, "、")
}

func newAccountListCommand(a *cli) *cobra.Command {
	var store string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "list the accounts (never their passwords)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAccountDoor(cmd.Context(), a, store, func(d door) error { return printAccounts(cmd.Context(), a, d) })
		},
	}
	storeFlag(a, cmd.Flags(), &store)
	return cmd
}

func printAccounts(ctx context.Context, a *cli, d door) error {
	list, err := d.svc.ListAccounts(ctx, d.who)
	if err != nil {
		return refusal(err)
	}
	if len(list) == 0 {
		fmt.Fprintln(a.stdout, "还没有账号；用 taskledger account create 创建。 (no accounts yet)")
		return nil
	}
	units := d.svc.UnitNames()
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "登录名 LOGIN\t姓名 NAME\t角色 ROLES\t单位 UNIT\t创建 CREATED\t状态 STATE")
	for _, v := range list {
		state := "启用 enabled"
		if v.Disabled {
			state = "已停用 disabled"
		} else if v.MustChange {
			state = "待改密码 must change password"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.Login, v.Name, rolesZH(v.Roles), units[v.Unit],
			v.CreatedAt.In(domain.Shanghai()).Format(time.DateTime), state)
	}
	return tw.Flush()
}

func newAccountDisableCommand(a *cli) *cobra.Command {
	var store string
	cmd := &cobra.Command{
		Use:   "disable LOGIN",
		Short: "disable an account: it can no longer log in, and its sessions end",
		Args:  exactArgs(1, "a login name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withAccountDoor(cmd.Context(), a, store, func(d door) error {
				v, err := d.svc.DisableAccount(cmd.Context(), d.who, args[0])
				if err != nil {
					return refusal(err)
				}
				fmt.Fprintf(a.stdout, "已停用账号 %s（%s）。 account %s disabled.\n", v.Login, v.Name, v.Login)
				return nil
			})
		},
	}
	storeFlag(a, cmd.Flags(), &store)
	return cmd
}

func newAccountResetCommand(a *cli) *cobra.Command {
	var store, env string
	cmd := &cobra.Command{
		Use:   "reset-password LOGIN",
		Short: "set a new password (printed once); the person changes it after logging in",
		Args:  exactArgs(1, "a login name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			password, err := envPassword(env)
			if err != nil {
				return err
			}
			return withAccountDoor(cmd.Context(), a, store, func(d door) error {
				v, pw, err := d.svc.ResetPassword(cmd.Context(), d.who, args[0], password)
				if err != nil {
					return refusal(err)
				}
				fmt.Fprintf(a.stdout, "%s\n", pw)
				fmt.Fprintf(a.stderr, "已重置账号 %s（%s）的密码并清除锁定；新密码仅显示这一次。\npassword of %s reset; shown only now.\n", v.Login, v.Name, v.Login)
				return nil
			})
		},
	}
	storeFlag(a, cmd.Flags(), &store)
	cmd.Flags().StringVar(&env, "password-env", "", "read the new password from this environment variable (default: generate one)")
	return cmd
}

// demoAccount is an account made for a demo, with its password.
type demoAccount struct {
	view     app.AccountView
	password string
}

// demoAccounts makes one account per role on a demo ledger that has none
// yet: a reporter of 宁城县, the leader of 生态环境局, an inspector, a
// committee member and an office administrator.
func demoAccounts(ctx context.Context, svc *app.Service, operator auth.Principal) ([]demoAccount, error) {
	have, err := svc.ListAccounts(ctx, operator)
	if err != nil || len(have) > 0 {
		return nil, err
	}
	specs := []app.AccountInput{
		{Login: "demo.reporter", Name: "演示填报员", Unit: "宁城县", Roles: []string{"reporter"}},
		{Login: "demo.leader", Name: "演示负责人", Unit: "生态环境局", Roles: []string{"reporter", "leader"}},
		{Login: "demo.inspector", Name: "演示督查员", Roles: []string{"inspector"}},
		{Login: "demo.committee", Name: "演示考核委员", Roles: []string{"committee"}},
		{Login: "demo.admin", Name: "演示管理员", Roles: []string{"admin"}},
	}
	var out []demoAccount
	for _, in := range specs {
		if in.Unit != "" {
			if _, err := svc.ResolveUnit(in.Unit); err != nil {
				continue // a ledger without the sample units gets no account for them
			}
		}
		v, pw, err := svc.CreateAccount(ctx, operator, in)
		if err != nil {
			return nil, err
		}
		out = append(out, demoAccount{view: v, password: pw})
	}
	return out, nil
}

// printDemoAccounts lists the accounts made on this start with their
// passwords, or says how many are on record.
func printDemoAccounts(a *cli, accounts *auth.Accounts, fresh []demoAccount, store string) {
	w := a.stdout
	if len(fresh) > 0 {
		fmt.Fprintln(w, "\nDashboard accounts made for this demo (登录名 / 初始密码) — shown only now; log in on the dashboard's 登录 page:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, d := range fresh {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", d.view.Login, d.password, d.view.Name, rolesZH(d.view.Roles))
		}
		_ = tw.Flush()
		return
	}
	if accounts == nil || accounts.Path() == "" {
		return
	}
	if list, err := accounts.List(); err == nil {
		fmt.Fprintf(w, "%d dashboard accounts on record (taskledger account list --store %s); reset a password with taskledger account reset-password LOGIN.\n", len(list), store)
	}
}

// oidcOptions are serve's flags for login through an identity provider.
type oidcOptions struct {
	issuer, clientID, secretEnv, redirectURL, claim string
}

func oidcFlags(fs *pflag.FlagSet, o *oidcOptions) {
	fs.StringVar(&o.issuer, "oidc-issuer", "", "log people in through this OpenID Connect provider (its issuer URL); their accounts must exist here")
	fs.StringVar(&o.clientID, "oidc-client-id", "", "this server's client id at the provider")
	fs.StringVar(&o.secretEnv, "oidc-client-secret-env", "TASKLEDGER_OIDC_SECRET", "the environment variable that holds the client secret")
	fs.StringVar(&o.redirectURL, "oidc-redirect-url", "", "this server's callback as registered at the provider, e.g. https://ledger.example/session/oidc/callback")
	fs.StringVar(&o.claim, "oidc-claim", "preferred_username", "the ID-token claim that holds the local login name")
}

// login connects to the provider; nil when no issuer is given.
func (o oidcOptions) login(ctx context.Context, a *cli) (*dashboard.OIDCLogin, error) {
	if o.issuer == "" {
		if o.clientID != "" || o.redirectURL != "" {
			return nil, fmt.Errorf("%w: --oidc-client-id and --oidc-redirect-url need --oidc-issuer", errUsage)
		}
		return nil, nil
	}
	if o.clientID == "" || o.redirectURL == "" {
		return nil, fmt.Errorf("%w: --oidc-issuer needs --oidc-client-id and --oidc-redirect-url", errUsage)
	}
	return dashboard.NewOIDC(ctx, dashboard.OIDC{Issuer: o.issuer, ClientID: o.clientID, ClientSecret: a.getenv(o.secretEnv),
		RedirectURL: o.redirectURL, Claim: o.claim})
}
