package graphql

import (
	"encoding/base64"
	"sort"
	"strings"
	"taskledger/internal/msg"
)

// pageArgs are a Relay connection's arguments: first and after page
// forwards, last and before backwards.
type pageArgs struct {
	First  *int32
	After  *string
	Last   *int32
	Before *string
}

// connection is a Relay connection over nodes of type T: edges (cursor,
// node), pageInfo and totalCount. One Go type serves every GraphQL
// XxxConnection type; the schema names them.
type connection[T any] struct {
	edges []*edge[T]
	info  *pageInfo
	total int
}

// Edges resolves XxxConnection.edges.
func (c *connection[T]) Edges() []*edge[T] { return c.edges }

// PageInfo resolves XxxConnection.pageInfo.
func (c *connection[T]) PageInfo() *pageInfo { return c.info }

// TotalCount resolves XxxConnection.totalCount.
func (c *connection[T]) TotalCount() int32 { return int32(c.total) }

// Nodes resolves XxxConnection.nodes: the page's nodes in order.
func (c *connection[T]) Nodes() []T { return c.nodes() }

// nodes returns the page's nodes in order.
func (c *connection[T]) nodes() []T {
	out := make([]T, len(c.edges))
	for i, e := range c.edges {
		out[i] = e.node
	}
	return out
}

// edge is one node of a connection and the cursor that points at it.
type edge[T any] struct {
	cursor string
	node   T
}

// Cursor resolves XxxEdge.cursor.
func (e *edge[T]) Cursor() string { return e.cursor }

// Node resolves XxxEdge.node.
func (e *edge[T]) Node() T { return e.node }

// pageInfo resolves PageInfo.
type pageInfo struct {
	hasNext, hasPrev bool
	start, end       *string
}

// HasNextPage resolves PageInfo.hasNextPage.
func (p *pageInfo) HasNextPage() bool { return p.hasNext }

// HasPreviousPage resolves PageInfo.hasPreviousPage.
func (p *pageInfo) HasPreviousPage() bool { return p.hasPrev }

// StartCursor resolves PageInfo.startCursor.
func (p *pageInfo) StartCursor() *string { return p.start }

// EndCursor resolves PageInfo.endCursor.
func (p *pageInfo) EndCursor() *string { return p.end }

// defaultPage is how many items a connection gives when neither first nor
// last is asked for.
const defaultPage = 100

// mapConnection turns a page of one kind of node into a page of another,
// keeping cursors and pageInfo.
func mapConnection[A, B any](c *connection[A], f func(A) B) *connection[B] {
	out := &connection[B]{info: c.info, total: c.total, edges: make([]*edge[B], len(c.edges))}
	for i, e := range c.edges {
		out.edges[i] = &edge[B]{cursor: e.cursor, node: f(e.node)}
	}
	return out
}

// cursorPrefix marks the cursors this API hands out (version 1).
const cursorPrefix = "c1|"

func encodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + key))
}

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) {
		return "", refuse(msg.APICursorUnknown, msg.Args{"Cursor": c})
	}
	return strings.TrimPrefix(string(b), cursorPrefix), nil
}

// lister describes the list a connection pages over: each node's cursor
// key (unique in the list) and whether the list is sorted by those keys,
// so that a cursor whose node has gone still finds its place.
type lister[T any] struct {
	key    func(T) string
	sorted bool
	// def is the page size when neither first nor last is given.
	def int
}

// page cuts items (the whole list, in order) into the page args ask for,
// after the Relay cursor connections algorithm: after and before narrow
// the list, then first keeps its head or last its tail. first and last
// are 1 to the server's MaxPage; both at once are refused.
func page[T any](s *Server, items []T, l lister[T], args pageArgs) (*connection[T], error) {
	if args.First != nil && args.Last != nil {
		return nil, refuse(msg.APIFirstOrLast, nil)
	}
	start, end := 0, len(items)
	if args.After != nil && *args.After != "" {
		i, found, err := position(items, l, *args.After)
		if err != nil {
			return nil, err
		}
		start = i
		if found {
			start++
		}
	}
	if args.Before != nil && *args.Before != "" {
		i, _, err := position(items, l, *args.Before)
		if err != nil {
			return nil, err
		}
		end = max(start, i)
	}
	info := &pageInfo{hasPrev: start > 0, hasNext: end < len(items)}
	switch {
	case args.Last != nil:
		n, err := s.pageSize(*args.Last)
		if err != nil {
			return nil, err
		}
		if end-start > n {
			start, info.hasPrev = end-n, true
		}
	default:
		n := l.def
		if args.First != nil {
			var err error
			if n, err = s.pageSize(*args.First); err != nil {
				return nil, err
			}
		}
		if end-start > n {
			end, info.hasNext = start+n, true
		}
	}
	c := &connection[T]{info: info, total: len(items)}
	for _, it := range items[start:end] {
		c.edges = append(c.edges, &edge[T]{cursor: encodeCursor(l.key(it)), node: it})
	}
	if len(c.edges) > 0 {
		info.start, info.end = &c.edges[0].cursor, &c.edges[len(c.edges)-1].cursor
	}
	return c, nil
}

// position returns the index of the node a cursor names. A cursor whose
// node is no longer listed is refused, unless the list is sorted by key:
// then it gives the index of the first node after where it was (found is
// false).
func position[T any](items []T, l lister[T], cursor string) (i int, found bool, err error) {
	key, err := decodeCursor(cursor)
	if err != nil {
		return 0, false, err
	}
	if l.sorted {
		i = sort.Search(len(items), func(i int) bool { return l.key(items[i]) >= key })
		return i, i < len(items) && l.key(items[i]) == key, nil
	}
	for i, it := range items {
		if l.key(it) == key {
			return i, true, nil
		}
	}
	return 0, false, refuse(msg.APICursorGone, msg.Args{"Cursor": cursor})
}
