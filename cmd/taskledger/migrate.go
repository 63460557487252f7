package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"taskledger/audit"
	"taskledger/domain"
	"taskledger/eventstore"
)

// runMigrate copies a ledger from one store to another and proves the
// copy: the same events in the same order, the same hashes, the same Merkle
// root. Running it again after an interruption resumes: events already in
// the target are recognised by their IDs and not written twice.
func newMigrateCommand(a *cli) *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "migrate --from STORE --to STORE",
		Short: "copy a ledger between stores (directory, postgres://, esdb://) and prove the copy",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runMigrate(cmd.Context(), a, from, to) },
	}
	cmd.Flags().StringVar(&from, "from", "", "the ledger to copy: a directory, postgres://… or esdb://…")
	cmd.Flags().StringVar(&to, "to", "", "where to copy it: a new or partly copied directory, postgres://… or esdb://…")
	journalFlags(cmd, a)
	return cmd
}

// journalFlags adds --no-journal, which makes a new embedded ledger in
// format 2, and keeps the --journal of earlier releases working: format 4
// (a journal, payloads packed) is what a new ledger gets anyway.
func journalFlags(cmd *cobra.Command, a *cli) {
	cmd.Flags().BoolVar(&a.noJournal, "no-journal", false, "make a new embedded ledger without a journal: bbolt syncs each group commit itself, two fsyncs instead of one (format 2; see docs/ledger-format.md)")
	var journal bool
	cmd.Flags().BoolVar(&journal, "journal", false, "a new embedded ledger has a journal (format 4) without this flag")
	_ = cmd.Flags().MarkDeprecated("journal", "新建账本默认即带日志（格式 4），无需此参数 (a new ledger has a journal, format 4, by default)")
}

func runMigrate(ctx context.Context, a *cli, from, to string) error {
	if from == "" || to == "" {
		return fmt.Errorf("%w: --from and --to are both required", errUsage)
	}
	if from == to {
		return fmt.Errorf("%w: --from and --to name the same store", errUsage)
	}
	src, err := a.openStore(from, mustExist)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := a.openStore(to, mayCreate)
	if err != nil {
		return err
	}
	defer dst.Close()
	m := a.readMeter(ctx, src, "迁移台账", "migrate")
	res, err := migrate(ctx, withProgress(src, m, true, false), dst)
	if finish(m, err); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "copied %d events to %s (%d were already there)\n", res.copied, to, res.present)
	fmt.Fprintf(a.stdout, "proved: both logs hold the same %d events in the same order with the same hashes; Merkle root %s\n", res.events, res.root)
	return copyEvidence(ctx, a, src, from, to)
}

type migration struct {
	copied, present, events int
	root                    domain.Hash
}

// migrate appends every event of src to dst in log order, runs of one
// stream at a time, expecting each run's stream version, then compares the
// two logs event by event.
func migrate(ctx context.Context, src, dst eventstore.Store) (migration, error) {
	var m migration
	var after uint64
	for {
		batch, err := src.ReadAll(ctx, after, 1024)
		if err != nil {
			return m, fmt.Errorf("read the source log after %d: %w", after, err)
		}
		if len(batch) == 0 {
			break
		}
		for i := 0; i < len(batch); {
			j := i + 1
			for j < len(batch) && batch[j].Stream == batch[i].Stream && batch[j].Version == batch[j-1].Version+1 {
				j++
			}
			run := make([]domain.Event, j-i)
			for k, e := range batch[i:j] {
				// The target seals and numbers the copy itself; the hash
				// comes out the same because the position is not hashed.
				e.Position, e.Hash, e.PrevHash = 0, domain.Hash{}, domain.Hash{}
				run[k] = e
			}
			res, err := dst.Append(ctx, batch[i].Stream, eventstore.Exact(batch[i].Version-1), run)
			if err != nil {
				return m, fmt.Errorf("copy %s versions %d–%d: %w", batch[i].Stream, batch[i].Version, batch[j-1].Version, err)
			}
			if res.Duplicate {
				m.present += len(run)
			} else {
				m.copied += len(run)
			}
			i = j
		}
		after = batch[len(batch)-1].Position
	}
	return m, proveCopy(ctx, src, dst, &m)
}

// errCopyDiffers marks a copy that does not match its source.
var errCopyDiffers = errors.New("the copy differs from the source")

// proveCopy reads both logs side by side and checks that they hold the same
// events, in the same order, with the same content and hashes; it computes
// the Merkle root of both.
func proveCopy(ctx context.Context, src, dst eventstore.Store, m *migration) error {
	var a, b audit.Builder
	var afterA, afterB uint64
	var bufA, bufB []domain.Event
	n := 0
	for {
		if len(bufA) == 0 {
			evs, err := src.ReadAll(ctx, afterA, 1024)
			if err != nil {
				return err
			}
			bufA = evs
		}
		if len(bufB) == 0 {
			evs, err := dst.ReadAll(ctx, afterB, 1024)
			if err != nil {
				return err
			}
			bufB = evs
		}
		switch {
		case len(bufA) == 0 && len(bufB) == 0:
			if a.Root() != b.Root() {
				return fmt.Errorf("%w: Merkle roots %s and %s", errCopyDiffers, a.Root(), b.Root())
			}
			m.events, m.root = n, a.Root()
			return nil
		case len(bufA) == 0:
			return fmt.Errorf("%w: the target holds more events than the source's %d (first extra: %s version %d)", errCopyDiffers, n, bufB[0].Stream, bufB[0].Version)
		case len(bufB) == 0:
			return fmt.Errorf("%w: the target ends after %d events; the source goes on with %s version %d", errCopyDiffers, n, bufA[0].Stream, bufA[0].Version)
		}
		x, y := bufA[0], bufB[0]
		if x.ID != y.ID || x.Stream != y.Stream || x.Version != y.Version || x.Hash != y.Hash || x.PrevHash != y.PrevHash {
			return fmt.Errorf("%w at event %d: source %s %s v%d hash %s, target %s %s v%d hash %s",
				errCopyDiffers, n+1, x.ID, x.Stream, x.Version, x.Hash, y.ID, y.Stream, y.Version, y.Hash)
		}
		if err := y.Verify(); err != nil {
			return fmt.Errorf("%w: %v", errCopyDiffers, err)
		}
		a.Append(audit.LeafHash(x.Hash))
		b.Append(audit.LeafHash(y.Hash))
		n++
		afterA, afterB = x.Position, y.Position
		bufA, bufB = bufA[1:], bufB[1:]
	}
}
