// Package esdbtest is a TEST DOUBLE of an EventStoreDB node: an in-process
// gRPC server on a loopback listener that speaks the parts of the streams
// protocol the eventstore/esdb adapter uses — Append, Read of a stream and
// of $all (forwards and backwards, from a revision or a position, with a
// count) — plus the server-features and gossip calls the client makes when
// it connects. It is built on the client module's own generated server
// interfaces, so the real client (EventStore-Client-Go v4) talks to it over
// real gRPC.
//
// It is NOT EventStoreDB and never a store of a real ledger: it keeps
// everything in memory, has no subscriptions, no filters, no ACLs, no
// transactions, no scavenging and no cluster. docs/eventstoredb.md lists
// what it covers and what only a real server proves. Only tests import it.
package esdbtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// record is one event in the double's log.
type record struct {
	id       uuid.UUID
	stream   string
	revision uint64
	commit   uint64
	prepare  uint64
	meta     map[string]string
	custom   []byte
	data     []byte
}

// Server is the test double. Its zero value is not usable; call Start.
type Server struct {
	api.UnimplementedStreamsServer

	lis  net.Listener
	grpc *grpc.Server

	mu      sync.Mutex
	log     []record
	streams map[string][]int // stream -> indexes into log, index = revision
	next    uint64           // next commit position
	fail    []error          // errors the next RPCs return, in order
	appends int
	// SystemEveryN interleaves a system event ($statsCollected in a $stats
	// stream) after every N user appends, as a real node's $all holds
	// system events between user events. Zero turns it off.
	systemEveryN int
	// noStreamPositions makes stream reads carry no $all position, as
	// servers before 22.10 did (commit position max uint64).
	noStreamPositions bool
}

// Option adjusts the double.
type Option func(*Server)

// WithSystemEvents interleaves a system event after every n appends.
func WithSystemEvents(n int) Option { return func(s *Server) { s.systemEveryN = n } }

// WithoutStreamReadPositions makes stream reads report no $all position
// (math.MaxUint64), as EventStoreDB servers before 22.10 do; $all reads
// still carry positions.
func WithoutStreamReadPositions() Option { return func(s *Server) { s.noStreamPositions = true } }

// Start runs the double on 127.0.0.1:0 and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Listen runs the double on addr (a loopback address).
func Listen(addr string, opts ...Option) (*Server, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("esdb test double: listen on %s: %w", addr, err)
	}
	s := &Server{
		lis:          lis,
		grpc:         grpc.NewServer(),
		streams:      map[string][]int{},
		next:         1024, // a real log starts past its chunk header and epoch records
		systemEveryN: 3,
	}
	for _, o := range opts {
		o(s)
	}
	api.RegisterStreamsServer(s.grpc, s)
	serverfeatures.RegisterServerFeaturesServer(s.grpc, features{})
	gossip.RegisterGossipServer(s.grpc, gossiper{s: s})
	// A fresh node's $all starts with system events.
	s.mu.Lock()
	s.systemEventLocked("$epochs", "$epoch-information")
	s.mu.Unlock()
	go func() { _ = s.grpc.Serve(lis) }()
	return s, nil
}

// Addr is the double's host:port.
func (s *Server) Addr() string { return s.lis.Addr().String() }

// URL is a connection string for the double: plain text, single node.
func (s *Server) URL() string { return "esdb://" + s.Addr() + "?tls=false" }

// Stop ends the server and drops every connection.
func (s *Server) Stop() { s.grpc.Stop() }

// FailNext makes the next RPCs (any method) fail with the given errors, one
// each, in order. Use status.Error to shape a gRPC status.
func (s *Server) FailNext(errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = append(s.fail, errs...)
}

// errEarly marks an injected append failure sent before the request is read.
var errEarly = errors.New("fail early")

// FailNextAppendEarly makes the next Append fail before the double has read
// the request, as a real server does when it refuses a call up front (ACL).
// The client then loses the status: its Send returns io.EOF.
func (s *Server) FailNextAppendEarly() { s.FailNext(errEarly) }

// FailNextCode is FailNext with a gRPC status of the given code.
func (s *Server) FailNextCode(code codes.Code) {
	s.FailNext(status.Error(code, "injected by the esdb test double"))
}

func (s *Server) injected() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.fail) == 0 {
		return nil
	}
	err := s.fail[0]
	s.fail = s.fail[1:]
	return err
}

// systemEventLocked appends a system event; the caller holds s.mu.
func (s *Server) systemEventLocked(stream, typ string) {
	s.writeLocked(stream, []*api.AppendReq_ProposedMessage{{
		Id:       protoUUID(uuid.New()),
		Metadata: map[string]string{"type": typ, "content-type": "application/json"},
		Data:     []byte(`{}`),
	}})
}

// writeLocked appends messages to a stream and returns the last record.
// Positions are sparse and strictly increasing, like byte offsets in a log.
func (s *Server) writeLocked(stream string, msgs []*api.AppendReq_ProposedMessage) record {
	var last record
	for _, m := range msgs {
		id, _ := uuidFromProto(m.GetId())
		meta := map[string]string{
			"type":         m.GetMetadata()["type"],
			"content-type": m.GetMetadata()["content-type"],
			// .NET ticks (100 ns) since the Unix epoch, as the client expects.
			"created": strconv.FormatInt(time.Now().UnixNano()/100, 10),
		}
		r := record{
			id:       id,
			stream:   stream,
			revision: uint64(len(s.streams[stream])),
			commit:   s.next,
			prepare:  s.next,
			meta:     meta,
			custom:   append([]byte(nil), m.GetCustomMetadata()...),
			data:     append([]byte(nil), m.GetData()...),
		}
		s.next += uint64(96 + len(stream) + len(r.data) + len(r.custom))
		s.streams[stream] = append(s.streams[stream], len(s.log))
		s.log = append(s.log, r)
		last = r
	}
	return last
}

// Append implements the streams Append call: an options header, then the
// proposed messages, then one response.
func (s *Server) Append(stream api.Streams_AppendServer) error {
	if err := s.injected(); err != nil {
		if errors.Is(err, errEarly) {
			// Fail before reading the request: the client's Send then
			// sees io.EOF and the status is lost (a client trap).
			return status.Error(codes.PermissionDenied, "injected early by the esdb test double")
		}
		// Read the whole request first, so the client gets the status
		// from CloseAndRecv rather than io.EOF from a Send.
		for {
			if _, rerr := stream.Recv(); rerr != nil {
				break
			}
		}
		return err
	}
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "append: first message is not options")
	}
	name := string(opts.GetStreamIdentifier().GetStreamName())
	var msgs []*api.AppendReq_ProposedMessage
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		msgs = append(msgs, req.GetProposedMessage())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := s.streams[name]
	current := int64(len(idx)) - 1 // -1: no stream
	ok := false
	switch x := opts.GetExpectedStreamRevision().(type) {
	case *api.AppendReq_Options_Any:
		ok = true
	case *api.AppendReq_Options_NoStream:
		ok = current == -1
	case *api.AppendReq_Options_StreamExists:
		ok = current >= 0
	case *api.AppendReq_Options_Revision:
		ok = current == int64(x.Revision)
		// Idempotent retry: the same IDs already follow that revision.
		if !ok && int64(x.Revision) < current && s.sameIDsLocked(idx, int(x.Revision)+1, msgs) {
			last := s.log[idx[int(x.Revision)+len(msgs)]]
			return stream.SendAndClose(success(last))
		}
	}
	if !ok {
		wrong := &api.AppendResp_WrongExpectedVersion{}
		if current < 0 {
			wrong.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
		} else {
			wrong.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: uint64(current)}
		}
		return stream.SendAndClose(&api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: wrong}})
	}
	if len(msgs) == 0 {
		return status.Error(codes.InvalidArgument, "append: no events")
	}
	last := s.writeLocked(name, msgs)
	s.appends++
	if s.systemEveryN > 0 && s.appends%s.systemEveryN == 0 {
		s.systemEventLocked("$stats-127.0.0.1:2113", "$statsCollected")
	}
	return stream.SendAndClose(success(last))
}

func (s *Server) sameIDsLocked(idx []int, from int, msgs []*api.AppendReq_ProposedMessage) bool {
	if from+len(msgs) > len(idx) {
		return false
	}
	for i, m := range msgs {
		id, _ := uuidFromProto(m.GetId())
		if s.log[idx[from+i]].id != id {
			return false
		}
	}
	return true
}

func success(last record) *api.AppendResp {
	return &api.AppendResp{Result: &api.AppendResp_Success_{Success: &api.AppendResp_Success{
		CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: last.revision},
		PositionOption: &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{
			CommitPosition: last.commit, PreparePosition: last.prepare,
		}},
	}}}
}

// Read implements reads of one stream or of $all with a count. Subscriptions
// and filters are not part of the double.
func (s *Server) Read(req *api.ReadReq, out api.Streams_ReadServer) error {
	if err := s.injected(); err != nil {
		return err
	}
	o := req.GetOptions()
	if o.GetSubscription() != nil {
		return status.Error(codes.Unimplemented, "the esdb test double has no subscriptions")
	}
	if o.GetFilter() != nil {
		return status.Error(codes.Unimplemented, "the esdb test double has no server-side filters")
	}
	count := o.GetCount()
	backwards := o.GetReadDirection() == api.ReadReq_Options_Backwards
	var batch []record
	s.mu.Lock()
	switch so := o.GetStreamOption().(type) {
	case *api.ReadReq_Options_Stream:
		name := string(so.Stream.GetStreamIdentifier().GetStreamName())
		idx := s.streams[name]
		if len(idx) == 0 {
			s.mu.Unlock()
			return out.Send(&api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{
				StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
			}}})
		}
		n := int64(len(idx))
		var from int64
		switch r := so.Stream.GetRevisionOption().(type) {
		case *api.ReadReq_Options_StreamOptions_Revision:
			from = int64(r.Revision)
		case *api.ReadReq_Options_StreamOptions_End:
			from = n - 1
		}
		if backwards {
			if from > n-1 {
				from = n - 1
			}
			for i := from; i >= 0 && uint64(len(batch)) < count; i-- {
				batch = append(batch, s.log[idx[i]])
			}
		} else {
			for i := from; i < n && uint64(len(batch)) < count; i++ {
				batch = append(batch, s.log[idx[i]])
			}
		}
	case *api.ReadReq_Options_All:
		switch p := so.All.GetAllOption().(type) {
		case *api.ReadReq_Options_AllOptions_Start:
			if backwards {
				break
			}
			for i := 0; i < len(s.log) && uint64(len(batch)) < count; i++ {
				batch = append(batch, s.log[i])
			}
		case *api.ReadReq_Options_AllOptions_End:
			if !backwards {
				break
			}
			for i := len(s.log) - 1; i >= 0 && uint64(len(batch)) < count; i-- {
				batch = append(batch, s.log[i])
			}
		case *api.ReadReq_Options_AllOptions_Position:
			c, pp := p.Position.GetCommitPosition(), p.Position.GetPreparePosition()
			before := func(r record) bool { return r.commit < c || (r.commit == c && r.prepare < pp) }
			if backwards {
				// Backwards from a position: the events before it.
				for i := len(s.log) - 1; i >= 0 && uint64(len(batch)) < count; i-- {
					if before(s.log[i]) {
						batch = append(batch, s.log[i])
					}
				}
			} else {
				// Forwards from a position: the event at it and those after.
				for i := 0; i < len(s.log) && uint64(len(batch)) < count; i++ {
					if !before(s.log[i]) {
						batch = append(batch, s.log[i])
					}
				}
			}
		}
	default:
		s.mu.Unlock()
		return status.Error(codes.InvalidArgument, "read: no stream option")
	}
	hide := s.noStreamPositions && o.GetStream() != nil
	s.mu.Unlock()
	for _, r := range batch {
		if hide {
			r.commit, r.prepare = ^uint64(0), ^uint64(0)
		}
		if err := out.Send(readResp(r)); err != nil {
			return err
		}
	}
	return nil
}

func readResp(r record) *api.ReadResp {
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: &api.ReadResp_ReadEvent{
		Event: &api.ReadResp_ReadEvent_RecordedEvent{
			Id:               protoUUID(r.id),
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(r.stream)},
			StreamRevision:   r.revision,
			PreparePosition:  r.prepare,
			CommitPosition:   r.commit,
			Metadata:         r.meta,
			CustomMetadata:   r.custom,
			Data:             r.data,
		},
		Position: &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.commit},
	}}}
}

func protoUUID(id uuid.UUID) *shared.UUID {
	most, least := esdb.UUIDAsInt64(id)
	return &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits: most, LeastSignificantBits: least,
	}}}
}

func uuidFromProto(u *shared.UUID) (uuid.UUID, error) {
	if st := u.GetStructured(); st != nil {
		return esdb.ParseUUIDFromInt64(st.GetMostSignificantBits(), st.GetLeastSignificantBits())
	}
	return uuid.Parse(u.GetString_())
}

// features answers the client's connect-time server-features call.
type features struct {
	serverfeatures.UnimplementedServerFeaturesServer
}

func (features) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	return &serverfeatures.SupportedMethods{
		EventStoreServerVersion: "24.10.0",
		Methods: []*serverfeatures.SupportedMethod{
			{ServiceName: "event_store.client.streams.streams", MethodName: "read"},
			{ServiceName: "event_store.client.streams.streams", MethodName: "append"},
		},
	}, nil
}

// gossiper answers cluster discovery (esdb+discover:// or several hosts)
// with one live leader: the double itself.
type gossiper struct {
	gossip.UnimplementedGossipServer
	s *Server
}

func (g gossiper) Read(context.Context, *shared.Empty) (*gossip.ClusterInfo, error) {
	if err := g.s.injected(); err != nil {
		return nil, err
	}
	host, port, err := net.SplitHostPort(g.s.Addr())
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	p, _ := strconv.Atoi(port)
	return &gossip.ClusterInfo{Members: []*gossip.MemberInfo{{
		InstanceId:   protoUUID(uuid.New()),
		TimeStamp:    time.Now().UnixNano(),
		State:        gossip.MemberInfo_Leader,
		IsAlive:      true,
		HttpEndPoint: &gossip.EndPoint{Address: host, Port: uint32(p)},
	}}}, nil
}
