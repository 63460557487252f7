package msg

// The codes of the catalogue, grouped by area. Every constant here has an
// entry in table (catalogue.go); the package's tests check both ways.
const (
	// Accounts and logging in.
	AccountLoginTaken       Key = "account.login_taken"
	AccountNameInvalid      Key = "account.name_invalid"
	AccountLoginInvalid     Key = "account.login_invalid"
	AccountRoleUnknown      Key = "account.role_unknown"
	AccountRolesInvalid     Key = "account.roles_invalid"
	AccountUnitNotAllowed   Key = "account.unit_not_allowed"
	AccountUnitRequired     Key = "account.unit_required"
	AccountPasswordWeak     Key = "account.password_weak"
	AccountNoneKept         Key = "account.none_kept"
	AccountNotFound         Key = "account.not_found"
	AccountPasswordByPerson Key = "account.password_by_person"
	AccountGone             Key = "account.gone"
	AccountPasswordWrong    Key = "account.password_wrong"
	AccountPasswordSame     Key = "account.password_same"
	AuthNoAccountsUseToken  Key = "auth.no_accounts_use_token"
	AuthNoAccounts          Key = "auth.no_accounts"
	AuthLoginFailed         Key = "auth.login_failed"
	AuthLockedOut           Key = "auth.locked_out"
	AuthCSRFMissing         Key = "auth.csrf_missing"
	AuthSessionExpired      Key = "auth.session_expired"
	AuthSSONoAccount        Key = "auth.sso_no_account"
	AuthRequired            Key = "auth.required"
	AuthRoleForbidden       Key = "auth.role_forbidden"
	AuthOtherUnit           Key = "auth.other_unit"
	AuthOwnUnitStreams      Key = "auth.own_unit_streams"
	AuthOwnUnitNotTask      Key = "auth.own_unit_not_task"
	AuthOwnUnitOnly         Key = "auth.own_unit_only"

	// Idempotency keys.
	IdempotencyKeyReused   Key = "idempotency.key_reused"
	IdempotencyKeyRequired Key = "idempotency.key_required"
	IdempotencyKeyInvalid  Key = "idempotency.key_invalid"

	// Plans, units and obligations that are not there.
	PlanNoneYet            Key = "plan.none_yet"
	PlanAmbiguous          Key = "plan.ambiguous"
	PlanNotRegistered      Key = "plan.not_registered"
	UnitNotInLedger        Key = "unit.not_in_ledger"
	UnitNotRegistered      Key = "unit.not_registered"
	UnitMerged             Key = "unit.merged"
	UnitRequired           Key = "unit.required"
	UnitUnknownName        Key = "unit.unknown_name"
	TaskNotRegistered      Key = "task.not_registered"
	ObligationUnitRequired Key = "obligation.unit_required"

	// Tokens.
	TokenNoneKept      Key = "token.none_kept"
	TokenRoleUnknown   Key = "token.role_unknown"
	TokenValidity      Key = "token.validity"
	TokenCannotCreate  Key = "token.cannot_create"
	TokenUnitKind      Key = "token.unit_kind"
	TokenNotFound      Key = "token.not_found"
	TokenNoneKeptFound Key = "token.none_kept_lookup"
)

// The dashboard's HTTP doors.
const (
	HTTPUseMethod       Key = "http.use_method"
	HTTPCrossSite       Key = "http.cross_site"
	HTTPUploadCrossSite Key = "http.upload_cross_site"
	HTTPJSONRequired    Key = "http.json_required"
	HTTPJSONInvalid     Key = "http.json_invalid"
	HTTPTokenInURL      Key = "http.token_in_url"
	HTTPTokenInvalid    Key = "http.token_invalid"
	AuthNotLoggedIn     Key = "auth.not_logged_in"
)

// The CLI's stores.
const (
	StoreNoLedger         Key = "store.no_ledger"
	StoreDamaged          Key = "store.damaged"
	StoreNewerFormat      Key = "store.newer_format"
	StoreLocked           Key = "store.locked"
	StorePostgresNoLedger Key = "store.postgres_no_ledger"
	StorePostgresDamaged  Key = "store.postgres_damaged"
	StorePostgresNewer    Key = "store.postgres_newer_version"
	StorePostgresOpen     Key = "store.postgres_unreachable"
)

// The dashboard's uploads, single sign-on and bulletins.
const (
	UploadTooLarge         Key = "upload.too_large"
	UploadUnreadable       Key = "upload.unreadable"
	UploadNoFile           Key = "upload.no_file"
	ReportFileTooLarge     Key = "report.file_too_large"
	OIDCStateInvalid       Key = "oidc.state_invalid"
	OIDCUnverified         Key = "oidc.unverified"
	BulletinNotReproducing Key = "bulletin.not_reproducible"
)

// The CLI's other refusals.
const (
	CLITokenInvalid          Key = "cli.token_invalid"
	CLIBulletinNotReproduced Key = "cli.bulletin_not_reproduced"
	CLIEvidenceStoreOpen     Key = "cli.evidence_store_unopenable"
	CLIEvidenceMissing       Key = "cli.evidence_missing"
	CLIEvidenceNotCopied     Key = "cli.evidence_not_copied"
	CLIRegistryUnreadable    Key = "cli.registry_unreadable"
	CLIReportFileTooLarge    Key = "cli.report_file_too_large"
)

// The CLI's usage errors (exit code 2).
const (
	CLIUnknownCommand  Key = "cli.unknown_command"
	CLINameACommand    Key = "cli.name_a_command"
	CLINeedsSubcommand Key = "cli.needs_subcommand"
	CLIUnknownFlag     Key = "cli.unknown_flag"
	CLIFlagValue       Key = "cli.flag_value_invalid"
	CLIFlagNeedsValue  Key = "cli.flag_needs_value"
	CLIFlagInvalid     Key = "cli.flag_invalid"
	CLINoArgs          Key = "cli.takes_no_arguments"
	CLIArgCount        Key = "cli.argument_count"
	CLIUsage           Key = "cli.usage"
	CLILangInvalid     Key = "cli.lang_invalid"
	CLIPasswordEnv     Key = "cli.password_env_unset"
)
