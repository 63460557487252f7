module taskledger/bench

go 1.26.0

require (
	github.com/google/uuid v1.6.0
	github.com/hallgren/eventsourcing v0.8.1
	github.com/hallgren/eventsourcing/core v0.5.2
	github.com/hallgren/eventsourcing/eventstore/sql v0.7.0
	github.com/mattn/go-sqlite3 v1.14.32
	taskledger v0.0.0
)

require (
	github.com/bytedance/gopkg v0.1.3 // indirect
	github.com/bytedance/sonic v1.15.5 // indirect
	github.com/bytedance/sonic/loader v0.5.3 // indirect
	github.com/cloudwego/base64x v0.1.6 // indirect
	github.com/klauspost/cpuid/v2 v2.2.9 // indirect
	github.com/twitchyliquid64/golang-asm v0.15.1 // indirect
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/arch v0.0.0-20210923205945-b76863e36670 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace taskledger => ../
