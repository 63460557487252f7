package transport

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	lru "github.com/hashicorp/golang-lru/v2"

	msgs "taskledger/internal/msg"
)

// DefaultPersistedQueries is how many documents a PersistedQueries keeps
// unless told otherwise. With the query length bounded by
// Limits.MaxQueryBytes, it bounds the memory the cache can take.
const DefaultPersistedQueries = 2000

// Codes and messages of Apollo's automatic persisted queries protocol;
// clients (Apollo Client, urql, graphql-request) look for the message.
const (
	CodePersistedQueryNotFound    Code = "PERSISTED_QUERY_NOT_FOUND"
	CodePersistedQueryUnsupported Code = "PERSISTED_QUERY_NOT_SUPPORTED"
	persistedQueryNotFound             = "PersistedQueryNotFound"
	persistedQueryNotSupported         = "PersistedQueryNotSupported"
)

// PersistedQueries keeps query documents by their SHA-256 for automatic
// persisted queries (APQ): a client first sends only
// extensions.persistedQuery.sha256Hash; on PersistedQueryNotFound it sends
// the query with the hash, which is kept, least recently used first out.
// It is safe for concurrent use.
type PersistedQueries struct {
	cache *lru.Cache[string, string]
}

// NewPersistedQueries returns a cache of at most size documents (size ≤ 0:
// DefaultPersistedQueries).
func NewPersistedQueries(size int) *PersistedQueries {
	if size <= 0 {
		size = DefaultPersistedQueries
	}
	c, err := lru.New[string, string](size)
	if err != nil { // only for a non-positive size, excluded above
		panic(fmt.Sprintf("transport: persisted query cache: %v", err))
	}
	return &PersistedQueries{cache: c}
}

// Len is how many documents are kept.
func (p *PersistedQueries) Len() int { return p.cache.Len() }

// apqError is a persisted-query failure: the HTTP status, the code and the
// catalogue message. A protocol error (not found, not supported) keeps the
// protocol's own message, which clients match on, in every language.
type apqError struct {
	status   int
	code     Code
	why      refusal
	protocol string
}

// queryError is the response error of e, worded in lang.
func (e *apqError) queryError(lang msgs.Lang) *gqlerrors.QueryError {
	if e.protocol != "" {
		qe := requestError(e.code, "", e.protocol)
		addCatalogue(qe, e.why)
		return qe
	}
	return catalogued(lang, e.code, "", e.why)
}

// persistedHash returns the sha256Hash of a request's
// extensions.persistedQuery; ok is false when the request has none. A
// malformed one is an error.
func persistedHash(ext map[string]any) (hash string, ok bool, err *apqError) {
	raw, found := ext["persistedQuery"]
	if !found || raw == nil {
		return "", false, nil
	}
	bad := func(key msgs.Key) (string, bool, *apqError) {
		return "", true, &apqError{status: 400, code: CodeInvalidArgument, why: refusal{key: key}}
	}
	pq, isObj := raw.(map[string]any)
	if !isObj {
		return bad(msgs.APIPersistedMalformed)
	}
	if v, _ := pq["version"].(float64); v != 1 {
		return bad(msgs.APIPersistedVersion)
	}
	h, _ := pq["sha256Hash"].(string)
	h = strings.ToLower(h)
	if b, decErr := hex.DecodeString(h); decErr != nil || len(b) != sha256.Size {
		return bad(msgs.APIPersistedHashFormat)
	}
	return h, true, nil
}

// resolve fills in a persisted request's query, or keeps the query it
// brings. p may be nil: the server keeps no documents, and a persisted
// request is answered PersistedQueryNotSupported.
func (p *PersistedQueries) resolve(req *request) *apqError {
	hash, ok, err := persistedHash(req.Extensions)
	if err != nil || !ok {
		return err
	}
	if p == nil {
		return &apqError{status: 200, code: CodePersistedQueryUnsupported, why: refusal{key: msgs.APIPersistedUnsupported}, protocol: persistedQueryNotSupported}
	}
	if req.Query == "" {
		q, found := p.cache.Get(hash)
		if !found {
			return &apqError{status: 200, code: CodePersistedQueryNotFound, why: refusal{key: msgs.APIPersistedNotFound}, protocol: persistedQueryNotFound}
		}
		req.Query = q
		return nil
	}
	sum := sha256.Sum256([]byte(req.Query))
	if hex.EncodeToString(sum[:]) != hash {
		return &apqError{status: 400, code: CodeInvalidArgument, why: refusal{key: msgs.APIPersistedHashMismatch}}
	}
	p.cache.Add(hash, req.Query)
	return nil
}
