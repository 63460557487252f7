package graphql

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"taskledger/internal/msg"

	"github.com/google/uuid"
	gql "github.com/graph-gophers/graphql-go"

	"taskledger/audit"
)

// latestCheckpoint reads the newest signed checkpoint, nil when none.
func (s *Server) latestCheckpoint() (*audit.Checkpoint, error) {
	if s.cfg.CheckpointDir == "" {
		return nil, nil
	}
	return audit.LatestCheckpoint(s.cfg.CheckpointDir)
}

// syncedMerkle brings the server's Merkle tree up to the store's head.
func (s *Server) syncedMerkle(ctx context.Context) (*audit.Index, error) {
	if _, err := s.merkle.Sync(ctx, s.store); err != nil {
		return nil, fmt.Errorf("merkle tree: %w", err)
	}
	return s.merkle, nil
}

// treeSize resolves an optional tree size: the latest checkpoint's, else
// the whole log.
func (s *Server) treeSize(given *int32, x *audit.Index) (uint64, error) {
	if given != nil {
		if *given < 0 {
			return 0, refuse(msg.APITreeSizeNegative, nil)
		}
		return uint64(*given), nil
	}
	cp, err := s.latestCheckpoint()
	if err != nil {
		return 0, err
	}
	if cp != nil {
		return cp.Size, nil
	}
	return x.Size(), nil
}

type checkpointResolver struct{ c *audit.Checkpoint }

func (r *checkpointResolver) Format() string     { return r.c.Format }
func (r *checkpointResolver) Origin() string     { return r.c.Origin }
func (r *checkpointResolver) Note() string       { return string(r.c.Note) }
func (r *checkpointResolver) Size() int32        { return clampInt32(r.c.Size) }
func (r *checkpointResolver) Position() Position { return Position(r.c.Position) }
func (r *checkpointResolver) Root() string       { return r.c.Root.String() }
func (r *checkpointResolver) Time() gql.Time     { return gql.Time{Time: r.c.Time} }
func (r *checkpointResolver) KeyID() string      { return r.c.KeyID }
func (r *checkpointResolver) Signature() string {
	return base64.StdEncoding.EncodeToString(r.c.Signature)
}
func (r *checkpointResolver) SignedText() string { return string(r.c.SignedText()) }

// Checkpoint resolves checkpoint.
func (r *root) Checkpoint(ctx context.Context) (*checkpointResolver, error) {
	if _, err := authorize(ctx, actReadProofs); err != nil {
		return nil, err
	}
	cp, err := r.s.latestCheckpoint()
	if err != nil || cp == nil {
		return nil, err
	}
	return &checkpointResolver{c: cp}, nil
}

type inclusionResolver struct{ p *audit.InclusionProof }

func (r *inclusionResolver) EventID() gql.ID    { return gql.ID(r.p.EventID.String()) }
func (r *inclusionResolver) Position() Position { return Position(r.p.Position) }
func (r *inclusionResolver) Stream() string     { return r.p.Stream }
func (r *inclusionResolver) Version() int32     { return clampInt32(r.p.Version) }
func (r *inclusionResolver) LeafIndex() int32   { return clampInt32(r.p.LeafIndex) }
func (r *inclusionResolver) TreeSize() int32    { return clampInt32(r.p.TreeSize) }
func (r *inclusionResolver) EventHash() string  { return r.p.EventHash.String() }
func (r *inclusionResolver) Path() []string     { return hexes(r.p.Path) }
func (r *inclusionResolver) Root() string       { return r.p.Root.String() }

// InclusionProof resolves inclusionProof.
func (r *root) InclusionProof(ctx context.Context, args struct {
	EventID  *gql.ID
	Position *Position
	TreeSize *int32
}) (*inclusionResolver, error) {
	if _, err := authorize(ctx, actReadProofs); err != nil {
		return nil, err
	}
	if (args.EventID == nil) == (args.Position == nil) {
		return nil, refuse(msg.APIOneOfEventPosition, nil)
	}
	x, err := r.s.syncedMerkle(ctx)
	if err != nil {
		return nil, err
	}
	var leaf uint64
	if args.EventID != nil {
		id, err := uuid.Parse(string(*args.EventID))
		if err != nil {
			return nil, refuse(msg.APIEventIDNotUUID, msg.Args{"ID": *args.EventID})
		}
		if leaf, err = x.LeafOfID(id); err != nil {
			return nil, refuse(msg.APIEventNotInLog, msg.Args{"ID": id.String()})
		}
	} else if leaf, err = x.LeafOfPosition(uint64(*args.Position)); err != nil {
		return nil, refuse(msg.APINoEventAt, msg.Args{"Position": uint64(*args.Position)})
	}
	size, err := r.s.treeSize(args.TreeSize, x)
	if err != nil {
		return nil, err
	}
	p, err := x.Inclusion(leaf, size)
	if err != nil {
		return nil, refuse(msg.APIProofRefused, msg.Args{"Reason": err.Error()})
	}
	return &inclusionResolver{p: p}, nil
}

type consistencyResolver struct{ p *audit.ConsistencyProof }

func (r *consistencyResolver) From() int32      { return clampInt32(r.p.OldSize) }
func (r *consistencyResolver) To() int32        { return clampInt32(r.p.NewSize) }
func (r *consistencyResolver) FromRoot() string { return r.p.OldRoot.String() }
func (r *consistencyResolver) ToRoot() string   { return r.p.NewRoot.String() }
func (r *consistencyResolver) Path() []string   { return hexes(r.p.Path) }

// ConsistencyProof resolves consistencyProof.
func (r *root) ConsistencyProof(ctx context.Context, args struct {
	From int32
	To   *int32
}) (*consistencyResolver, error) {
	if _, err := authorize(ctx, actReadProofs); err != nil {
		return nil, err
	}
	if args.From < 0 {
		return nil, refuse(msg.APIFromNegative, nil)
	}
	x, err := r.s.syncedMerkle(ctx)
	if err != nil {
		return nil, err
	}
	size, err := r.s.treeSize(args.To, x)
	if err != nil {
		return nil, err
	}
	p, err := x.Consistency(uint64(args.From), size)
	if err != nil {
		return nil, refuse(msg.APIProofRefused, msg.Args{"Reason": err.Error()})
	}
	return &consistencyResolver{p: p}, nil
}

// CheckpointRoot is the Merkle root of the log up to the publication's
// position: the checkpoint its result was computed at.
func (r *publishedResolver) CheckpointRoot(ctx context.Context) (string, error) {
	x, err := r.s.syncedMerkle(ctx)
	if err != nil {
		return "", err
	}
	root, err := x.Root(x.LeavesUpTo(r.d.AsOfPosition))
	if err != nil {
		return "", err
	}
	return root.String(), nil
}

func hexes(hs []audit.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.String()
	}
	return out
}

func clampInt32(v uint64) int32 {
	if v > math.MaxInt32 {
		return math.MaxInt32
	}
	return int32(v)
}
