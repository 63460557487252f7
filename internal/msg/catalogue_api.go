package msg

// apiTable holds the GraphQL transport's request refusals. Detail
// placeholders carry the engine's or parser's own English wording, which
// has too many shapes to catalogue one by one.
var apiTable = []Entry{
	{APIMethodNotAllowed, InvalidArgument, `请使用 POST（任何操作）或 GET（仅限查询）`, `use POST (any operation) or GET (queries only)`},
	{APIGetNotQuery, InvalidArgument, `{{.Type}} 操作不能用 GET 发送，请使用 POST`, `a {{.Type}} cannot be sent with GET: use POST`},
	{APISubscriptionOverWS, InvalidArgument, `订阅须通过 /graphql 的 WebSocket（graphql-transport-ws 协议）进行`, `subscriptions run over WebSocket at /graphql with the graphql-transport-ws protocol`},
	{APIAuthorizationHeader, Unauthenticated, `Authorization 请求头须为“Bearer <令牌>”`, `the Authorization header must be "Bearer <token>"`},
	{APITokenInvalid, Unauthenticated, `令牌无效`, `the token is not valid`},
	{APITokenExpired, Unauthenticated, `令牌已过期，请重新申请`, `the token is not valid: it has expired; ask for a new one`},
	{APITokenRevoked, Unauthenticated, `令牌已被撤销`, `the token is not valid: it was revoked`},
	{APIAuthRequired, Unauthenticated, `查询 {{.Field}} 需要登录：请携带令牌（Authorization: Bearer <令牌>）；不带令牌只能查询 ledger、me 和 publishedScorecards`, `authentication required for {{.Field}}: send Authorization: Bearer <token> (without a token only ledger, me and publishedScorecards are open)`},
	{APIAuthRequiredWS, Unauthenticated, `查询 {{.Field}} 需要登录：请在 connection_init 的 payload 中以 authorization 携带令牌`, `authentication required for {{.Field}}: send the token in connection_init's payload as authorization`},
	{APIContentType, InvalidArgument, `请以 application/json 格式发送请求，而不是“{{.Type}}”`, `send the request as application/json, not "{{.Type}}"`},
	{APIBodyTooLarge, InvalidArgument, `请求体超过 {{.Max}} 字节的上限`, `the request body is larger than the limit of {{.Max}} bytes`},
	{APIBodyUnreadable, InvalidArgument, `无法读取请求体`, `the request body could not be read`},
	{APIBodyNotJSON, InvalidArgument, `请求体不是 JSON 请求对象：{{.Detail}}`, `the body is not a JSON request object: {{.Detail}}`},
	{APIBodyManyValues, InvalidArgument, `请求体含有不止一个 JSON 值`, `the body holds more than one JSON value`},
	{APIParamNotJSON, InvalidArgument, `参数 {{.Param}} 不是 JSON 对象：{{.Detail}}`, `{{.Param}} is not a JSON object: {{.Detail}}`},
	{APIQueryMissing, InvalidArgument, `请求中没有查询语句（query）`, `the request has no query`},
	{APIQueryTooLong, InvalidArgument, `查询语句长 {{.Bytes}} 字节，超过上限 {{.Max}}`, `the query is {{.Bytes}} bytes long, more than the limit of {{.Max}}`},
	{APIQuerySyntax, InvalidArgument, `查询语句有语法错误：{{.Detail}}`, `invalid query: {{.Detail}}`},
	{APIQueryInvalid, InvalidArgument, `查询语句有误：{{.Detail}}`, `invalid query: {{.Detail}}`},
	{APIQueryLimit, InvalidArgument, `查询超出服务器的限制（嵌套层数、长度或选择数）：{{.Detail}}`, `the query exceeds a limit of the server: {{.Detail}}`},
	{APITooManyFields, InvalidArgument, `该操作展开片段后选择了 {{.Fields}} 个字段，超过上限 {{.Max}}`, `the operation selects {{.Fields}} fields once its fragments are expanded, more than the limit of {{.Max}}`},
	{APICostLimited, InvalidArgument, `该请求的查询代价为 {{.Cost}}（{{.FieldCount}} 个字段 + {{.Replays}} 个不同的 asOf/atPosition 时间点 × {{.ReplayCost}}），超过上限 {{.Max}}：请减少一次请求中的历史时间点`, `the operation costs {{.Cost}} ({{.FieldCount}} fields + {{.Replays}} distinct asOf/atPosition values × {{.ReplayCost}}), more than the limit of {{.Max}}: ask for fewer moments in one request`},
	{APIBusy, InvalidArgument, `请求在等待历史时点计算时超时（同一令牌的历史计算依次进行）：请减少一次请求中的时间点`, `the request ran out of time waiting for its turn to evaluate the ledger as of another moment (this token's historical evaluations run one after another): ask for fewer moments at once`},
	{APITimeout, Internal, `请求耗时超过 {{.Timeout}}，已停止`, `the request took longer than {{.Timeout}} and was stopped`},
	{APIWSConnBusy, InvalidArgument, `一个连接同时最多运行 {{.Max}} 个操作`, `a connection may run at most {{.Max}} operations at once`},
	{APIErrorsOmitted, InvalidArgument, `另有 {{.Count}} 条错误未列入本次应答`, `{{.Count}} more errors were left out of this response`},
	{APIWSServerBusy, InvalidArgument, `服务器通过 WebSocket 同时最多运行 {{.Max}} 个操作，请稍后再试`, `the server runs at most {{.Max}} operations over WebSockets at once; try again later`},
}
