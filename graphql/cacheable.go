package graphql

import "taskledger/graphql/respcache"

// DefaultResponseCacheTTL is how long the server reuses a read-only query's
// response while the read models are unchanged, unless Config says
// otherwise.
const DefaultResponseCacheTTL = respcache.DefaultTTL

// cacheableRoots are the query fields whose answers depend only on the
// ledger's content (through the read models, or the plan's stream for
// publishedScorecards), the request's principal and the clock's day, so an
// identical request made while the models are unchanged gets the same
// answer. An event appended to the store reaches the models moments later
// and ends every kept response. The rest report the log head, the clock,
// checkpoint files or proofs and always run.
var cacheableRoots = map[string]bool{
	"me": true, "plan": true, "plans": true, "tasks": true, "task": true,
	"units": true, "unit": true, "obligations": true, "scorecard": true,
	"publishedScorecards": true, "airQuality": true,
	"__typename": true, "__schema": true, "__type": true,
}

// cacheableRoot reports whether a query whose root fields are all
// cacheable may share its response (see respcache).
func cacheableRoot(name string) bool { return cacheableRoots[name] }
