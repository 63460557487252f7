module taskledger

go 1.26

require (
	github.com/ThreeDotsLabs/watermill v1.5.1
	github.com/coder/websocket v1.8.15
	github.com/goccy/go-json v0.10.5
	github.com/google/uuid v1.6.0
	github.com/graph-gophers/graphql-go v1.11.0
	go.etcd.io/bbolt v1.5.0
)

require (
	github.com/cenkalti/backoff/v5 v5.0.3 // indirect
	github.com/lithammer/shortuuid/v3 v3.0.7 // indirect
	github.com/oklog/ulid v1.3.1 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/sony/gobreaker v1.0.0 // indirect
	golang.org/x/sys v0.45.0 // indirect
)
