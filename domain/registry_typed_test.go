package domain

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"taskledger/internal/packed"
)

// TestEveryEventTypeHasATypedDecoder: each taskledger payload type decodes
// through its typed decoder, not the slower reflect path, so a new event
// type cannot quietly make replay slower.
func TestEveryEventTypeHasATypedDecoder(t *testing.T) {
	for _, sample := range AllEventTypes() {
		if typedDecoderFor(sample).decode == nil {
			t.Errorf("%s has no typed decoder: add it to typedDecoderFor", sample.EventType())
		}
	}
}

// TestReusedDecoderLeavesNothingBehind: a field present in one payload
// must not appear in the next payload of the same type that leaves it out.
func TestReusedDecoderLeavesNothingBehind(t *testing.T) {
	reg := DefaultRegistry()
	full := `{"plan":"chifeng-air","task":10,"unit":"county.ningcheng","role":"IMPLEMENTING","percent":40,"previous":30,"period":"2025-03","note":"已完成","attachments":[{"name":"a.pdf","size":12}]}`
	bare := `{"plan":"p2","task":2,"unit":"county.b","role":"IMPLEMENTING","percent":5,"previous":0}`
	for i := 0; i < 3; i++ {
		f, err := reg.Decode(&Event{Type: "ProgressReported", SchemaVersion: 1, Payload: []byte(full)})
		if err != nil {
			t.Fatal(err)
		}
		if p := f.(ProgressReported); p.Period.IsZero() || p.Note == "" || len(p.Attachments) != 1 || p.Attachments[0].Size != 12 {
			t.Fatalf("round %d: full payload decoded to %+v", i, p)
		}
		d, err := reg.Decode(&Event{Type: "ProgressReported", SchemaVersion: 1, Payload: []byte(bare)})
		if err != nil {
			t.Fatal(err)
		}
		want := ProgressReported{ObligationKey: ObligationKey{Plan: "p2", Task: 2, Unit: "county.b", Role: RoleImplementing}, Percent: 5}
		if !reflect.DeepEqual(d, want) {
			t.Fatalf("round %d: decoded %#v, want %#v", i, d, want)
		}
	}
}

// TestDecodeConcurrently: replay decodes on several goroutines with one
// registry; each gets its own payload's values (run with -race).
func TestDecodeConcurrently(t *testing.T) {
	reg := DefaultRegistry()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				note := fmt.Sprintf("g%d-%d", g, i)
				_, _, p, err := reg.Encode(ProgressReported{ObligationKey: ObligationKey{Plan: "p", Task: TaskNo(i + 1), Unit: "county.a", Role: RoleImplementing}, Percent: Percent(i % 101), Note: note})
				if err != nil {
					t.Error(err)
					return
				}
				d, err := reg.Decode(&Event{Type: "ProgressReported", SchemaVersion: 1, Payload: p})
				if err != nil {
					t.Error(err)
					return
				}
				if got := d.(ProgressReported); got.Note != note || got.Task != TaskNo(i+1) {
					t.Errorf("goroutine %d decoded %+v, want note %s", g, got, note)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

// TestDecodeRefusesEveryTruncatedPayload: a damaged ledger must be refused,
// not crash or half-decode. Every proper prefix of every golden payload
// (no prefix of a JSON object is JSON) is an error naming the event type.
func TestDecodeRefusesEveryTruncatedPayload(t *testing.T) {
	golden, err := os.ReadFile(payloadGolden)
	if err != nil {
		t.Fatalf("read %s: %v", payloadGolden, err)
	}
	reg := DefaultRegistry()
	for i, line := range bytes.Split(bytes.TrimSpace(golden), []byte("\n")) {
		name, payload, ok := bytes.Cut(line, []byte(" "))
		if !ok {
			t.Fatalf("line %d: no type name", i+1)
		}
		for n := range len(payload) {
			d, err := reg.Decode(&Event{Type: string(name), SchemaVersion: 1, Payload: payload[:n]})
			if err == nil || d != nil {
				t.Fatalf("line %d (%s): %d of %d bytes decoded to %#v, %v", i+1, name, n, len(payload), d, err)
			}
			if !strings.Contains(err.Error(), string(name)) {
				t.Fatalf("line %d: error %q does not name the event type", i+1, err)
			}
		}
	}
}

// otherPayload is a payload type outside taskledger's own list, which
// therefore decodes through reflect.
type otherPayload struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Tags  []string `json:"tags,omitempty"`
}

func (otherPayload) EventType() string { return "OtherPayload" }

// TestRegisteredTypeWithoutTypedDecoderStillDecodes: a type registered
// by a caller (not in typedDecoderFor) reads and refuses payloads the same
// way, through reflect.
func TestRegisteredTypeWithoutTypedDecoderStillDecodes(t *testing.T) {
	reg := NewRegistry()
	reg.Register(otherPayload{}, 1)
	want := otherPayload{Name: "甲", Count: 3, Tags: []string{"a"}}
	_, v, p, err := reg.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := reg.Decode(&Event{Type: "OtherPayload", SchemaVersion: v, Payload: p})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %#v, %v; want %#v", got, err, want)
	}
	if _, err := reg.Decode(&Event{Type: "OtherPayload", SchemaVersion: v, Payload: p[:len(p)-1]}); err == nil {
		t.Error("a truncated payload decoded without error")
	}
}

// TestDecodedValuesStayTheirOwn: values decoded one after another share
// the decoder's memory slabs; each one handed out must keep its own
// contents, through both the packed and the JSON decoders, however many
// follow it.
func TestDecodedValuesStayTheirOwn(t *testing.T) {
	reg := DefaultRegistry()
	events := make([]*Event, 300)
	for i := range events {
		_, v, p, err := reg.Encode(ProgressReported{
			ObligationKey: ObligationKey{Plan: "p", Task: TaskNo(i + 1), Unit: "county.a", Role: RoleImplementing},
			Percent:       Percent(i % 101),
			Note:          fmt.Sprintf("第%d次报告", i),
		})
		if err != nil {
			t.Fatal(err)
		}
		events[i] = &Event{Type: "ProgressReported", SchemaVersion: v, Payload: p}
	}
	decoders := map[string]func(e *Event) (EventData, error){
		"json": reg.Decode,
		"packed": func(e *Event) (EventData, error) {
			text, vals, ok := packed.Pack(nil, e.Payload, runs)
			sh, err := packed.ParseShape(text)
			if !ok || err != nil {
				t.Fatalf("%s does not pack: %v", e.Payload, err)
			}
			return reg.DecodePacked(e, sh, vals, unruns)
		},
	}
	for name, decode := range decoders {
		got := make([]EventData, len(events))
		for i, e := range events {
			d, err := decode(e)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got[i] = d
		}
		for i, d := range got {
			p, ok := d.(ProgressReported)
			if !ok || int(p.Task) != i+1 || p.Note != fmt.Sprintf("第%d次报告", i) || int(p.Percent) != i%101 {
				t.Fatalf("%s: value %d now reads %+v", name, i, d)
			}
			var want EventData = p
			if !reflect.DeepEqual(d, want) || reflect.TypeOf(d) != reflect.TypeOf(want) {
				t.Fatalf("%s: value %d is not equal to its own copy", name, i)
			}
		}
	}
}
