package domain

import (
	"encoding/json"
	"fmt"
	"taskledger/internal/packed"
	"testing"
)

// benchPayloads are progress reports as the store benchmark writes them.
func benchPayloads(b *testing.B) []*Event {
	b.Helper()
	reg := DefaultRegistry()
	out := make([]*Event, 256)
	for i := range out {
		_, v, p, err := reg.Encode(ProgressReported{
			ObligationKey: ObligationKey{Plan: "bench", Task: TaskNo(i + 1), Unit: UnitID(fmt.Sprintf("county.bench-%02d", i%40)), Role: RoleImplementing},
			Percent:       Percent(i % 101),
			Note:          fmt.Sprintf("第%d次进展报告：已完成燃煤锅炉排查%d台，淘汰改造%d台，剩余项目按计划推进。", i+1, 10+i%50, i%17),
			Period:        YearMonth{y: 2025, m: 3},
		})
		if err != nil {
			b.Fatal(err)
		}
		out[i] = &Event{Type: "ProgressReported", SchemaVersion: v, Payload: p}
	}
	return out
}

// BenchmarkDecodePayload compares the registry's payload decoder with
// encoding/json on the same payloads; one op is one payload decoded to
// its typed value. (Run with -cpu 1 to compare per-core cost.)
func BenchmarkDecodePayload(b *testing.B) {
	reg := DefaultRegistry()
	events := benchPayloads(b)
	b.Run("registry", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := reg.Decode(events[i&255]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			var p ProgressReported
			if err := json.Unmarshal(events[i&255].Payload, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEncodePayload compares the registry's payload writer with
// encoding/json's Marshal, which writes the same bytes; one op is one
// progress report encoded.
func BenchmarkEncodePayload(b *testing.B) {
	reg := DefaultRegistry()
	events := benchPayloads(b)
	payloads := make([]EventData, len(events))
	for i, e := range events {
		d, err := reg.Decode(e)
		if err != nil {
			b.Fatal(err)
		}
		payloads[i] = d
	}
	b.Run("registry", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, _, _, err := reg.Encode(payloads[i&255]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := json.Marshal(payloads[i&255]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodePacked decodes the packed form of BenchmarkDecodePayload's
// progress reports (strings coded by the test codec) straight into typed
// values, as replay does on a format 4 ledger; one op is one payload.
func BenchmarkDecodePacked(b *testing.B) {
	reg := DefaultRegistry()
	events := benchPayloads(b)
	type packedEvent struct {
		sh   *packed.Shape
		vals []byte
	}
	ps := make([]packedEvent, len(events))
	for i, e := range events {
		text, vals, ok := packed.Pack(nil, e.Payload, runs)
		sh, err := packed.ParseShape(text)
		if !ok || err != nil {
			b.Fatalf("payload %d does not pack: %v", i, err)
		}
		ps[i] = packedEvent{sh, vals}
	}
	for i := 0; b.Loop(); i++ {
		p := ps[i&255]
		if _, err := reg.DecodePacked(events[i&255], p.sh, p.vals, unruns); err != nil {
			b.Fatal(err)
		}
	}
}
