package msg

// The GraphQL transport's refusals of a whole request, before or instead
// of running it: its method, headers, body, document and limits. Their
// extensions.code is the transport's own (INVALID_ARGUMENT,
// UNAUTHENTICATED, GRAPHQL_COST_LIMITED); the class here is the nearest
// catalogue class.
const (
	APIMethodNotAllowed    Key = "api.method_not_allowed"
	APIGetNotQuery         Key = "api.get_not_query"
	APISubscriptionOverWS  Key = "api.subscription_needs_websocket"
	APIAuthorizationHeader Key = "api.authorization_header"
	APITokenInvalid        Key = "api.token_invalid"
	APITokenExpired        Key = "api.token_expired"
	APITokenRevoked        Key = "api.token_revoked"
	APIAuthRequired        Key = "api.auth_required"
	APIAuthRequiredWS      Key = "api.auth_required_ws"
	APIContentType         Key = "api.content_type"
	APIBodyTooLarge        Key = "api.body_too_large"
	APIBodyUnreadable      Key = "api.body_unreadable"
	APIBodyNotJSON         Key = "api.body_not_json"
	APIBodyManyValues      Key = "api.body_many_values"
	APIParamNotJSON        Key = "api.param_not_json"
	APIQueryMissing        Key = "api.query_missing"
	APIQueryTooLong        Key = "api.query_too_long"
	APIQuerySyntax         Key = "api.query_syntax"
	APIQueryInvalid        Key = "api.query_invalid"
	APIQueryLimit          Key = "api.query_limit"
	APITooManyFields       Key = "api.too_many_fields"
	APICostLimited         Key = "api.cost_limited"
	APIBusy                Key = "api.busy"
	APITimeout             Key = "api.timeout"
	APIWSConnBusy          Key = "api.ws_connection_busy"
	APIWSServerBusy        Key = "api.ws_server_busy"
	APIErrorsOmitted       Key = "api.errors_omitted"

	// Automatic persisted queries.
	APIPersistedMalformed    Key = "api.persisted_query_malformed"
	APIPersistedVersion      Key = "api.persisted_query_version"
	APIPersistedHashFormat   Key = "api.persisted_query_hash_format"
	APIPersistedHashMismatch Key = "api.persisted_query_hash_mismatch"
	APIPersistedNotFound     Key = "api.persisted_query_not_found"
	APIPersistedUnsupported  Key = "api.persisted_query_not_supported"

	// The server is stopping and takes no new connections.
	APIShuttingDown Key = "api.shutting_down"

	// Multipart (file upload) requests: their form fields and files.
	APIUploadMultipart  Key = "api.upload_multipart"
	APIUploadOperations Key = "api.upload_operations"
	APIUploadMap        Key = "api.upload_map"
	APIUploadPath       Key = "api.upload_path"
	APIUploadUnreadable Key = "api.upload_unreadable"
	APIUploadMissing    Key = "api.upload_missing"
)
