package audit

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/bits"

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
// SHA-256(0x00 || the event's 32-byte hash).
func LeafHash(eventHash Hash) Hash {
	var buf [1 + sha256.Size]byte
	buf[0] = leafPrefix
	copy(buf[1:], eventHash[:])
	return sha256.Sum256(buf[:])
}

// NodeHash returns the RFC 6962 interior node hash SHA-256(0x01 || l || r).
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

// InclusionProof returns the audit path (RFC 6962 §2.1.1) of leaf index in
// the tree of the first size leaves, leaf side first.
func (t *Tree) InclusionProof(index, size uint64) ([]Hash, error) {
	if size > t.Size() || index >= size {
		return nil, fmt.Errorf("inclusion proof of leaf %d in a tree of %d (%d held): %w", index, size, t.Size(), ErrTreeSize)
	}
	var path []Hash
	lo, hi := uint64(0), size
	// Walk down from the root, collecting siblings, then reverse.
	for hi-lo > 1 {
		s := splitPoint(hi - lo)
		if index < lo+s {
			path = append(path, t.mth(lo+s, hi))
			hi = lo + s
		} else {
			path = append(path, t.mth(lo, lo+s))
			lo += s
		}
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path, nil
}

// ConsistencyProof returns the RFC 6962 §2.1.2 proof that the tree of the
// first old leaves is a prefix of the tree of the first size leaves.
// 0 < old ≤ size; old == size gives an empty proof.
func (t *Tree) ConsistencyProof(old, size uint64) ([]Hash, error) {
	if size > t.Size() || old == 0 || old > size {
		return nil, fmt.Errorf("consistency proof from %d to %d leaves (%d held): %w", old, size, t.Size(), ErrTreeSize)
	}
	if old == size {
		return []Hash{}, nil
	}
	var proof []Hash
	m, lo, hi := old, uint64(0), size
	complete := true
	for {
		n := hi - lo
		if m == n {
			if !complete {
				proof = append(proof, t.mth(lo, hi))
			}
			break
		}
		s := splitPoint(n)
		if m <= s {
			proof = append(proof, t.mth(lo+s, hi))
			hi = lo + s
		} else {
			proof = append(proof, t.mth(lo, lo+s))
			m -= s
			lo += s
			complete = false
		}
	}
	for i, j := 0, len(proof)-1; i < j; i, j = i+1, j-1 {
		proof[i], proof[j] = proof[j], proof[i]
	}
	return proof, nil
}

// ErrProof reports a proof that does not verify.
var ErrProof = errors.New("proof does not verify")

// VerifyInclusion checks an audit path (RFC 9162 §2.1.3.2): that leaf is
// leaf index of the tree of size leaves whose root is root.
func VerifyInclusion(index, size uint64, leaf Hash, proof []Hash, root Hash) error {
	if index >= size {
		return fmt.Errorf("leaf %d is not in a tree of %d: %w", index, size, ErrProof)
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range proof {
		if sn == 0 {
			return fmt.Errorf("inclusion proof of leaf %d in %d is too long: %w", index, size, ErrProof)
		}
		if fn&1 == 1 || fn == sn {
			r = NodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = NodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return fmt.Errorf("inclusion proof of leaf %d in %d is too short: %w", index, size, ErrProof)
	}
	if r != root {
		return fmt.Errorf("leaf %d and its path give root %s, not %s: %w", index, r, root, ErrProof)
	}
	return nil
}

// VerifyConsistency checks a consistency proof (RFC 9162 §2.1.4.2): that
// the tree of size1 leaves with root root1 is a prefix of the tree of size2
// leaves with root root2.
func VerifyConsistency(size1, size2 uint64, root1, root2 Hash, proof []Hash) error {
	switch {
	case size1 > size2:
		return fmt.Errorf("consistency from %d to %d leaves: the old tree is larger: %w", size1, size2, ErrProof)
	case size1 == size2:
		if len(proof) != 0 || root1 != root2 {
			return fmt.Errorf("consistency between two trees of %d leaves: the roots differ or the proof is not empty: %w", size1, ErrProof)
		}
		return nil
	case size1 == 0:
		if len(proof) != 0 {
			return fmt.Errorf("consistency from the empty tree takes an empty proof: %w", ErrProof)
		}
		return nil
	case len(proof) == 0:
		return fmt.Errorf("consistency from %d to %d leaves: empty proof: %w", size1, size2, ErrProof)
	}
	if size1&(size1-1) == 0 {
		proof = append([]Hash{root1}, proof...)
	}
	fn, sn := size1-1, size2-1
	for fn&1 == 1 {
		fn >>= 1
		sn >>= 1
	}
	fr, sr := proof[0], proof[0]
	for _, c := range proof[1:] {
		if sn == 0 {
			return fmt.Errorf("consistency proof from %d to %d is too long: %w", size1, size2, ErrProof)
		}
		if fn&1 == 1 || fn == sn {
			fr = NodeHash(c, fr)
			sr = NodeHash(c, sr)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			sr = NodeHash(sr, c)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return fmt.Errorf("consistency proof from %d to %d is too short: %w", size1, size2, ErrProof)
	}
	if fr != root1 || sr != root2 {
		return fmt.Errorf("consistency proof from %d to %d leaves does not give both roots: %w", size1, size2, ErrProof)
	}
	return nil
}
