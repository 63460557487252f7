package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"taskledger/audit"
	"taskledger/demo"
	"taskledger/domain"
	"taskledger/export"
	"taskledger/internal/atomicfile"
	"taskledger/internal/termtable"
	"taskledger/projections"
)

// checkpointDir returns where a ledger directory keeps its checkpoints.
func checkpointDir(store string) string { return filepath.Join(store, audit.CheckpointDir) }

// auditOptions are the flags of taskledger audit.
type auditOptions struct {
	store, unit, plan, format, out string
	task                           int
	cut                            *cutFlags
}

func newAuditCommand(a *cli) *cobra.Command {
	var o auditOptions
	cmd := &cobra.Command{
		Use:   "audit --task N | --unit UNIT",
		Short: "the replayed history of a task or unit, with flags",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runAuditTrail(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.IntVar(&o.task, "task", 0, "the task number, e.g. 10 for （十）")
	fs.StringVar(&o.unit, "unit", "", "the unit: its id, name or alias, e.g. 生态环境局")
	fs.StringVar(&o.plan, "plan", "", "the plan (default: any plan)")
	o.cut = addCutFlags(fs)
	formatFlag(cmd, &o.format, "table", "json", "csv", "xlsx")
	fs.StringVar(&o.out, "out", "", "with --format csv or xlsx: write the spreadsheet file here (xlsx needs it; csv goes to stdout without it)")
	return cmd
}

// validate checks the flags that need no ledger.
func (o auditOptions) validate() error {
	if err := checkFormat(o.format, "table", "json", "csv", "xlsx"); err != nil {
		return err
	}
	if o.out != "" && o.format != "csv" && o.format != "xlsx" {
		return fmt.Errorf("%w: --out needs --format csv or xlsx", errUsage)
	}
	if o.format == "xlsx" && o.out == "" {
		return fmt.Errorf("%w: --format xlsx needs --out FILE", errUsage)
	}
	if o.task < 0 || (o.task == 0 && o.unit == "") {
		return fmt.Errorf("%w: give --task, --unit or both", errUsage)
	}
	return nil
}

// runAuditTrail prints the replayed history of a task or a unit, with
// flags, or writes it as a spreadsheet (--format csv|xlsx).
func runAuditTrail(ctx context.Context, a *cli, o auditOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	cut, err := o.cut.cut()
	if err != nil {
		return err
	}
	l, err := a.openLedger(o.store, mustExist)
	if err != nil {
		return err
	}
	defer l.Close()
	if err := l.checkCut(ctx, cut); err != nil {
		return err
	}
	// The plan, task and unit are looked up in the whole ledger, as its
	// names are now; the trail itself stops at the cut.
	v, err := l.views(ctx, projections.Cut{}, a.logger())
	if err != nil {
		return err
	}
	f, unitName, err := auditFilter(v, o)
	if err != nil {
		return err
	}
	tr, err := audit.BuildTrail(ctx, l.store, l.registry, f, cut.Position, cut.Time, 0)
	if err != nil {
		return err
	}
	switch o.format {
	case "json":
		return writeJSONOut(a.stdout, auditTrailJSON(tr, cut))
	case "csv", "xlsx":
		x := auditExport(tr, o.plan, o.task, unitName, cut)
		return writeAuditExport(a, x, o.format, o.out)
	}
	return printAuditTrail(a, tr.Entries(), cut)
}

// auditFilter resolves the flags against the ledger as of the cut: a plan,
// task or unit it does not hold is an error, not an empty trail.
func auditFilter(v *projections.Views, o auditOptions) (audit.Filter, string, error) {
	f := audit.Filter{Plan: domain.PlanID(o.plan), Task: domain.TaskNo(o.task)}
	if o.plan != "" {
		if _, ok := v.Catalog.Plan(f.Plan); !ok {
			return f, "", fmt.Errorf("--plan %s: plan %w", o.plan, domain.ErrNotFound)
		}
	}
	if o.task > 0 && !hasTask(v.Catalog, f.Plan, f.Task) {
		return f, "", fmt.Errorf("--task %d: task %w in the ledger", o.task, domain.ErrNotFound)
	}
	if o.unit == "" {
		return f, "", nil
	}
	u, err := v.Catalog.ResolveUnit(o.unit)
	if err != nil {
		return f, "", fmt.Errorf("--unit: %w", err)
	}
	f.Unit = u.ID
	return f, u.Name, nil
}

// hasTask reports whether the plan (any plan, when empty) has task no.
func hasTask(cat *projections.Catalog, plan domain.PlanID, no domain.TaskNo) bool {
	if plan != "" {
		_, ok := cat.Task(plan, no)
		return ok
	}
	for _, p := range cat.Plans() {
		if _, ok := cat.Task(p.ID, no); ok {
			return true
		}
	}
	return false
}

// printAuditTrail writes a trail as a table.
func printAuditTrail(a *cli, entries []audit.Entry, cut projections.Cut) error {
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

// auditExport converts a trail for the spreadsheet writers. Besides the
// trail's flags, an event gets simulated when a demo actor recorded it and
// hash_mismatch when its content does not match its hash, as in the API;
// a trail holding simulated events says so in its notice.
func auditExport(tr *audit.Trail, plan string, task int, unitName string, cut projections.Cut) export.AuditTrail {
	x := export.AuditTrail{Plan: plan, Task: task, Unit: unitName, AsOf: cut.Time, AtPosition: cut.Position, Intact: tr.Intact()}
	simulated := 0
	for _, e := range tr.Entries() {
		flags := make([]string, 0, len(e.Flags)+2)
		for _, fl := range e.Flags {
			flags = append(flags, string(fl))
		}
		if domain.SimulatedActor(e.Actor) {
			flags = append(flags, "simulated")
			simulated++
		}
		if e.HashMismatch {
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
func writeAuditExport(a *cli, x export.AuditTrail, format, out string) error {
	verdict := "chain intact"
	if !x.Intact {
		verdict = "chain BROKEN"
	}
	return writeSpreadsheet(a, format, out,
		func(w io.Writer) error { return export.AuditCSV(w, x) },
		func(w io.Writer) error { return export.AuditXLSX(w, x) },
		fmt.Sprintf("the audit trail (%d events, %s)", len(x.Entries), verdict))
}

// checkpointOptions are the flags of taskledger checkpoint.
type checkpointOptions struct{ store, key, out, newKey, origin string }

// originFlag adds --origin, the log's name in C2SP checkpoints.
func originFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "origin", audit.DefaultOrigin, "the log's origin: the first line of its checkpoints and the signing key's name (e.g. the address it is published at)")
}

func newCheckpointCommand(a *cli) *cobra.Command {
	var o checkpointOptions
	cmd := &cobra.Command{
		Use:   "checkpoint --key FILE | --new-key FILE",
		Short: "sign a Merkle checkpoint of the log, a C2SP tlog-checkpoint note (--new-key FILE makes a key)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runCheckpoint(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.key, "key", "", "the Ed25519 private key file (PEM, PKCS #8) that signs")
	fs.StringVar(&o.out, "out", "", "also write the checkpoint to this file")
	fs.StringVar(&o.newKey, "new-key", "", "make a key pair: the private key in FILE (0600), the public key in FILE.pub, the note verifier key in FILE.vkey")
	originFlag(fs, &o.origin)
	cmd.AddCommand(newCheckpointMigrateCommand(a))
	return cmd
}

// runCheckpoint verifies the log and writes a signed checkpoint of it, or
// with --new-key makes a key pair.
func runCheckpoint(ctx context.Context, a *cli, o checkpointOptions) error {
	if err := audit.CheckOrigin(o.origin); err != nil {
		return fmt.Errorf("%w: --origin: %v", errUsage, err)
	}
	if o.newKey != "" {
		pub, err := audit.NewKey(o.newKey)
		if err != nil {
			return err
		}
		vkey, err := audit.VerifierKey(o.origin, pub)
		if err != nil {
			return fmt.Errorf("%w: --origin: %v", errUsage, err)
		}
		if err := atomicfile.Write(o.newKey+".vkey", []byte(vkey+"\n"), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "wrote private key %s, public key %s.pub and verifier key %s.vkey (key id %s)\nverifier key (publish it): %s\n",
			o.newKey, o.newKey, o.newKey, audit.KeyID(pub), vkey)
		return nil
	}
	if o.key == "" {
		return fmt.Errorf("%w: --key is required (make one with --new-key FILE)", errUsage)
	}
	key, err := audit.ReadPrivateKey(o.key)
	if err != nil {
		return err
	}
	if o.store == "memory" {
		return fmt.Errorf("%w: checkpoints are kept beside an embedded store; --store memory has none", errUsage)
	}
	s, err := a.openStore(o.store, mustExist)
	if err != nil {
		return err
	}
	m := a.readMeter(ctx, s, "校验台账", "verify")
	res, err := audit.VerifyStore(ctx, withProgress(s, m, true, false), audit.VerifyOptions{})
	finish(m, err)
	s.Close()
	if err != nil {
		return fmt.Errorf("the log does not verify, so no checkpoint is signed: %w", err)
	}
	cp, err := audit.SignNote(key, o.origin, res.Events, res.Head, res.Root, a.now())
	if err != nil {
		return fmt.Errorf("%w: --origin: %v", errUsage, err)
	}
	vkey, err := audit.VerifierKey(o.origin, key.Public().(ed25519.PublicKey))
	if err != nil {
		return err
	}
	path, err := audit.SaveCheckpoint(checkpointDir(stateDir(o.store)), cp)
	if err != nil {
		return err
	}
	if o.out != "" {
		b, err := cp.Marshal()
		if err != nil {
			return err
		}
		if err := atomicfile.Write(o.out, b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "checkpoint: %d events up to position %d, root %s, key %s; kept as %s\nverifier key: %s\n",
		cp.Size, cp.Position, cp.Root, cp.KeyID, path, vkey)
	return nil
}

// checkpointMigrateOptions are the flags of taskledger checkpoint migrate.
type checkpointMigrateOptions struct{ store, key, origin string }

func newCheckpointMigrateCommand(a *cli) *cobra.Command {
	var o checkpointMigrateOptions
	cmd := &cobra.Command{
		Use:   "migrate --key FILE",
		Short: "re-sign the ledger's legacy JSON checkpoints as C2SP tlog-checkpoint notes (the JSON files stay)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runCheckpointMigrate(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.key, "key", "", "the Ed25519 private key file that signed them and signs the notes")
	originFlag(fs, &o.origin)
	return cmd
}

// runCheckpointMigrate checks each legacy checkpoint's signature and root
// against the log and writes its note.
func runCheckpointMigrate(ctx context.Context, a *cli, o checkpointMigrateOptions) error {
	if o.key == "" {
		return fmt.Errorf("%w: --key is required", errUsage)
	}
	if err := audit.CheckOrigin(o.origin); err != nil {
		return fmt.Errorf("%w: --origin: %v", errUsage, err)
	}
	if o.store == "memory" {
		return fmt.Errorf("%w: checkpoints are kept beside an embedded store; --store memory has none", errUsage)
	}
	key, err := audit.ReadPrivateKey(o.key)
	if err != nil {
		return err
	}
	x, err := indexStore(ctx, a, o.store)
	if err != nil {
		return err
	}
	dir := checkpointDir(stateDir(o.store))
	res, err := audit.MigrateCheckpoints(dir, key, o.origin, x)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "检查点迁移：%d 个旧格式检查点已重新签名为 C2SP 格式，%d 个已有新格式（%s）\n"+
		"checkpoints migrated: %d re-signed as C2SP notes, %d already had one (%s)\n",
		res.Migrated, res.Skipped, dir, res.Migrated, res.Skipped, dir)
	return nil
}

const proofLong = `Inclusion and consistency proofs (RFC 6962) against signed checkpoints,
checkable offline with the public key alone: proof inclusion proves an event
is in the log a checkpoint signs, proof consistency that a newer checkpoint's
log extends an older one's unchanged, and proof verify checks either.`

// newProofCommand makes inclusion and consistency proofs and verifies them
// offline.
func newProofCommand(a *cli) *cobra.Command {
	return groupCommand("proof", "inclusion and consistency proofs (proof inclusion|consistency|verify)", proofLong,
		newProofInclusionCommand(a), newProofConsistencyCommand(a), newProofVerifyCommand(a))
}

// indexStore opens a store and indexes its log for proofs.
func indexStore(ctx context.Context, a *cli, spec string) (*audit.Index, error) {
	s, err := a.openStore(spec, mustExist)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var x audit.Index
	m := a.readMeter(ctx, s, "建立默克尔树", "index")
	_, err = x.Sync(ctx, withProgress(s, m, true, false))
	if finish(m, err); err != nil {
		return nil, err
	}
	return &x, nil
}

func writeJSON(a *cli, out string, v any) error {
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

// proofInclusionOptions are the flags of taskledger proof inclusion.
type proofInclusionOptions struct {
	store, event, checkpoint, out string
	position                      uint64
}

func newProofInclusionCommand(a *cli) *cobra.Command {
	var o proofInclusionOptions
	cmd := &cobra.Command{
		Use:   "inclusion (--event ID | --position N) --checkpoint FILE",
		Short: "prove that an event is in the log a checkpoint signs",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runProofInclusion(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.event, "event", "", "the event's ID")
	fs.Uint64Var(&o.position, "position", 0, "the event's log position")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "the checkpoint the proof is against (its size is the tree size)")
	fs.StringVar(&o.out, "out", "", "write the proof here instead of to stdout")
	return cmd
}

func runProofInclusion(ctx context.Context, a *cli, o proofInclusionOptions) error {
	if (o.event == "") == (o.position == 0) || o.checkpoint == "" {
		return fmt.Errorf("%w: give --event or --position, and --checkpoint", errUsage)
	}
	var id uuid.UUID
	if o.event != "" {
		var err error
		if id, err = uuid.Parse(o.event); err != nil {
			return fmt.Errorf("%w: --event: %v", errUsage, err)
		}
	}
	cp, err := audit.ReadCheckpoint(o.checkpoint)
	if err != nil {
		return err
	}
	x, err := indexStore(ctx, a, o.store)
	if err != nil {
		return err
	}
	var leaf uint64
	if o.event != "" {
		leaf, err = x.LeafOfID(id)
	} else {
		leaf, err = x.LeafOfPosition(o.position)
	}
	if err != nil {
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
	return writeJSON(a, o.out, p)
}

// proofConsistencyOptions are the flags of taskledger proof consistency.
type proofConsistencyOptions struct{ store, old, new, out string }

func newProofConsistencyCommand(a *cli) *cobra.Command {
	var o proofConsistencyOptions
	cmd := &cobra.Command{
		Use:   "consistency --old FILE --new FILE",
		Short: "prove that a newer checkpoint's log extends an older one's unchanged",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runProofConsistency(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.old, "old", "", "the older checkpoint")
	fs.StringVar(&o.new, "new", "", "the newer checkpoint")
	fs.StringVar(&o.out, "out", "", "write the proof here instead of to stdout")
	return cmd
}

func runProofConsistency(ctx context.Context, a *cli, o proofConsistencyOptions) error {
	if o.old == "" || o.new == "" {
		return fmt.Errorf("%w: --old and --new are required", errUsage)
	}
	oldCP, err := audit.ReadCheckpoint(o.old)
	if err != nil {
		return err
	}
	newCP, err := audit.ReadCheckpoint(o.new)
	if err != nil {
		return err
	}
	x, err := indexStore(ctx, a, o.store)
	if err != nil {
		return err
	}
	p, err := x.Consistency(oldCP.Size, newCP.Size)
	if err != nil {
		return err
	}
	return writeJSON(a, o.out, p)
}

// proofVerifyOptions are the flags of taskledger proof verify.
type proofVerifyOptions struct{ proof, pubkey, checkpoint, old, new string }

func newProofVerifyCommand(a *cli) *cobra.Command {
	var o proofVerifyOptions
	cmd := &cobra.Command{
		Use:   "verify --proof FILE --pubkey FILE (--checkpoint FILE | --old FILE --new FILE)",
		Short: "check a proof offline against signed checkpoints",
		Args:  noArgs,
		RunE:  func(*cobra.Command, []string) error { return runProofVerify(a, o) },
	}
	fs := cmd.Flags()
	fs.StringVar(&o.proof, "proof", "", "the proof (JSON, from proof inclusion or proof consistency)")
	fs.StringVar(&o.pubkey, "pubkey", "", "the public key that signs checkpoints: PEM (FILE.pub) or the note verifier key (FILE.vkey)")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "an inclusion proof's checkpoint")
	fs.StringVar(&o.old, "old", "", "a consistency proof's older checkpoint")
	fs.StringVar(&o.new, "new", "", "a consistency proof's newer checkpoint")
	return cmd
}

func runProofVerify(a *cli, o proofVerifyOptions) error {
	if o.proof == "" || o.pubkey == "" {
		return fmt.Errorf("%w: --proof and --pubkey are required", errUsage)
	}
	pub, err := audit.ReadPublicKey(o.pubkey)
	if err != nil {
		return err
	}
	p, err := audit.ReadProof(o.proof)
	if err != nil {
		return err
	}
	switch p := p.(type) {
	case *audit.InclusionProof:
		if o.checkpoint == "" {
			return fmt.Errorf("%w: an inclusion proof needs --checkpoint", errUsage)
		}
		cp, err := audit.ReadCheckpoint(o.checkpoint)
		if err != nil {
			return err
		}
		if err := p.Verify(cp, pub); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "OK: event %s (stream %s version %d, position %d, leaf %d) is in the log of %d events signed by key %s at %s\n",
			p.EventID, p.Stream, p.Version, p.Position, p.LeafIndex, cp.Size, cp.KeyID, cp.Time.Format(time.RFC3339))
	case *audit.ConsistencyProof:
		if o.old == "" || o.new == "" {
			return fmt.Errorf("%w: a consistency proof needs --old and --new", errUsage)
		}
		oldCP, err := audit.ReadCheckpoint(o.old)
		if err != nil {
			return err
		}
		newCP, err := audit.ReadCheckpoint(o.new)
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

func newExportCommand(a *cli) *cobra.Command {
	var store, out string
	cmd := &cobra.Command{
		Use:   "export --out FILE",
		Short: "write the whole log as JSON lines with hashes",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runLedgerExport(cmd.Context(), a, store, out) },
	}
	storeFlag(a, cmd.Flags(), &store)
	cmd.Flags().StringVar(&out, "out", "", "the export file (JSON lines; - for stdout)")
	return cmd
}

// runLedgerExport writes the whole log as JSON lines.
func runLedgerExport(ctx context.Context, a *cli, store, out string) error {
	if out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	s, err := a.openStore(store, readOnly)
	if err != nil {
		return err
	}
	defer s.Close()
	if out == "-" {
		_, err := audit.Export(ctx, s, a.stdout, a.now())
		return err
	}
	tmp := out + ".partial"
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
		err = os.Rename(tmp, out)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(a.stdout, "exported %d events up to position %d to %s; root %s\n", res.Events, res.Head, out, res.Root)
	return nil
}

// verifyOptions are the flags of taskledger verify.
type verifyOptions struct {
	store, export, checkpoint, pubkey string
	workers                           int
}

func newVerifyCommand(a *cli) *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify (--store DIR | --export FILE)",
		Short: "check a store or an export offline: hashes, chains, order, Merkle root",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runVerify(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	fs.StringVar(&o.store, "store", "", "the ledger: an embedded store's directory, postgres://… or esdb://…")
	fs.StringVar(&o.export, "export", "", "an export file written by taskledger export")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "a checkpoint the log must extend")
	fs.StringVar(&o.pubkey, "pubkey", "", "the public key that must have signed the checkpoint")
	fs.IntVar(&o.workers, "workers", 0, "hashing goroutines (default: one per core)")
	return cmd
}

// options reads the checkpoint and key the flags name.
func (o verifyOptions) options(a *cli) (audit.VerifyOptions, error) {
	opts := audit.VerifyOptions{Workers: o.workers}
	if (o.store == "") == (o.export == "") {
		return opts, fmt.Errorf("%w: give exactly one of --store and --export", errUsage)
	}
	if o.pubkey != "" && o.checkpoint == "" {
		return opts, fmt.Errorf("%w: --pubkey checks a --checkpoint", errUsage)
	}
	if o.checkpoint != "" {
		cp, err := audit.ReadCheckpoint(o.checkpoint)
		if err != nil {
			return opts, err
		}
		opts.Checkpoint = cp
		if o.pubkey == "" {
			fmt.Fprintln(a.stderr, "warning: no --pubkey: the checkpoint's signature is not checked")
		}
	}
	if o.pubkey != "" {
		pub, err := audit.ReadPublicKey(o.pubkey)
		if err != nil {
			return opts, err
		}
		opts.PublicKey = pub
	}
	return opts, nil
}

// verifyLog verifies the store or the export the flags name; what names it.
func (o verifyOptions) verifyLog(ctx context.Context, a *cli, opts audit.VerifyOptions) (res audit.VerifyResult, what string, err error) {
	if o.export != "" {
		f, err := os.Open(o.export)
		if err != nil {
			return res, o.export, fmt.Errorf("verify: %w", err)
		}
		defer f.Close()
		var size int64
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		m := a.meter("校验导出文件", "verify export", "字节", "bytes", size)
		res, err = audit.VerifyExport(ctx, &progressReader{r: f, m: m}, opts)
		finish(m, err)
		return res, o.export, err
	}
	s, err := a.openStore(o.store, readOnly)
	if err != nil {
		return res, o.store, err
	}
	defer s.Close()
	m := a.readMeter(ctx, s, "校验台账", "verify")
	res, err = audit.VerifyStore(ctx, withProgress(s, m, true, false), opts)
	if finish(m, err); err != nil {
		return res, o.store, err
	}
	return res, o.store, verifyEvidence(ctx, a, s, o.store)
}

// runVerify checks a store or an export offline: every hash, every
// stream's chain, the order, the Merkle root, and optionally a checkpoint.
func runVerify(ctx context.Context, a *cli, o verifyOptions) error {
	opts, err := o.options(a)
	if err != nil {
		return err
	}
	start := time.Now()
	res, what, err := o.verifyLog(ctx, a, opts)
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
