package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
)

// ExportFormat names the export file format (docs/ledger-format.md).
const ExportFormat = "taskledger-export/1"

// exportHeader is an export's first line.
type exportHeader struct {
	Format     string    `json:"format"`
	ExportedAt time.Time `json:"exported_at"`
}

// exportTrailer is an export's last line.
type exportTrailer struct {
	End *exportEnd `json:"end"`
}

type exportEnd struct {
	Events uint64 `json:"events"`
	Head   uint64 `json:"head"`
	Root   Hash   `json:"root"`
}

// exportLine is one event of an export. Payload holds the payload bytes
// verbatim when they are JSON on one line; otherwise PayloadBase64 holds
// them.
type exportLine struct {
	Leaf          uint64          `json:"leaf"`
	Position      uint64          `json:"position"`
	ID            uuid.UUID       `json:"id"`
	Stream        string          `json:"stream"`
	Version       uint64          `json:"version"`
	Type          string          `json:"type"`
	SchemaVersion uint16          `json:"schema_version"`
	RecordedAt    time.Time       `json:"recorded_at"`
	EffectiveAt   time.Time       `json:"effective_at"`
	Actor         string          `json:"actor"`
	CausationID   uuid.UUID       `json:"causation_id"`
	CorrelationID uuid.UUID       `json:"correlation_id"`
	PrevHash      Hash            `json:"prev_hash"`
	Hash          Hash            `json:"hash"`
	PayloadBase64 []byte          `json:"payload_base64,omitempty"`
	Payload       json.RawMessage `json:"payload,omitempty"`
}

// appendExportLine appends e's export line (with its line feed) to dst.
func appendExportLine(dst []byte, leaf uint64, e *domain.Event) ([]byte, error) {
	l := exportLine{
		Leaf: leaf, Position: e.Position, ID: e.ID, Stream: e.Stream, Version: e.Version,
		Type: e.Type, SchemaVersion: e.SchemaVersion, RecordedAt: e.RecordedAt, EffectiveAt: e.EffectiveAt,
		Actor: e.Actor, CausationID: e.CausationID, CorrelationID: e.CorrelationID,
		PrevHash: e.PrevHash, Hash: e.Hash,
	}
	raw := len(e.Payload) > 0 && bytes.IndexByte(e.Payload, '\n') < 0 && bytes.IndexByte(e.Payload, '\r') < 0 && json.Valid(e.Payload)
	if !raw && len(e.Payload) > 0 {
		l.PayloadBase64 = e.Payload
	}
	b, err := json.Marshal(&l)
	if err != nil {
		return dst, fmt.Errorf("export position %d: %w", e.Position, err)
	}
	dst = append(dst, b[:len(b)-1]...)
	if raw {
		dst = append(dst, `,"payload":`...)
		dst = append(dst, e.Payload...)
	}
	return append(dst, '}', '\n'), nil
}

// decodeExportLine parses one event line into e.
func decodeExportLine(line []byte, e *domain.Event) (leaf uint64, err error) {
	var l exportLine
	if err := json.Unmarshal(line, &l); err != nil {
		return 0, err
	}
	*e = domain.Event{
		ID: l.ID, Stream: l.Stream, Version: l.Version, Position: l.Position, Type: l.Type,
		SchemaVersion: l.SchemaVersion, RecordedAt: l.RecordedAt, EffectiveAt: l.EffectiveAt,
		Actor: l.Actor, CausationID: l.CausationID, CorrelationID: l.CorrelationID,
		PrevHash: l.PrevHash, Hash: l.Hash, Payload: l.PayloadBase64,
	}
	if l.Payload != nil {
		if l.PayloadBase64 != nil {
			return 0, errors.New("both payload and payload_base64")
		}
		e.Payload = l.Payload
	}
	return l.Leaf, nil
}

// ExportResult describes a finished export.
type ExportResult struct {
	Events uint64
	Head   uint64
	Root   Hash
}

// Export writes the whole log of s to w in the export format: a header
// line, one line per event in log order, a trailer line with the count, the
// last position and the Merkle root.
func Export(ctx context.Context, s eventstore.Store, w io.Writer, now time.Time) (ExportResult, error) {
	var res ExportResult
	bw := bufio.NewWriterSize(w, 1<<20)
	h, err := json.Marshal(exportHeader{Format: ExportFormat, ExportedAt: now.UTC()})
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	bw.Write(append(h, '\n'))
	var b Builder
	var line []byte
	err = scanStore(ctx, s, func(e *domain.Event) error {
		var err error
		line, err = appendExportLine(line[:0], res.Events, e)
		if err != nil {
			return err
		}
		if _, err := bw.Write(line); err != nil {
			return err
		}
		b.Append(LeafHash(e.Hash))
		res.Events++
		res.Head = e.Position
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	res.Root = b.Root()
	t, err := json.Marshal(exportTrailer{End: &exportEnd{Events: res.Events, Head: res.Head, Root: res.Root}})
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	bw.Write(append(t, '\n'))
	if err := bw.Flush(); err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	return res, nil
}

// scanner is the fast full-log read some stores offer (eventstore/bolt).
type scanner interface {
	ScanAll(ctx context.Context, after uint64, fn func(*domain.Event) error) error
}

// scanStore calls fn for every event of s in log order; fn must not keep e
// or its payload.
func scanStore(ctx context.Context, s eventstore.Store, fn func(*domain.Event) error) error {
	return scanAfter(ctx, s, 0, fn)
}

// scanAfter calls fn for every event of s after a position, in log order.
func scanAfter(ctx context.Context, s eventstore.Store, after uint64, fn func(*domain.Event) error) error {
	if sc, ok := s.(scanner); ok {
		return sc.ScanAll(ctx, after, fn)
	}
	for {
		batch, err := s.ReadAll(ctx, after, 4096)
		if err != nil {
			return fmt.Errorf("read log after %d: %w", after, err)
		}
		if len(batch) == 0 {
			return nil
		}
		for i := range batch {
			if err := fn(&batch[i]); err != nil {
				return err
			}
		}
		after = batch[len(batch)-1].Position
	}
}
