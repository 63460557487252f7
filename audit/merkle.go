package audit

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/bits"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"taskledger/domain"
)

// Hash is a SHA-256 value: an event hash, a Merkle leaf or node hash, a root.
type Hash = domain.Hash

// The RFC 6962 domain-separation prefixes.
const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

// LeafHash returns the RFC 6962 leaf hash of an event:
// SHA-256(0x00 || the event's 32-byte hash). It equals
// rfc6962.DefaultHasher.HashLeaf (TestHashesMatchLibrary) but allocates
// nothing, as verify hashes every event.
func LeafHash(eventHash Hash) Hash {
	var buf [1 + sha256.Size]byte
	buf[0] = leafPrefix
	copy(buf[1:], eventHash[:])
	return sha256.Sum256(buf[:])
}

// NodeHash returns the RFC 6962 interior node hash SHA-256(0x01 || l || r),
// as rfc6962.DefaultHasher.HashChildren, without allocating.
func NodeHash(l, r Hash) Hash {
	var buf [1 + 2*sha256.Size]byte
	buf[0] = nodePrefix
	copy(buf[1:], l[:])
	copy(buf[1+sha256.Size:], r[:])
	return sha256.Sum256(buf[:])
}

// EmptyRoot is the root of the tree with no leaves: SHA-256 of nothing.
func EmptyRoot() Hash { return sha256.Sum256(nil) }

// splitPoint returns the largest power of two smaller than n (n > 1).
func splitPoint(n uint64) uint64 { return 1 << (bits.Len64(n-1) - 1) }

// Builder computes a Merkle root incrementally, in order, keeping only the
// roots of the perfect subtrees on the tree's right edge (O(log n) memory).
// The zero value is an empty tree.
type Builder struct {
	size  uint64
	stack []Hash // perfect subtree roots, largest first
}

// Append adds the next leaf hash.
func (b *Builder) Append(leaf Hash) {
	b.stack = append(b.stack, leaf)
	for n := b.size; n&1 == 1; n >>= 1 {
		top := len(b.stack)
		b.stack[top-2] = NodeHash(b.stack[top-2], b.stack[top-1])
		b.stack = b.stack[:top-1]
	}
	b.size++
}

// Size returns the number of leaves appended.
func (b *Builder) Size() uint64 { return b.size }

// Root returns the RFC 6962 Merkle tree hash of the leaves so far.
func (b *Builder) Root() Hash {
	if b.size == 0 {
		return EmptyRoot()
	}
	r := b.stack[len(b.stack)-1]
	for i := len(b.stack) - 2; i >= 0; i-- {
		r = NodeHash(b.stack[i], r)
	}
	return r
}

// Tree keeps every leaf and every perfect subtree hash (about 2n hashes,
// 64 bytes per leaf), so that any earlier root and any proof costs
// O(log n) hashes. It is not safe for concurrent use.
type Tree struct {
	// levels[k][j] is the hash of the perfect subtree of 2^k leaves that
	// starts at leaf j·2^k; levels[0] are the leaf hashes.
	levels [][]Hash
}

// Append adds the next leaf hash.
func (t *Tree) Append(leaf Hash) {
	if len(t.levels) == 0 {
		t.levels = append(t.levels, nil)
	}
	t.levels[0] = append(t.levels[0], leaf)
	for k := 0; len(t.levels[k])%2 == 0; k++ {
		lv := t.levels[k]
		h := NodeHash(lv[len(lv)-2], lv[len(lv)-1])
		if k+1 == len(t.levels) {
			t.levels = append(t.levels, nil)
		}
		t.levels[k+1] = append(t.levels[k+1], h)
	}
}

// Size returns the number of leaves.
func (t *Tree) Size() uint64 {
	if len(t.levels) == 0 {
		return 0
	}
	return uint64(len(t.levels[0]))
}

// Leaf returns the i-th leaf hash.
func (t *Tree) Leaf(i uint64) Hash { return t.levels[0][i] }

// ErrTreeSize reports a tree size or index outside what a tree holds.
var ErrTreeSize = errors.New("tree size out of range")

// Root returns the root of the tree made of the first n leaves.
func (t *Tree) Root(n uint64) (Hash, error) {
	if n > t.Size() {
		return Hash{}, fmt.Errorf("root of %d leaves: the tree has %d: %w", n, t.Size(), ErrTreeSize)
	}
	if n == 0 {
		return EmptyRoot(), nil
	}
	return t.mth(0, n), nil
}

// mth returns MTH(D[lo:hi]) for a range that is either perfect and aligned
// or reached by RFC 6962's recursion from an aligned start.
func (t *Tree) mth(lo, hi uint64) Hash {
	n := hi - lo
	if n&(n-1) == 0 {
		k := bits.TrailingZeros64(n)
		return t.levels[k][lo>>k]
	}
	s := splitPoint(n)
	return NodeHash(t.mth(lo, lo+s), t.mth(lo+s, hi))
}

// nodeHashes returns the hashes of the perfect subtrees a proof names,
// rehashed as the library's Nodes say (the ephemeral node of a tree whose
// size is not a power of two).
func (t *Tree) nodeHashes(n proof.Nodes) ([]Hash, error) {
	raw := make([][]byte, len(n.IDs))
	for i, id := range n.IDs {
		if int(id.Level) >= len(t.levels) || id.Index >= uint64(len(t.levels[id.Level])) {
			return nil, fmt.Errorf("node %d/%d is not in the tree: %w", id.Level, id.Index, ErrTreeSize)
		}
		h := t.levels[id.Level][id.Index]
		raw[i] = h[:]
	}
	raw, err := n.Rehash(raw, rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("rehash proof nodes: %w", err)
	}
	return toHashes(raw), nil
}

// InclusionProof returns the audit path (RFC 6962 §2.1.1) of leaf index in
// the tree of the first size leaves, leaf side first. The library's
// proof.Inclusion names the nodes; the tree supplies their hashes.
func (t *Tree) InclusionProof(index, size uint64) ([]Hash, error) {
	if size > t.Size() || index >= size {
		return nil, fmt.Errorf("inclusion proof of leaf %d in a tree of %d (%d held): %w", index, size, t.Size(), ErrTreeSize)
	}
	n, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof of leaf %d in %d: %w", index, size, err)
	}
	return t.nodeHashes(n)
}

// ConsistencyProof returns the RFC 6962 §2.1.2 proof that the tree of the
// first old leaves is a prefix of the tree of the first size leaves.
// 0 < old ≤ size; old == size gives an empty proof.
func (t *Tree) ConsistencyProof(old, size uint64) ([]Hash, error) {
	if size > t.Size() || old == 0 || old > size {
		return nil, fmt.Errorf("consistency proof from %d to %d leaves (%d held): %w", old, size, t.Size(), ErrTreeSize)
	}
	n, err := proof.Consistency(old, size)
	if err != nil {
		return nil, fmt.Errorf("consistency proof from %d to %d: %w", old, size, err)
	}
	return t.nodeHashes(n)
}

// ErrProof reports a proof that does not verify.
var ErrProof = errors.New("proof does not verify")

// toHashes converts the library's byte slices to hashes (each 32 bytes).
func toHashes(raw [][]byte) []Hash {
	out := make([]Hash, len(raw))
	for i, b := range raw {
		copy(out[i][:], b)
	}
	return out
}

// toBytes converts hashes to the library's byte slices.
func toBytes(hs []Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

// VerifyInclusion checks an audit path (RFC 9162 §2.1.3.2) with
// github.com/transparency-dev/merkle: that leaf is leaf index of the tree of
// size leaves whose root is root.
func VerifyInclusion(index, size uint64, leaf Hash, path []Hash, root Hash) error {
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leaf[:], toBytes(path), root[:]); err != nil {
		return fmt.Errorf("leaf %d in a tree of %d: %v: %w", index, size, err, ErrProof)
	}
	return nil
}

// VerifyConsistency checks a consistency proof (RFC 9162 §2.1.4.2) with
// github.com/transparency-dev/merkle: that the tree of size1 leaves with
// root root1 is a prefix of the tree of size2 leaves with root root2.
func VerifyConsistency(size1, size2 uint64, root1, root2 Hash, path []Hash) error {
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, toBytes(path), root1[:], root2[:]); err != nil {
		return fmt.Errorf("consistency from %d to %d leaves: %v: %w", size1, size2, err, ErrProof)
	}
	return nil
}
