package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
)

// Proof file formats.
const (
	InclusionFormat   = "taskledger-inclusion-proof/1"
	ConsistencyFormat = "taskledger-consistency-proof/1"
)

// InclusionProof proves that an event is leaf LeafIndex of the tree of
// TreeSize leaves. Path is RFC 6962's audit path, leaf side first.
type InclusionProof struct {
	Format    string    `json:"format"`
	LeafIndex uint64    `json:"leaf_index"`
	TreeSize  uint64    `json:"tree_size"`
	EventID   uuid.UUID `json:"event_id"`
	Position  uint64    `json:"position"`
	Stream    string    `json:"stream"`
	Version   uint64    `json:"version"`
	// EventHash is the event's hash; the leaf hash is SHA-256(0x00 || EventHash).
	EventHash Hash   `json:"event_hash"`
	Path      []Hash `json:"path"`
	// Root is the root the path leads to (informational: a verifier takes
	// the root from a signed checkpoint).
	Root Hash `json:"root"`
}

// ConsistencyProof proves that the tree of OldSize leaves is a prefix of
// the tree of NewSize leaves.
type ConsistencyProof struct {
	Format  string `json:"format"`
	OldSize uint64 `json:"old_size"`
	NewSize uint64 `json:"new_size"`
	OldRoot Hash   `json:"old_root"`
	NewRoot Hash   `json:"new_root"`
	Path    []Hash `json:"path"`
}

// Index is the Merkle tree of a store's log with what proofs need to find
// a leaf: each leaf's position and event ID. It catches up with the store
// on Sync and is safe for concurrent use.
type Index struct {
	mu        sync.Mutex
	tree      Tree
	positions []uint64
	ids       []uuid.UUID
	events    []eventRef
}

type eventRef struct {
	stream  string
	version uint64
	hash    Hash
}

// Sync appends the events the store holds beyond those already indexed,
// checking each one's hash and returns the number of leaves.
func (x *Index) Sync(ctx context.Context, s eventstore.Store) (uint64, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	var after uint64
	if n := len(x.positions); n > 0 {
		after = x.positions[n-1]
	}
	err := scanAfter(ctx, s, after, func(e *domain.Event) error {
		if err := e.Verify(); err != nil {
			return &BreakError{Kind: BreakHash, Leaf: x.tree.Size(), Position: e.Position, Stream: e.Stream, Version: e.Version, Detail: err.Error()}
		}
		x.tree.Append(LeafHash(e.Hash))
		x.positions = append(x.positions, e.Position)
		x.ids = append(x.ids, e.ID)
		x.events = append(x.events, eventRef{stream: e.Stream, version: e.Version, hash: e.Hash})
		return nil
	})
	if err != nil {
		return x.tree.Size(), fmt.Errorf("index the log: %w", err)
	}
	return x.tree.Size(), nil
}

// Size returns the number of indexed leaves.
func (x *Index) Size() uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.tree.Size()
}

// LeavesUpTo returns how many indexed events have a position ≤ pos: the
// tree size of the log as it stood at that position.
func (x *Index) LeavesUpTo(pos uint64) uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return uint64(sort.Search(len(x.positions), func(i int) bool { return x.positions[i] > pos }))
}

// Root returns the root of the first size leaves.
func (x *Index) Root(size uint64) (Hash, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.tree.Root(size)
}

// Head returns the position of the size-th leaf (0 for size 0).
func (x *Index) Head(size uint64) uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	if size == 0 || size > uint64(len(x.positions)) {
		return 0
	}
	return x.positions[size-1]
}

// ErrNoEvent reports an event the index does not hold.
var ErrNoEvent = errors.New("no such event in the log")

// LeafOfID returns the leaf index of an event ID.
func (x *Index) LeafOfID(id uuid.UUID) (uint64, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for i := range x.ids {
		if x.ids[i] == id {
			return uint64(i), nil
		}
	}
	return 0, fmt.Errorf("event %s: %w", id, ErrNoEvent)
}

// LeafOfPosition returns the leaf index of the event at a log position.
func (x *Index) LeafOfPosition(pos uint64) (uint64, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	i := sort.Search(len(x.positions), func(i int) bool { return x.positions[i] >= pos })
	if i == len(x.positions) || x.positions[i] != pos {
		return 0, fmt.Errorf("position %d: %w", pos, ErrNoEvent)
	}
	return uint64(i), nil
}

// Inclusion returns the inclusion proof of a leaf in the tree of size leaves.
func (x *Index) Inclusion(leaf, size uint64) (*InclusionProof, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	path, err := x.tree.InclusionProof(leaf, size)
	if err != nil {
		return nil, err
	}
	root, err := x.tree.Root(size)
	if err != nil {
		return nil, err
	}
	ev := x.events[leaf]
	return &InclusionProof{
		Format: InclusionFormat, LeafIndex: leaf, TreeSize: size,
		EventID: x.ids[leaf], Position: x.positions[leaf], Stream: ev.stream, Version: ev.version,
		EventHash: ev.hash, Path: path, Root: root,
	}, nil
}

// Consistency returns the consistency proof from the tree of old leaves to
// the tree of size leaves.
func (x *Index) Consistency(old, size uint64) (*ConsistencyProof, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	path, err := x.tree.ConsistencyProof(old, size)
	if err != nil {
		return nil, err
	}
	r1, err := x.tree.Root(old)
	if err != nil {
		return nil, err
	}
	r2, err := x.tree.Root(size)
	if err != nil {
		return nil, err
	}
	return &ConsistencyProof{Format: ConsistencyFormat, OldSize: old, NewSize: size, OldRoot: r1, NewRoot: r2, Path: path}, nil
}

// Verify checks the proof against a checkpoint signed by pub: the
// checkpoint's signature, its size, and the path from the event's leaf to
// its root.
func (p *InclusionProof) Verify(cp *Checkpoint, pub ed25519.PublicKey) error {
	if p.Format != InclusionFormat {
		return fmt.Errorf("inclusion proof format %q, want %q", p.Format, InclusionFormat)
	}
	if err := cp.Verify(pub); err != nil {
		return err
	}
	if p.TreeSize != cp.Size {
		return fmt.Errorf("the proof is for a tree of %d leaves, the checkpoint covers %d: %w", p.TreeSize, cp.Size, ErrProof)
	}
	if err := VerifyInclusion(p.LeafIndex, p.TreeSize, LeafHash(p.EventHash), p.Path, cp.Root); err != nil {
		return fmt.Errorf("event %s (leaf %d) against checkpoint %d: %w", p.EventID, p.LeafIndex, cp.Size, err)
	}
	return nil
}

// Verify checks the proof between two checkpoints signed by pub.
func (p *ConsistencyProof) Verify(old, cur *Checkpoint, pub ed25519.PublicKey) error {
	if p.Format != ConsistencyFormat {
		return fmt.Errorf("consistency proof format %q, want %q", p.Format, ConsistencyFormat)
	}
	if err := old.Verify(pub); err != nil {
		return fmt.Errorf("old checkpoint: %w", err)
	}
	if err := cur.Verify(pub); err != nil {
		return fmt.Errorf("new checkpoint: %w", err)
	}
	if p.OldSize != old.Size || p.NewSize != cur.Size {
		return fmt.Errorf("the proof is from %d to %d leaves, the checkpoints cover %d and %d: %w", p.OldSize, p.NewSize, old.Size, cur.Size, ErrProof)
	}
	if err := VerifyConsistency(old.Size, cur.Size, old.Root, cur.Root, p.Path); err != nil {
		return fmt.Errorf("checkpoint %d → %d: %w", old.Size, cur.Size, err)
	}
	return nil
}

// ReadProof reads a proof file: an *InclusionProof or a *ConsistencyProof,
// by its format field.
func ReadProof(path string) (any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read proof: %w", err)
	}
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("read proof %s: %w", path, err)
	}
	switch head.Format {
	case InclusionFormat:
		var p InclusionProof
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("read proof %s: %w", path, err)
		}
		return &p, nil
	case ConsistencyFormat:
		var p ConsistencyProof
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("read proof %s: %w", path, err)
		}
		return &p, nil
	}
	return nil, fmt.Errorf("read proof %s: unknown format %q", path, head.Format)
}

// MakeCheckpoint signs a checkpoint of the whole log the index holds, as a
// C2SP tlog-checkpoint note for origin.
func (x *Index) MakeCheckpoint(key ed25519.PrivateKey, origin string, at time.Time) (*Checkpoint, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	n := x.tree.Size()
	root, err := x.tree.Root(n)
	if err != nil {
		return nil, err
	}
	var pos uint64
	if n > 0 {
		pos = x.positions[n-1]
	}
	return SignNote(key, origin, n, pos, root, at)
}
