package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"taskledger/audit"
	"taskledger/demo"
	"taskledger/domain"
	"taskledger/export"
	"taskledger/internal/atomicfile"
	"taskledger/internal/termtable"
	"taskledger/projections"
	"taskledger/replay"
)

// checkpointDir returns where a ledger directory keeps its checkpoints.
func checkpointDir(store string) string { return filepath.Join(store, audit.CheckpointDir) }

// runAuditTrail prints the replayed history of a task or a unit, with
// flags, or writes it as a spreadsheet (--format csv|xlsx).
func runAuditTrail(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "audit", "--task N | --unit UNIT [--plan ID] [--as-of TIME] [--at-position N] [--format table|json|csv|xlsx] [--out FILE] [--store DIR]")
	store := storeFlag(a, fs)
	task := fs.Int("task", 0, "the task number, e.g. 10 for （十）")
	unit := fs.String("unit", "", "the unit: its id, name or alias, e.g. 生态环境局")
	plan := fs.String("plan", "", "the plan (default: any plan)")
	cf := addCutFlags(fs)
	format := formatFlag(fs, "table", "json", "csv", "xlsx")
	out := fs.String("out", "", "with --format csv or xlsx: write the spreadsheet file here (xlsx needs it; csv goes to stdout without it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*format, "table", "json", "csv", "xlsx"); err != nil {
		return err
	}
	if *out != "" && *format != "csv" && *format != "xlsx" {
		return fmt.Errorf("%w: --out needs --format csv or xlsx", errUsage)
	}
	if *format == "xlsx" && *out == "" {
		return fmt.Errorf("%w: --format xlsx needs --out FILE", errUsage)
	}
	if *task <= 0 && *unit == "" {
		return fmt.Errorf("%w: give --task, --unit or both", errUsage)
	}
	cut, err := cf.cut()
	if err != nil {
		return err
	}
	l, err := openLedger(*store)
	if err != nil {
		return err
	}
	defer l.Close()
	f := audit.Filter{Plan: domain.PlanID(*plan), Task: domain.TaskNo(*task)}
	unitName := ""
	if *unit != "" {
		v, err := l.views(ctx, projections.Cut{}, quietLogger(a))
		if err != nil {
			return err
		}
		u, err := v.Catalog.ResolveUnit(*unit)
		if err != nil {
			return fmt.Errorf("--unit: %w", err)
		}
		f.Unit, unitName = u.ID, u.Name
	}
	tr, err := replayTrail(ctx, l, f, cut)
	if err != nil {
		return err
	}
	entries := tr.entries
	switch *format {
	case "json":
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"cut": cut.String(), "events": entries})
	case "csv", "xlsx":
		x := tr.export(*plan, *task, unitName, cut)
		return writeAuditExport(a, x, *format, *out)
	}
	fmt.Fprintf(a.stdout, "审计记录（%s）：%d 条\n", cut, len(entries))
	tab := termtable.New("位置", "记录时间", "生效时间", "操作者", "内容", "标记").AlignRight(0)
	sh := domain.Shanghai()
	for _, e := range entries {
		flags := make([]string, len(e.Flags))
		for i, f := range e.Flags {
			flags[i] = string(f)
		}
		tab.Row(fmt.Sprint(e.Position), e.RecordedAt.In(sh).Format("2006-01-02 15:04"),
			e.EffectiveAt.In(sh).Format("2006-01-02 15:04"), e.Actor, e.Summary, strings.Join(flags, ","))
	}
	return tab.Write(a.stdout)
}

// replayedTrail is an audit trail with what checking its events found.
type replayedTrail struct {
	entries []audit.Entry
	// intact: every event's content matches its hash, a stream's first
	// event links to nothing and consecutive versions of a stream link
	// (the GraphQL auditTrail's intact, over the whole trail).
	intact bool
	// mismatch holds the positions of events whose content does not match
	// their hash.
	mismatch map[uint64]bool
}

// replayTrail replays the log up to the cut as audit.BuildTrail does (only
// events recorded by cut.Time when it is set, up to cut.Position when it
// is set) and checks the hashes and links of the trail's events on the way.
func replayTrail(ctx context.Context, l *ledger, f audit.Filter, cut projections.Cut) (replayedTrail, error) {
	if f.Task <= 0 && f.Unit == "" {
		return replayedTrail{}, fmt.Errorf("audit trail: name a task or a unit")
	}
	t := audit.NewTrail(f, 0)
	out := replayedTrail{mismatch: map[uint64]bool{}}
	var chain audit.ChainCheck
	_, err := replay.Run(ctx, l.store, l.registry, replay.Options{Until: cut.Position}, func(e *domain.Event, d domain.EventData) error {
		if !cut.Time.IsZero() && e.RecordedAt.After(cut.Time) {
			return nil
		}
		if f.Match(d) && !chain.Add(e) {
			out.mismatch[e.Position] = true
		}
		return t.Apply(e, d)
	})
	if err != nil {
		return replayedTrail{}, fmt.Errorf("audit trail: %w", err)
	}
	out.entries, out.intact = t.Entries(), chain.Intact()
	return out, nil
}

// export converts the trail for the spreadsheet writers. Besides the
// trail's flags, an event gets simulated when a demo actor recorded it and
// hash_mismatch when its content does not match its hash, as in the API;
// a trail holding simulated events says so in its notice.
func (tr replayedTrail) export(plan string, task int, unitName string, cut projections.Cut) export.AuditTrail {
	x := export.AuditTrail{Plan: plan, Task: task, Unit: unitName, AsOf: cut.Time, AtPosition: cut.Position, Intact: tr.intact}
	simulated := 0
	for _, e := range tr.entries {
		flags := make([]string, 0, len(e.Flags)+2)
		for _, fl := range e.Flags {
			flags = append(flags, string(fl))
		}
		if strings.HasPrefix(e.Actor, demo.ActorPrefix) {
			flags = append(flags, "simulated")
			simulated++
		}
		if tr.mismatch[e.Position] {
			flags = append(flags, "hash_mismatch")
		}
		x.Entries = append(x.Entries, export.AuditEntry{Position: e.Position, RecordedAt: e.RecordedAt, EffectiveAt: e.EffectiveAt,
			Actor: e.Actor, Summary: e.Summary, Type: e.Type, Stream: e.Stream, Flags: flags, ID: e.ID.String(), Hash: e.Hash.String()})
	}
	if simulated > 0 {
		x.Notice = fmt.Sprintf("【模拟数据】本审计轨迹中有%d个事件由演示程序模拟生成（操作者以 %s 开头），仅供演示，不代表任何单位的真实工作情况。"+
			" [SIMULATED DATA] %d events of this trail were generated by a simulation for demonstration.", simulated, demo.ActorPrefix, simulated)
	}
	return x
}

// writeAuditExport writes an audit trail as a spreadsheet file: format csv
// (UTF-8 with BOM, Chinese headers) or xlsx (sheets 审计轨迹 and 说明). With
// out empty, csv goes to stdout; xlsx needs a file. The file is written
// whole or not at all.
func writeAuditExport(a *app, x export.AuditTrail, format, out string) error {
	verdict := "chain intact"
	if !x.Intact {
		verdict = "chain BROKEN"
	}
	return writeSpreadsheet(a, format, out,
		func(w io.Writer) error { return export.AuditCSV(w, x) },
		func(w io.Writer) error { return export.AuditXLSX(w, x) },
		fmt.Sprintf("the audit trail (%d events, %s)", len(x.Entries), verdict))
}

// runCheckpoint verifies the log and writes a signed checkpoint of it, or
// with --new-key makes a key pair.
func runCheckpoint(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "checkpoint", "--key FILE [--out FILE] [--store DIR]  |  --new-key FILE")
	store := storeFlag(a, fs)
	keyPath := fs.String("key", "", "the Ed25519 private key file (PEM, PKCS #8) that signs")
	out := fs.String("out", "", "also write the checkpoint to this file")
	newKey := fs.String("new-key", "", "make a key pair: the private key in FILE (0600), the public key in FILE.pub")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *newKey != "" {
		pub, err := audit.NewKey(*newKey)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "wrote private key %s and public key %s.pub (key id %s)\n", *newKey, *newKey, audit.KeyID(pub))
		return nil
	}
	if *keyPath == "" {
		return fmt.Errorf("%w: --key is required (make one with --new-key FILE)", errUsage)
	}
	key, err := audit.ReadPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	if *store == "memory" {
		return fmt.Errorf("%w: checkpoints are kept beside an embedded store; --store memory has none", errUsage)
	}
	s, err := openStore(*store)
	if err != nil {
		return err
	}
	res, err := audit.VerifyStore(ctx, s, audit.VerifyOptions{})
	s.Close()
	if err != nil {
		return fmt.Errorf("the log does not verify, so no checkpoint is signed: %w", err)
	}
	cp := audit.Sign(key, res.Events, res.Head, res.Root, a.now())
	path, err := audit.SaveCheckpoint(checkpointDir(stateDir(*store)), cp)
	if err != nil {
		return err
	}
	if *out != "" {
		b, err := cp.Marshal()
		if err != nil {
			return err
		}
		if err := atomicfile.Write(*out, b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "checkpoint: %d events up to position %d, root %s, key %s; kept as %s\n",
		cp.Size, cp.Position, cp.Root, cp.KeyID, path)
	return nil
}

// runProof makes inclusion and consistency proofs and verifies them offline.
func runProof(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(a.stderr, "Usage: taskledger proof inclusion|consistency|verify [flags]   (taskledger proof SUB --help)")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return fmt.Errorf("%w: name inclusion, consistency or verify", errUsage)
	}
	switch args[0] {
	case "inclusion":
		return runProofInclusion(ctx, a, args[1:])
	case "consistency":
		return runProofConsistency(ctx, a, args[1:])
	case "verify":
		return runProofVerify(a, args[1:])
	}
	return fmt.Errorf("%w: unknown proof command %q: name inclusion, consistency or verify", errUsage, args[0])
}

// indexStore opens a store and indexes its log for proofs.
func indexStore(ctx context.Context, spec string) (*audit.Index, error) {
	s, err := openStore(spec)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var x audit.Index
	if _, err := x.Sync(ctx, s); err != nil {
		return nil, err
	}
	return &x, nil
}

func writeJSON(a *app, out string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	b = append(b, '\n')
	if out == "" {
		_, err = a.stdout.Write(b)
		return err
	}
	return atomicfile.Write(out, b, 0o644)
}

func runProofInclusion(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "proof inclusion", "(--event ID | --position N) --checkpoint FILE [--out FILE] [--store DIR]")
	store := storeFlag(a, fs)
	eventID := fs.String("event", "", "the event's ID")
	position := fs.Uint64("position", 0, "the event's log position")
	cpPath := fs.String("checkpoint", "", "the checkpoint the proof is against (its size is the tree size)")
	out := fs.String("out", "", "write the proof here instead of to stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*eventID == "") == (*position == 0) || *cpPath == "" {
		return fmt.Errorf("%w: give --event or --position, and --checkpoint", errUsage)
	}
	cp, err := audit.ReadCheckpoint(*cpPath)
	if err != nil {
		return err
	}
	x, err := indexStore(ctx, *store)
	if err != nil {
		return err
	}
	var leaf uint64
	if *eventID != "" {
		id, err := uuid.Parse(*eventID)
		if err != nil {
			return fmt.Errorf("%w: --event: %v", errUsage, err)
		}
		leaf, err = x.LeafOfID(id)
		if err != nil {
			return err
		}
	} else if leaf, err = x.LeafOfPosition(*position); err != nil {
		return err
	}
	if leaf >= cp.Size {
		return fmt.Errorf("the event is leaf %d, after the checkpoint's %d events: make a newer checkpoint", leaf, cp.Size)
	}
	p, err := x.Inclusion(leaf, cp.Size)
	if err != nil {
		return err
	}
	if p.Root != cp.Root {
		return fmt.Errorf("the ledger's first %d events hash to %s, the checkpoint says %s: %w", cp.Size, p.Root, cp.Root, audit.ErrBroken)
	}
	return writeJSON(a, *out, p)
}

func runProofConsistency(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "proof consistency", "--old FILE --new FILE [--out FILE] [--store DIR]")
	store := storeFlag(a, fs)
	oldPath := fs.String("old", "", "the older checkpoint")
	newPath := fs.String("new", "", "the newer checkpoint")
	out := fs.String("out", "", "write the proof here instead of to stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *oldPath == "" || *newPath == "" {
		return fmt.Errorf("%w: --old and --new are required", errUsage)
	}
	oldCP, err := audit.ReadCheckpoint(*oldPath)
	if err != nil {
		return err
	}
	newCP, err := audit.ReadCheckpoint(*newPath)
	if err != nil {
		return err
	}
	x, err := indexStore(ctx, *store)
	if err != nil {
		return err
	}
	p, err := x.Consistency(oldCP.Size, newCP.Size)
	if err != nil {
		return err
	}
	return writeJSON(a, *out, p)
}

func runProofVerify(a *app, args []string) error {
	fs := newFlags(a, "proof verify", "--proof FILE --pubkey FILE (--checkpoint FILE | --old FILE --new FILE)")
	proofPath := fs.String("proof", "", "the proof (JSON, from proof inclusion or proof consistency)")
	pubPath := fs.String("pubkey", "", "the public key that signs checkpoints (PEM)")
	cpPath := fs.String("checkpoint", "", "an inclusion proof's checkpoint")
	oldPath := fs.String("old", "", "a consistency proof's older checkpoint")
	newPath := fs.String("new", "", "a consistency proof's newer checkpoint")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *proofPath == "" || *pubPath == "" {
		return fmt.Errorf("%w: --proof and --pubkey are required", errUsage)
	}
	pub, err := audit.ReadPublicKey(*pubPath)
	if err != nil {
		return err
	}
	p, err := audit.ReadProof(*proofPath)
	if err != nil {
		return err
	}
	switch p := p.(type) {
	case *audit.InclusionProof:
		if *cpPath == "" {
			return fmt.Errorf("%w: an inclusion proof needs --checkpoint", errUsage)
		}
		cp, err := audit.ReadCheckpoint(*cpPath)
		if err != nil {
			return err
		}
		if err := p.Verify(cp, pub); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "OK: event %s (stream %s version %d, position %d, leaf %d) is in the log of %d events signed by key %s at %s\n",
			p.EventID, p.Stream, p.Version, p.Position, p.LeafIndex, cp.Size, cp.KeyID, cp.Time.Format(time.RFC3339))
	case *audit.ConsistencyProof:
		if *oldPath == "" || *newPath == "" {
			return fmt.Errorf("%w: a consistency proof needs --old and --new", errUsage)
		}
		oldCP, err := audit.ReadCheckpoint(*oldPath)
		if err != nil {
			return err
		}
		newCP, err := audit.ReadCheckpoint(*newPath)
		if err != nil {
			return err
		}
		if err := p.Verify(oldCP, newCP, pub); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "OK: the log of %d events extends the log of %d events unchanged (key %s)\n", newCP.Size, oldCP.Size, newCP.KeyID)
	}
	return nil
}

// runLedgerExport writes the whole log as JSON lines.
func runLedgerExport(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "export", "--out FILE [--store DIR]")
	store := storeFlag(a, fs)
	out := fs.String("out", "", "the export file (JSON lines; - for stdout)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	s, err := openStore(*store)
	if err != nil {
		return err
	}
	defer s.Close()
	if *out == "-" {
		_, err := audit.Export(ctx, s, a.stdout, a.now())
		return err
	}
	tmp := *out + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	res, err := audit.Export(ctx, s, w, a.now())
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, *out)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(a.stdout, "exported %d events up to position %d to %s; root %s\n", res.Events, res.Head, *out, res.Root)
	return nil
}

// runVerify checks a store or an export offline: every hash, every
// stream's chain, the order, the Merkle root, and optionally a checkpoint.
func runVerify(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "verify", "(--store DIR | --export FILE) [--checkpoint FILE --pubkey FILE]")
	store := fs.String("store", "", "the embedded store's directory")
	export := fs.String("export", "", "an export file written by taskledger export")
	cpPath := fs.String("checkpoint", "", "a checkpoint the log must extend")
	pubPath := fs.String("pubkey", "", "the public key that must have signed the checkpoint")
	workers := fs.Int("workers", 0, "hashing goroutines (default: one per core)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*store == "") == (*export == "") {
		return fmt.Errorf("%w: give exactly one of --store and --export", errUsage)
	}
	opts := audit.VerifyOptions{Workers: *workers}
	if *cpPath != "" {
		cp, err := audit.ReadCheckpoint(*cpPath)
		if err != nil {
			return err
		}
		opts.Checkpoint = cp
		if *pubPath == "" {
			fmt.Fprintln(a.stderr, "warning: no --pubkey: the checkpoint's signature is not checked")
		}
	}
	if *pubPath != "" {
		if *cpPath == "" {
			return fmt.Errorf("%w: --pubkey checks a --checkpoint", errUsage)
		}
		pub, err := audit.ReadPublicKey(*pubPath)
		if err != nil {
			return err
		}
		opts.PublicKey = pub
	}
	start := time.Now()
	var res audit.VerifyResult
	var err error
	what := *store
	if *export != "" {
		what = *export
		f, ferr := os.Open(*export)
		if ferr != nil {
			return fmt.Errorf("verify: %w", ferr)
		}
		defer f.Close()
		res, err = audit.VerifyExport(ctx, f, opts)
	} else {
		s, serr := openStore(*store)
		if serr != nil {
			return serr
		}
		defer s.Close()
		res, err = audit.VerifyStore(ctx, s, opts)
	}
	if err != nil {
		var be *audit.BreakError
		if errors.As(err, &be) {
			return fmt.Errorf("%s: %w", what, err)
		}
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(a.stdout, "OK: %s holds %d events in %d streams up to position %d; every hash, chain and the order verify; root %s\n",
		what, res.Events, res.Streams, res.Head, res.Root)
	if opts.Checkpoint != nil {
		signed := "signature NOT checked"
		if res.SignatureChecked {
			signed = "signed by key " + opts.Checkpoint.KeyID
		}
		fmt.Fprintf(a.stdout, "OK: the first %d events match the checkpoint of %s (%s)\n",
			opts.Checkpoint.Size, opts.Checkpoint.Time.Format(time.RFC3339), signed)
	}
	fmt.Fprintf(a.stdout, "%.2fs, %.0f events/s\n", el.Seconds(), float64(res.Events)/max(el.Seconds(), 1e-9))
	return nil
}
