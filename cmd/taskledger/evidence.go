package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"taskledger/app"
	"taskledger/evidence"
	"taskledger/internal/atomicfile"
)

const evidenceLong = `Evidence files (佐证材料) are kept beside the ledger by the SHA-256 of
their bytes: in DIR/evidence for the embedded store, in the table
taskledger_evidence of a PostgreSQL ledger's schema, and in the state folder
($TASKLEDGER_STATE/evidence) for EventStoreDB. Reports and claims attach
them by that hash (GraphQL: attachments), so verify, export and proofs
cover them. A file is accepted by its content, never its name: PDF, PNG,
JPEG, GIF, WebP, Word, Excel and PowerPoint files (also 97–2003), plain text
and CSV, at most 20 MiB here (serve --evidence-max-size sets the server's
limit).

put keeps a file, acting as the --token holder (a bureau or county) or as
the operator, and prints its handle; putting the same bytes again stores
nothing new. get writes a file out under the same rules as downloads: a
bureau or county token only files attached to its own unit's duties.`

// newEvidenceCommand is the evidence subcommand: put and get files.
func newEvidenceCommand(a *cli) *cobra.Command {
	return groupCommand("evidence", "keep and fetch evidence files (evidence put FILE | get SHA256 -o FILE)", evidenceLong,
		newEvidencePutCommand(a), newEvidenceGetCommand(a))
}

// evidenceOptions are the flags of taskledger evidence put and get.
type evidenceOptions struct {
	store, name, out string
}

func newEvidencePutCommand(a *cli) *cobra.Command {
	var o evidenceOptions
	cmd := &cobra.Command{
		Use:   "put FILE",
		Short: "keep an evidence file and print its handle (sha256 and name)",
		Long:  evidenceLong,
		Args:  exactArgs(1, "one FILE"),
		RunE:  func(cmd *cobra.Command, args []string) error { return runEvidencePut(cmd.Context(), a, o, args[0]) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	addPrincipalFlags(a, fs)
	fs.StringVar(&o.name, "name", "", "the name to show for the file (default: FILE's own name)")
	return cmd
}

func runEvidencePut(ctx context.Context, a *cli, o evidenceOptions, file string) error {
	data, err := readEvidenceFile(file)
	if err != nil {
		return err
	}
	name := o.name
	if name == "" {
		name = filepath.Base(file)
	}
	return a.withDoor(ctx, o.store, func(d door, _ *ledger) error {
		f, err := d.svc.UploadEvidence(ctx, d.who, app.UploadInput{Name: name, Data: data})
		if err != nil {
			return refusal(err)
		}
		state := "已保存 (stored)"
		if !f.Created {
			state = "已存在，未重复保存 (already stored)"
		}
		fmt.Fprintf(a.stdout, "%s\t%s\t%s\t%d 字节 (bytes)\t%s\n", f.SHA256, f.Name, f.MediaType, f.Size, state)
		return nil
	})
}

// readEvidenceFile reads a file to put, one byte past the default limit at
// most, so that the application layer sees and refuses a larger one.
func readEvidenceFile(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("evidence put: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, evidence.DefaultMaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("evidence put: %w", err)
	}
	return b, nil
}

func newEvidenceGetCommand(a *cli) *cobra.Command {
	var o evidenceOptions
	cmd := &cobra.Command{
		Use:   "get SHA256 -o FILE",
		Short: "write an evidence file out",
		Long:  evidenceLong,
		Args:  exactArgs(1, "one SHA256"),
		RunE:  func(cmd *cobra.Command, args []string) error { return runEvidenceGet(cmd.Context(), a, o, args[0]) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	addPrincipalFlags(a, fs)
	fs.StringVarP(&o.out, "out", "o", "", "the file to write")
	return cmd
}

func runEvidenceGet(ctx context.Context, a *cli, o evidenceOptions, sum string) error {
	if o.out == "" {
		return fmt.Errorf("%w: give the file to write with -o FILE", errUsage)
	}
	return a.withDoor(ctx, o.store, func(d door, _ *ledger) error {
		f, err := d.svc.DownloadEvidence(ctx, d.who, sum)
		if err != nil {
			return refusal(err)
		}
		if err := atomicfile.Write(o.out, f.Data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "已写出「%s」（%s，%d 字节）到 %s · wrote %s (%s, %d bytes) to %s\n",
			f.Name, f.MediaType, f.Size, o.out, f.Name, f.MediaType, f.Size, o.out)
		return nil
	})
}
