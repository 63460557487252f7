package app

import (
	"testing"

	"taskledger/auth"
)

// An unknown login name must cost a real hash, or timing would tell names
// apart: the dummy hash has to be one CheckPassword computes.
func TestTheDummyHashIsARealHash(t *testing.T) {
	if _, err := auth.CheckPassword(dummyHash, "x"); err != nil {
		t.Fatalf("dummy hash: %v", err)
	}
}
