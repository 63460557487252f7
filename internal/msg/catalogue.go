package msg

// table is the catalogue: one entry per code, Chinese first. Placeholders
// are named; a name ending in ZH holds the Chinese wording of the
// placeholder without it (RoleZH beside Role).
var table = []Entry{
	// Accounts and logging in.
	{AccountLoginTaken, Conflict, `登录名“{{.Login}}”已被使用`, `the login name "{{.Login}}" is taken`},
	{AccountNameInvalid, InvalidArgument, `姓名须为 1 至 {{.Max}} 个字符，且不含“#”`, `name must be 1 to {{.Max}} characters without '#'`},
	{AccountLoginInvalid, InvalidArgument, `登录名“{{.Login}}”须为 3 至 64 个英文字母、数字或“.”“_”“-”`, `login name "{{.Login}}" must be 3 to 64 letters, digits, '.', '_' or '-'`},
	{AccountRoleUnknown, InvalidArgument, `角色“{{.Role}}”不是 reporter（填报人）、leader（单位负责人）、inspector（督查）、committee（考核委员）、admin（办公室管理员）之一`, `role "{{.Role}}" is not one of reporter, leader, inspector, committee, admin`},
	{AccountRolesInvalid, InvalidArgument, `角色须为 reporter 和/或 leader，或 inspector、committee、admin 中的一个`, `give reporter and/or leader, or exactly one of inspector, committee, admin`},
	{AccountUnitNotAllowed, InvalidArgument, `只有填报人和单位负责人账号属于某个单位`, `only reporters and leaders act for a unit`},
	{AccountUnitRequired, InvalidArgument, `填报人和单位负责人账号须指明所属单位`, `a reporter or leader acts for one unit: give it`},
	{AccountPasswordWeak, InvalidArgument, `密码至少 {{.Min}} 个字符、至多 {{.Max}} 字节，且不能与登录名相同`, `a password has at least {{.Min}} characters, at most {{.Max}} bytes, and is not the login name`},
	{AccountNoneKept, Conflict, `该账本不保存账号`, `this ledger keeps no accounts`},
	{AccountNotFound, NotFound, `没有登录名为“{{.Login}}”的账号`, `no account with login name "{{.Login}}"`},
	{AccountPasswordByPerson, Forbidden, `只有使用个人账号登录的用户才能修改密码`, `only a person logged in with an account changes a password`},
	{AccountGone, Unauthenticated, `该账号已不存在`, `the account is no longer on record`},
	{AccountPasswordWrong, InvalidArgument, `当前密码不正确，密码未修改`, `the current password is wrong; nothing was changed`},
	{AccountPasswordSame, InvalidArgument, `新密码不能与当前密码相同`, `the new password is the current one`},
	{AuthNoAccountsUseToken, Conflict, `本服务未启用账号登录，请使用令牌`, `this server has no accounts; log in with a token`},
	{AuthNoAccounts, Conflict, `本服务未启用账号登录`, `this server has no accounts`},
	{AuthLoginFailed, Unauthenticated, `登录名或密码错误，或账号已停用`, `wrong login name or password, or the account is disabled`},
	{AuthLockedOut, LockedOut, `登录失败次数过多，账号已锁定至北京时间 {{.Until}}；如忘记密码，请联系管理员重置`, `too many failed logins: this account is locked until {{.Until}} (Beijing time); ask an administrator to reset the password if you forgot it`},
	{AuthCSRFMissing, Forbidden, `请求缺少页面的防伪令牌（X-CSRF-Token），未记录任何内容；请刷新页面后重试`, `this request lacks the page's anti-forgery token (X-CSRF-Token); nothing was recorded: reload the page`},
	{AuthSessionExpired, Unauthenticated, `未登录或会话已过期，请重新登录`, `not logged in, or the session expired: log in again`},
	{AuthSSONoAccount, Unauthenticated, `身份提供方确认的用户“{{.Login}}”在本系统没有可用账号，请联系管理员`, `the identity provider vouched for "{{.Login}}", which has no enabled account here: ask an administrator`},
	{AuthRequired, Unauthenticated, `需要登录才能{{.ActionZH}}：请在请求中携带令牌（Authorization: Bearer <令牌>）`, `authentication required to {{.Action}}: send Authorization: Bearer <token>`},
	{AuthRoleForbidden, Forbidden, `{{.RoleZH}}角色无权{{.ActionZH}}`, `the {{.Role}} role may not {{.Action}}`},
	{AuthOtherUnit, Forbidden, `该{{.RoleZH}}令牌只能代表本单位（{{.Unit}}）办理，不能代表 {{.Other}}`, `a {{.Role}} token acts only for unit {{.Unit}}, not {{.Other}}`},
	{AuthOwnUnitStreams, Forbidden, `该{{.RoleZH}}令牌只能就本单位（{{.Unit}}）的记录{{.ActionZH}}`, `a {{.Role}} token may {{.Action}} only for streams of its own unit {{.Unit}}`},
	{AuthOwnUnitNotTask, Forbidden, `该{{.RoleZH}}令牌只能{{.ActionZH}}本单位或本单位的任务责任，不能查看整项任务`, `a {{.Role}} token may {{.Action}} of its own unit or its own obligations, not of a whole task`},
	{AuthOwnUnitOnly, Forbidden, `该{{.RoleZH}}令牌只能代表本单位（{{.Unit}}）`, `a {{.Role}} token acts only for unit {{.Unit}}`},

	// Idempotency keys.
	{IdempotencyKeyReused, IdempotencyConflict, `该幂等键已用于另一项不同的请求，本次未记录任何内容；新的请求请使用新的键`, `this idempotencyKey was already used for a different request; nothing was recorded: use a new key for a new request`},
	{IdempotencyKeyRequired, InvalidArgument, `缺少幂等键（idempotencyKey）：重试同一请求时请使用同一个键`, `idempotencyKey is required: send the same key when retrying the same request`},
	{IdempotencyKeyInvalid, InvalidArgument, `幂等键须为不超过 {{.Max}} 字节的 UTF-8 文本`, `idempotencyKey must be valid UTF-8 of at most {{.Max}} bytes`},

	// Plans, units and obligations that are not there.
	{PlanNoneYet, NotFound, `账本中还没有方案`, `the ledger holds no plan yet`},
	{PlanAmbiguous, InvalidArgument, `账本中有 {{.Count}} 个方案，请指明一个`, `the ledger holds {{.Count}} plans: name one`},
	{PlanNotRegistered, NotFound, `没有登记方案 {{.Plan}}`, `plan {{.Plan}} is not registered`},
	{UnitNotInLedger, NotFound, `账本中没有登记单位“{{.Unit}}”`, `unit "{{.Unit}}" is not registered in this ledger`},
	{UnitNotRegistered, NotFound, `没有登记单位 {{.Unit}}`, `unit {{.Unit}} is not registered`},
	{UnitMerged, Conflict, `单位“{{.UnitZH}}”已并入“{{.IntoZH}}”`, `unit {{.Unit}} was merged into {{.Into}}`},
	{UnitRequired, InvalidArgument, `请指明单位（{{.Field}}）`, `{{.Field}} is required`},
	{UnitUnknownName, NotFound, `没有名为“{{.Name}}”的单位（{{.Field}}）`, `{{.Field}}: no unit is known as "{{.Name}}"`},
	{TaskNotRegistered, NotFound, `方案 {{.Plan}} 中没有第 {{.Task}} 项任务`, `task {{.Task}} of plan {{.Plan}} is not registered`},
	{ObligationUnitRequired, InvalidArgument, `请指明责任单位（obligation.unit）`, `obligation.unit is required`},

	// Tokens.
	{TokenNoneKept, Conflict, `该账本不保存令牌`, `this ledger keeps no tokens`},
	{TokenNoneKeptFound, NotFound, `该账本不保存令牌`, `this ledger keeps no tokens`},
	{TokenRoleUnknown, InvalidArgument, `角色“{{.Role}}”不是 coordinator、bureau、county、inspector、committee 之一`, `role "{{.Role}}" is not one of coordinator, bureau, county, inspector, committee`},
	{TokenValidity, InvalidArgument, `令牌有效期须在 1 小时到 {{.MaxDays}} 天之间，不能为 {{.Given}}`, `a token is valid for between an hour and {{.MaxDays}} days, not {{.Given}}`},
	{TokenCannotCreate, InvalidArgument, `无法创建令牌：{{.Reason}}`, `a token cannot be made: {{.Reason}}`},
	{TokenUnitKind, InvalidArgument, `单位“{{.UnitZH}}”的类别与{{.RoleZH}}令牌不符`, `unit {{.Unit}} is not the kind of unit a {{.Role}} token acts for`},
	{TokenNotFound, NotFound, `没有编号为“{{.ID}}”的令牌`, `no token with id "{{.ID}}" is on record`},

	// The dashboard's HTTP doors.
	{HTTPUseMethod, InvalidArgument, `请使用 {{.Method}} 方法`, `use {{.Method}}`},
	{HTTPCrossSite, Forbidden, `已拒绝：请求来自其他网站`, `refused: the request came from another site`},
	{HTTPUploadCrossSite, Forbidden, `只接受本站页面发起的上传`, `uploads are accepted only from this dashboard's own origin`},
	{HTTPJSONRequired, InvalidArgument, `请以 JSON 格式提交`, `send JSON (Content-Type: application/json)`},
	{HTTPJSONInvalid, InvalidArgument, `请求内容不是有效的 JSON`, `the body is not valid JSON`},
	{HTTPTokenInURL, InvalidArgument, `请在 Authorization 请求头中携带令牌，不要放在网址里`, `send the token in the Authorization header, not in the URL`},
	{HTTPTokenInvalid, Unauthenticated, `需要有效的令牌（Authorization: Bearer <令牌>）`, `send a valid token: Authorization: Bearer <token>`},
	{AuthNotLoggedIn, Unauthenticated, `未登录`, `not logged in`},

	// The CLI's stores.
	{StoreNoLedger, NotFound, `{{.Store}} 中没有账本：可先用 taskledger import 或 taskledger demo 创建`, `store {{.Store}} holds no ledger: make one with taskledger import or taskledger demo`},
	{StoreDamaged, Damaged, `账本文件已损坏，已拒绝打开，文件未作任何改动（{{.Store}}）`, `the ledger file is damaged: refused and left untouched ({{.Store}})`},
	{StoreNewerFormat, NewerFormat, `账本文件由更新版本的 taskledger 写入（文件格式 {{.Format}}），本版本无法读取；已拒绝打开，账本文件和日志文件均未作任何改动（{{.Store}}）。请使用更新版本的 taskledger 打开`, `the ledger file was written by a newer taskledger (format {{.Format}}), which this build cannot read: refused, and the file and its journal left untouched ({{.Store}}); open it with a newer taskledger`},
	{StoreLocked, Unavailable, "账本文件 {{.File}} 正被另一个进程占用，很可能是正在运行的 taskledger serve。\n请改用 --server URL 向运行中的服务器查询（status、obligations、scorecard 支持），或先停止服务器再重试。", "The ledger file {{.File}} is held by another process, most likely a running taskledger serve.\nAsk the running server instead with --server URL (status, obligations and scorecard take it), or stop the server and try again."},
	{StorePostgresNoLedger, NotFound, `{{.Store}}：该数据库 schema 中没有账本，可先用 taskledger import 或 taskledger migrate --to 创建`, `store {{.Store}}: the PostgreSQL schema holds no ledger: make one with taskledger import or taskledger migrate --to`},
	{StorePostgresDamaged, Damaged, `数据库中的账本无法识别，已拒绝打开，未作任何改动（{{.Store}}）`, `the PostgreSQL schema is not a ledger this taskledger can open: refused and left untouched ({{.Store}})`},
	{StorePostgresNewer, NewerFormat, `数据库中的账本由更新版本的 taskledger 写入（表结构版本 {{.Version}}，本版本只能读取到版本 {{.Known}}），已拒绝打开，未作任何改动（{{.Store}}）。请使用更新版本的 taskledger 打开`, `the PostgreSQL ledger was written by a newer taskledger (schema version {{.Version}}; this build reads up to version {{.Known}}): refused and left untouched ({{.Store}}); open it with a newer taskledger`},
	{StorePostgresOpen, Unavailable, `无法打开 PostgreSQL 账本 {{.Store}}`, `cannot open the PostgreSQL ledger {{.Store}}`},

	// The dashboard's uploads, single sign-on and bulletins.
	{UploadTooLarge, InvalidArgument, `上传的文件超过佐证材料的大小上限`, `the upload is larger than the evidence size limit`},
	{UploadUnreadable, InvalidArgument, `无法读取上传的文件`, `the upload could not be read: {{.Reason}}`},
	{UploadNoFile, InvalidArgument, `表单中没有上传的文件（file）`, `the form has no file field`},
	{ReportFileTooLarge, InvalidArgument, `文件超过 {{.MiB}} MiB 的上限`, `the file is larger than the limit of {{.MiB}} MiB`},
	{OIDCStateInvalid, Unauthenticated, `登录请求不是从本浏览器发起或已超时，请重新登录`, `the login did not start in this browser, or took too long; start again`},
	{OIDCUnverified, Unauthenticated, `无法验证身份提供方的应答`, `the identity provider's answer could not be verified`},
	{BulletinNotReproducing, Internal, `重新生成的通报与印发时记录的摘要不一致，已拒绝提供`, `the bulletin rendered again does not match its recorded digest`},

	// The CLI's other refusals.
	{CLITokenInvalid, Unauthenticated, `--token 给出的令牌无效或已撤销`, `the --token given is not valid or was revoked`},
	{CLIBulletinNotReproduced, Damaged, `重新生成的通报与记录的摘要 {{.Digest}} 不一致`, `the bulletin rendered again does not match its recorded digest {{.Digest}}`},
	{CLIEvidenceStoreOpen, Unavailable, `佐证材料存储 {{.Store}} 无法打开`, `cannot open the evidence store {{.Store}}`},
	{CLIEvidenceMissing, Damaged, `事件所引用的 {{.Total}} 个佐证材料中有 {{.Bad}} 个缺失或被改动`, `{{.Bad}} of the {{.Total}} evidence files the events name are missing or altered`},
	{CLIEvidenceNotCopied, Damaged, `{{.Bad}} 个佐证材料缺失或被改动，未能复制`, `{{.Bad}} evidence files could not be copied`},
	{CLIRegistryUnreadable, InvalidArgument, `单位名录 {{.File}} 无法读取`, `the unit registry {{.File}} cannot be read`},
	{CLIReportFileTooLarge, InvalidArgument, `{{.File}} 超过 {{.MiB}} MiB 的上限`, `{{.File}} is larger than the limit of {{.MiB}} MiB`},

	// The CLI's usage errors. Detail is the command-line parser's own
	// English wording.
	{CLIUnknownCommand, InvalidArgument, `{{.Path}} 没有“{{.Name}}”这个命令{{if .Suggest}}；是否要用 {{.Suggest}}？{{end}}`, `unknown command "{{.Name}}" for "{{.Path}}"{{if .Suggest}}; did you mean {{.Suggest}}?{{end}}`},
	{CLINameACommand, InvalidArgument, `请指明要运行的命令`, `name a command`},
	{CLINeedsSubcommand, InvalidArgument, `{{.Path}} 需要一个子命令：{{.Names}}`, `{{.Path}} needs a subcommand: {{.Names}}`},
	{CLIUnknownFlag, InvalidArgument, `没有这个选项：{{.Detail}}`, `{{.Detail}}`},
	{CLIFlagValue, InvalidArgument, `选项的值无效：{{.Detail}}`, `bad flag value: {{.Detail}}`},
	{CLIFlagNeedsValue, InvalidArgument, `选项缺少值：{{.Detail}}`, `{{.Detail}}`},
	{CLIFlagInvalid, InvalidArgument, `选项有误：{{.Detail}}`, `{{.Detail}}`},
	{CLINoArgs, InvalidArgument, `{{.Path}} 不接受参数，却给了“{{.Args}}”`, `{{.Path}} takes no arguments, got "{{.Args}}"`},
	{CLIArgCount, InvalidArgument, `{{.Path}} 的参数个数不对（应为 {{.What}}），却给了 {{.Got}} 个`, `{{.Path}} takes {{.What}}, got {{.Got}} arguments`},
	{CLIUsage, InvalidArgument, `用法有误：{{.Detail}}`, `{{.Detail}}`},
	{CLILangInvalid, InvalidArgument, `--lang “{{.Lang}}”无效：应为 zh 或 en`, `--lang "{{.Lang}}": want zh or en`},
	{CLIPasswordEnv, InvalidArgument, `环境变量 {{.Name}} 未设置或为空`, `environment variable {{.Name}} is not set`},
}
