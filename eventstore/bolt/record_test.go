package bolt

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
)

type anyName struct{}

func (anyName) name(kind byte, id uint32) (string, error) { return string(kind), nil }

func (anyName) payloadCodecs() *codecs { return &codecs{} }

func FuzzDecodeBody(f *testing.F) {
	e := domain.Event{ID: uuid.New(), Type: "T", RecordedAt: base, EffectiveAt: base, CorrelationID: uuid.New(), Payload: []byte(`{"a":1}`)}
	e.Seal("s", 1, domain.Hash{})
	var st deltaState
	f.Add(appendBody(nil, &e, ids{1, 1, 1}, &st, e.Payload, formPlain))
	f.Add([]byte{0x7f})
	f.Fuzz(func(t *testing.T, b []byte) {
		var st deltaState
		var e domain.Event
		_, _ = decodeBody(b, &st, anyName{}, &e) // must not panic
		_, _ = decodeBody(b, &st, nil, nil)
		_, _ = recordID(b)
	})
}

// FuzzRecordRoundTrip encodes events with arbitrary field values and checks
// they decode to the same event, hash included.
func FuzzRecordRoundTrip(f *testing.F) {
	f.Add(int64(0), int64(0), int64(0), uint16(1), uint64(1), []byte("{}"), uint8(0), true)
	f.Add(base.UnixNano(), int64(-86400e9), int64(3600e9), uint16(7), uint64(1<<40), []byte(nil), uint8(5), false)
	f.Add(int64(math.MaxInt64), int64(math.MinInt64), int64(1), uint16(0), uint64(0), []byte("x"), uint8(15), true)
	f.Fuzz(func(t *testing.T, rec, effDelta, prevRec int64, schema uint16, version uint64, payload []byte, mode uint8, firstInStream bool) {
		c1, c2 := uuid.New(), uuid.New()
		e := domain.Event{ID: uuid.New(), Type: "T", SchemaVersion: schema, Actor: "a", Payload: payload}
		if mode&1 == 0 {
			e.RecordedAt = time.Unix(0, rec).UTC()
		}
		if mode&2 == 0 {
			e.EffectiveAt = time.Unix(0, rec+effDelta).UTC()
		}
		st := deltaState{recorded: prevRec, causation: c1, correlation: c2}
		switch mode >> 2 & 3 {
		case 1:
			e.CausationID, e.CorrelationID = c1, c2 // both "same as previous"
		case 2:
			e.CausationID, e.CorrelationID = c2, c2
		case 3:
			e.CausationID = c1
		}
		var prev domain.Hash
		if !firstInStream {
			prev = domain.Hash{1, 2, 3}
		}
		e.Seal("stream", version, prev)
		enc, dec := st, st
		body := appendBody(nil, &e, ids{1, 2, 3}, &enc, payload, formPlain)
		var got domain.Event
		if _, err := decodeBody(body, &dec, anyName{}, &got); err != nil {
			t.Fatal(err)
		}
		if dec != enc {
			t.Fatalf("delta state after decode %+v, after encode %+v", dec, enc)
		}
		got.Stream, got.Type, got.Actor = e.Stream, e.Type, e.Actor // anyName gives placeholders
		if err := got.Verify(); err != nil {
			t.Fatal(err)
		}
		if got.Hash != e.Hash || got.ID != e.ID || got.Version != e.Version || !bytes.Equal(got.Payload, e.Payload) ||
			got.RecordedAt.IsZero() != e.RecordedAt.IsZero() || got.EffectiveAt.IsZero() != e.EffectiveAt.IsZero() {
			t.Fatalf("decoded %+v, encoded %+v", got, e)
		}
	})
}
