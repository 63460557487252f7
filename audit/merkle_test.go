package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/transparency-dev/merkle/rfc6962"
)

// naiveRoot is RFC 6962's recursive definition of MTH, straight from the text.
func naiveRoot(leaves []Hash) Hash {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return NodeHash(naiveRoot(leaves[:k]), naiveRoot(leaves[k:]))
}

func testLeaves(n int) []Hash {
	out := make([]Hash, n)
	for i := range out {
		var e Hash
		binary.BigEndian.PutUint64(e[:], uint64(i))
		out[i] = LeafHash(e)
	}
	return out
}

func TestRootsAgree(t *testing.T) {
	leaves := testLeaves(140)
	var b Builder
	var tr Tree
	for n := 0; n <= len(leaves); n++ {
		want := naiveRoot(leaves[:n])
		if got := b.Root(); got != want {
			t.Fatalf("builder root of %d: %s, want %s", n, got, want)
		}
		if n < len(leaves) {
			b.Append(leaves[n])
			tr.Append(leaves[n])
		}
	}
	for n := 0; n <= len(leaves); n++ {
		got, err := tr.Root(uint64(n))
		if err != nil || got != naiveRoot(leaves[:n]) {
			t.Fatalf("tree root of %d: %s, %v", n, got, err)
		}
	}
}

// TestKnownRoot pins the RFC 6962 encoding against an independently known
// value: the root of one leaf whose event hash is all zeros.
func TestKnownRoot(t *testing.T) {
	var b Builder
	b.Append(LeafHash(Hash{}))
	var in [33]byte
	if b.Root() != sha256.Sum256(in[:]) {
		t.Fatal("one-leaf root is not SHA-256(0x00 || hash)")
	}
	if EmptyRoot().String() != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatal("empty root")
	}
}

func TestInclusionProofs(t *testing.T) {
	leaves := testLeaves(70)
	var tr Tree
	for _, l := range leaves {
		tr.Append(l)
	}
	for size := uint64(1); size <= 70; size++ {
		root, _ := tr.Root(size)
		for i := uint64(0); i < size; i++ {
			p, err := tr.InclusionProof(i, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyInclusion(i, size, leaves[i], p, root); err != nil {
				t.Fatalf("leaf %d of %d: %v", i, size, err)
			}
			// Wrong leaf, wrong index, wrong size must fail.
			if VerifyInclusion(i, size, leaves[(i+1)%70], p, root) == nil {
				t.Fatalf("leaf %d of %d: wrong leaf verified", i, size)
			}
			if size > 1 && VerifyInclusion((i+1)%size, size, leaves[i], p, root) == nil {
				t.Fatalf("leaf %d of %d: wrong index verified", i, size)
			}
			bigger, _ := tr.Root(size + 1)
			if err := VerifyInclusion(i, size+1, leaves[i], p, bigger); size < 70 && !errors.Is(err, ErrProof) {
				t.Fatalf("leaf %d of %d: wrong size verified", i, size)
			}
		}
	}
	if _, err := tr.InclusionProof(5, 71); !errors.Is(err, ErrTreeSize) {
		t.Fatal("proof beyond the tree")
	}
}

func TestConsistencyProofs(t *testing.T) {
	leaves := testLeaves(70)
	var tr Tree
	for _, l := range leaves {
		tr.Append(l)
	}
	for n := uint64(1); n <= 70; n++ {
		rn, _ := tr.Root(n)
		for m := uint64(1); m <= n; m++ {
			rm, _ := tr.Root(m)
			p, err := tr.ConsistencyProof(m, n)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyConsistency(m, n, rm, rn, p); err != nil {
				t.Fatalf("%d→%d: %v", m, n, err)
			}
			if m < n {
				other, _ := tr.Root(m - 1)
				if m > 1 && VerifyConsistency(m, n, other, rn, p) == nil {
					t.Fatalf("%d→%d: wrong old root verified", m, n)
				}
				bigger, _ := tr.Root(n + 1)
				if n < 70 && VerifyConsistency(m, n+1, rm, bigger, p) == nil {
					t.Fatalf("%d→%d: wrong size verified", m, n)
				}
			}
		}
	}
}

// TestHashesMatchLibrary checks the allocation-free leaf and node hashes
// against github.com/transparency-dev/merkle's RFC 6962 hasher.
func TestHashesMatchLibrary(t *testing.T) {
	leaves := testLeaves(20)
	for i := 1; i < len(leaves); i++ {
		var ev Hash
		binary.BigEndian.PutUint64(ev[:], uint64(i))
		if got, want := LeafHash(ev), rfc6962.DefaultHasher.HashLeaf(ev[:]); !bytes.Equal(got[:], want) {
			t.Fatalf("leaf %d: %x, library %x", i, got, want)
		}
		l, r := leaves[i-1], leaves[i]
		if got, want := NodeHash(l, r), rfc6962.DefaultHasher.HashChildren(l[:], r[:]); !bytes.Equal(got[:], want) {
			t.Fatalf("node %d: %x, library %x", i, got, want)
		}
	}
	if got, want := EmptyRoot(), rfc6962.DefaultHasher.EmptyRoot(); !bytes.Equal(got[:], want) {
		t.Fatalf("empty root %x, library %x", got, want)
	}
}
