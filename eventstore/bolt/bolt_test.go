package bolt_test

import (
	"path/filepath"
	"testing"

	"taskledger/eventstore"
	"taskledger/eventstore/bolt"
	"taskledger/eventstore/storetest"
)

// TestContract runs the contract on a format 2 ledger (no journal: bbolt
// syncs every group commit itself).
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		s, err := bolt.Open(filepath.Join(t.TempDir(), "ledger.db"), bolt.Options{NoJournal: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, storetest.DensePositions())
}

// TestContractJournal runs the contract on a ledger with a journal
// (format 3, the default: one journal fdatasync per group commit, the file
// written at checkpoints).
func TestContractJournal(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		s, err := bolt.Open(filepath.Join(t.TempDir(), "ledger.db"), bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, storetest.DensePositions())
}
