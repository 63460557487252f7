package esdb

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"taskledger/domain"
)

// envelopeFormat is the version of the metadata layout below.
const envelopeFormat = 1

// envelope is the event metadata JSON stored beside each event's payload.
// Everything the ledger hashes that is not the payload, the ID or the type
// lives here, so an event read back verifies without any other record.
type envelope struct {
	Format        int         `json:"taskledger"`
	Stream        string      `json:"stream"`
	Version       uint64      `json:"version"`
	SchemaVersion uint16      `json:"schema_version"`
	RecordedAt    time.Time   `json:"recorded_at"`
	EffectiveAt   time.Time   `json:"effective_at"`
	Actor         string      `json:"actor"`
	CausationID   uuid.UUID   `json:"causation_id"`
	CorrelationID uuid.UUID   `json:"correlation_id"`
	PrevHash      domain.Hash `json:"prev_hash"`
	Hash          domain.Hash `json:"hash"`
	// EventStoreDB's own names, which its $by_correlation_id projection and
	// its UI understand. Informational; the fields above are authoritative.
	ESCorrelationID string `json:"$correlationId,omitempty"`
	ESCausationID   string `json:"$causationId,omitempty"`
}

// toEventData encodes a sealed event for the client. The event ID is always
// the ledger's own (never zero: the client would substitute a random one,
// and a retried append would then not be recognised as a duplicate).
func toEventData(e *domain.Event) (client.EventData, error) {
	if e.ID == uuid.Nil {
		return client.EventData{}, fmt.Errorf("event of type %s has no ID", e.Type)
	}
	env := envelope{
		Format: envelopeFormat, Stream: e.Stream, Version: e.Version, SchemaVersion: e.SchemaVersion,
		RecordedAt: e.RecordedAt, EffectiveAt: e.EffectiveAt, Actor: e.Actor,
		CausationID: e.CausationID, CorrelationID: e.CorrelationID,
		PrevHash: e.PrevHash, Hash: e.Hash,
	}
	if e.CorrelationID != uuid.Nil {
		env.ESCorrelationID = e.CorrelationID.String()
	}
	if e.CausationID != uuid.Nil {
		env.ESCausationID = e.CausationID.String()
	}
	meta, err := json.Marshal(env)
	if err != nil {
		return client.EventData{}, fmt.Errorf("encode envelope of %s: %w", e.ID, err)
	}
	ct := client.ContentTypeBinary
	if json.Valid(e.Payload) {
		ct = client.ContentTypeJson
	}
	return client.EventData{EventID: e.ID, EventType: e.Type, ContentType: ct, Data: e.Payload, Metadata: meta}, nil
}

// fromRecorded decodes a stored event. stream is the ledger's stream name
// (without the store's prefix).
func fromRecorded(r *client.RecordedEvent, stream string) (domain.Event, error) {
	var env envelope
	if err := json.Unmarshal(r.UserMetadata, &env); err != nil || env.Format == 0 {
		return domain.Event{}, fmt.Errorf("event %s at %s@%d is not a taskledger event (metadata: %v)", r.EventID, r.StreamID, r.EventNumber, err)
	}
	if env.Format != envelopeFormat {
		return domain.Event{}, fmt.Errorf("event %s: unknown envelope format %d", r.EventID, env.Format)
	}
	e := domain.Event{
		ID: r.EventID, Stream: stream, Version: r.EventNumber + 1, Type: r.EventType,
		SchemaVersion: env.SchemaVersion, RecordedAt: env.RecordedAt, EffectiveAt: env.EffectiveAt,
		Actor: env.Actor, CausationID: env.CausationID, CorrelationID: env.CorrelationID,
		Payload: r.Data, PrevHash: env.PrevHash, Hash: env.Hash,
		Position: commitPosition(r),
	}
	if env.Stream != stream || env.Version != e.Version {
		return domain.Event{}, fmt.Errorf("event %s is stored at %s version %d but was sealed for %s version %d",
			r.EventID, stream, e.Version, env.Stream, env.Version)
	}
	return e, nil
}

// commitPosition is the event's $all commit position, or 0 when the read
// did not carry one (stream reads on some server versions report
// math.MaxUint64: the index has no commit positions).
func commitPosition(r *client.RecordedEvent) uint64 {
	c := r.Position.Commit
	if c == ^uint64(0) {
		return 0
	}
	return c
}

// isSystem reports EventStoreDB's own streams and event types ($…).
func isSystem(stream, typ string) bool {
	return strings.HasPrefix(stream, "$") || strings.HasPrefix(typ, "$")
}
