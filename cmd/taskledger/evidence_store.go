package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"taskledger/audit"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/evidence"
	"taskledger/evidence/pgblob"
	"taskledger/internal/msg"
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
			return nil, noticef(msg.CLIEvidenceStoreOpen, msg.Args{"Store": redactURL(spec)}, err)
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
	return noticef(msg.CLIEvidenceMissing, msg.Args{"Bad": len(res.Problems), "Total": res.Files}, nil)
}

// copyEvidence copies the evidence files the log of src names from the
// evidence store of from to that of to, checking each one's hash; files
// already there are left as they are. A file missing or altered at the
// source is named on stderr, the others are still copied, and the
// migration fails.
func copyEvidence(ctx context.Context, a *cli, src eventstore.Store, from, to string) error {
	in, err := openEvidence(from, stateDir(from), readOnly)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := openEvidence(to, stateDir(to), mayCreate)
	if err != nil {
		return err
	}
	defer out.Close()
	var copied, present, bad int
	err = audit.EachEvidence(ctx, src, domain.DefaultRegistry(), func(r domain.EvidenceRef, _ *domain.Event) error {
		ok, err := out.Has(ctx, r.SHA256)
		if err != nil {
			return err
		}
		if ok {
			present++
			return nil
		}
		data, err := in.Get(ctx, r.SHA256)
		switch {
		case errors.Is(err, evidence.ErrNotFound):
			bad++
			fmt.Fprintf(a.stderr, "%s: %s「%s」 is not in %s's evidence store\n", audit.EvidenceMissing, r.SHA256, r.Name, redactURL(from))
			return nil
		case err != nil:
			return err
		case evidence.Sum(data) != r.SHA256:
			bad++
			fmt.Fprintf(a.stderr, "%s: %s「%s」 no longer hashes to its name in %s's evidence store; not copied\n", audit.EvidenceAltered, r.SHA256, r.Name, redactURL(from))
			return nil
		}
		if _, err := out.Put(ctx, r.SHA256, data); err != nil {
			return err
		}
		copied++
		return nil
	})
	if err != nil {
		return fmt.Errorf("copy evidence: %w", err)
	}
	fmt.Fprintf(a.stdout, "copied %d evidence files (%d were already there)\n", copied, present)
	if bad > 0 {
		return noticef(msg.CLIEvidenceNotCopied, msg.Args{"Bad": bad}, nil)
	}
	return nil
}
