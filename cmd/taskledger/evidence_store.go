package main

import (
	"context"
	"fmt"
	"path/filepath"

	"taskledger/evidence"
	"taskledger/evidence/pgblob"
)

// openEvidence opens the evidence store of the ledger a --store value
// names, picked the way the event store is: files in the embedded store's
// directory (<dir>/evidence), a table in the PostgreSQL ledger's schema,
// memory beside a memory ledger, and for EventStoreDB files in the local
// state folder. Only a PostgreSQL store is created on opening; folders are
// made by the first upload, so a ledger only read gains nothing.
func openEvidence(spec, state string, mode storeMode) (evidence.Store, error) {
	switch {
	case spec == "memory" || state == "":
		return evidence.NewMemory(), nil
	case isPostgresStore(spec):
		ctx, cancel := context.WithTimeout(context.Background(), postgresOpenTimeout)
		defer cancel()
		s, err := pgblob.Open(ctx, spec, mode != readOnly)
		if err != nil {
			return nil, fmt.Errorf("佐证材料存储无法打开 (cannot open the evidence store) %s: %w", redactURL(spec), err)
		}
		return s, nil
	}
	return evidence.OpenDir(filepath.Join(state, evidence.DirName)), nil
}
