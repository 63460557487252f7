package main

import (
	"context"
	"fmt"
	"path/filepath"

	"taskledger/audit"
	"taskledger/domain"
	"taskledger/eventstore"
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

// verifyEvidence checks every evidence file the log names: present in the
// ledger's evidence store and still hashing to its name. It prints how
// many files are intact, or each problem (evidence-missing,
// evidence-altered) on stderr and fails.
func verifyEvidence(ctx context.Context, a *cli, s eventstore.Store, spec string) error {
	blobs, err := openEvidence(spec, stateDir(spec), readOnly)
	if err != nil {
		return err
	}
	defer blobs.Close()
	res, err := audit.CheckEvidence(ctx, s, domain.DefaultRegistry(), blobs)
	if err != nil {
		return err
	}
	if len(res.Problems) == 0 {
		fmt.Fprintf(a.stdout, "OK: the %d evidence files the events name are present and intact\n", res.Files)
		return nil
	}
	for _, p := range res.Problems {
		fmt.Fprintln(a.stderr, p.String())
	}
	return fmt.Errorf("%d of the %d evidence files the events name are missing or altered (佐证材料缺失或被改动)", len(res.Problems), res.Files)
}
