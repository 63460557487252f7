package domain

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"

	"taskledger/internal/packed"
	"taskledger/internal/packed/packedtest"
)

var (
	runs   = packedtest.Runs
	unruns = packedtest.Unruns
)

// decodeBothWays decodes payload of type typ from JSON (Decode) and from
// its packed form (DecodePacked), and says whether a program read it.
func decodeBothWays(t *testing.T, r *Registry, typ string, payload []byte) (fromJSON, fromPacked EventData, errJSON, errPacked error, fast bool) {
	t.Helper()
	e := Event{ID: uuid.New(), Type: typ, SchemaVersion: 1, Payload: payload}
	fromJSON, errJSON = r.Decode(&e)
	text, vals, ok := packed.Pack(nil, payload, runs)
	if !ok {
		t.Fatalf("%s: %s did not pack", typ, payload)
	}
	sh, err := packed.ParseShape(text)
	if err != nil {
		t.Fatal(err)
	}
	e.Payload = nil
	fromPacked, errPacked = r.DecodePacked(&e, sh, vals, unruns)
	if reg := r.types[typ]; reg.packed != nil {
		_, fast = reg.packed(sh, vals, unruns)
	}
	return fromJSON, fromPacked, errJSON, errPacked, fast
}

// TestPackedDecodeAgreesWithJSON decodes every event type's sample, and
// variants of a progress report that a program must not read (or must
// refuse as JSON does), from JSON and from the packed form: the same value,
// or an error both ways.
func TestPackedDecodeAgreesWithJSON(t *testing.T) {
	r := DefaultRegistry()
	fastTypes := 0
	for _, sample := range samples() {
		_, _, payload, err := r.Encode(sample)
		if err != nil {
			t.Fatal(err)
		}
		a, b, errA, errB, fast := decodeBothWays(t, r, sample.EventType(), payload)
		if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: JSON gave %+v, %v; packed %+v, %v", sample.EventType(), a, errA, b, errB)
		}
		if fast {
			fastTypes++
		}
	}
	if fastTypes < 15 {
		t.Errorf("programs read %d of %d event types' samples", fastTypes, len(samples()))
	}

	long := strings.Repeat("已完成燃煤锅炉排查", 8)
	for _, c := range []struct {
		payload string
		fast    bool // a program reads it
	}{
		{`{"plan":"p","task":3,"unit":"county.a","role":"IMPLEMENTING","percent":40,"previous":30,"period":"2025-03","note":"` + long + `"}`, true},
		{`{"plan":"","task":0,"unit":"","role":"","percent":0,"previous":0,"period":"","note":""}`, true},
		{`{"plan":"p","note":"` + strings.Repeat("a", 300) + `"}`, true}, // coded far shorter than it is
		{`{"note":"x","plan":"p"}`, true},
		{`{"plan":"p","Task":3}`, false},                          // a key JSON matches by case only
		{`{"plan":"p","extra":1}`, false},                         // a key the type does not have
		{`{"plan":"p","plan":"q"}`, false},                        // a key given twice
		{`{"plan":"p","percent":"40"}`, false},                    // a string where a number is due
		{`{"plan":"p","task":99999999999999999}`, true},           // large, in a 64-bit field
		{`{"plan":"p","task":99999999999999999999}`, false},       // past 64 bits
		{`{"plan":"p","period":"2025-13"}`, false},                // no such month
		{`{"plan":"p","period":"2025-3"}`, false},                 // not YYYY-MM
		{`{"plan":"p","percent":1.5}`, false},                     // a fraction
		{`{"plan":null}`, false},                                  // null
		{`{"plan":"a\"b"}`, false},                                // an escape
		{`{"attachments":[{"name":"a.pdf","sha256":""}]}`, false}, // a list
	} {
		a, b, errA, errB, fast := decodeBothWays(t, r, "ProgressReported", []byte(c.payload))
		if (errA == nil) != (errB == nil) || errA == nil && !reflect.DeepEqual(a, b) {
			t.Errorf("%s: JSON gave %+v, %v; packed %+v, %v", c.payload, a, errA, b, errB)
		}
		if fast != c.fast {
			t.Errorf("%s: read by a program: %v, want %v", c.payload, fast, c.fast)
		}
	}
}

// TestPackedStringsDoNotAliasValues: decoded strings are copies, so the
// buffer the values were read from can be reused.
func TestPackedStringsDoNotAliasValues(t *testing.T) {
	r := DefaultRegistry()
	note := strings.Repeat("x", 100) + "尾"
	payload := fmt.Appendf(nil, `{"plan":"p","unit":"county.a","note":%q}`, note)
	text, vals, _ := packed.Pack(nil, payload, func(dst, src []byte) []byte { return append(dst, src...) })
	sh, _ := packed.ParseShape(text)
	d, err := r.DecodePacked(&Event{Type: "ProgressReported", SchemaVersion: 1}, sh, vals, unruns)
	if err != nil {
		t.Fatal(err)
	}
	clear(vals)
	if p := d.(ProgressReported); p.Note != note || p.Unit != "county.a" {
		t.Fatalf("decoded %+v changed with the values' buffer", p)
	}
}

// TestPackedUpcastsThroughJSON: a payload of an older schema version is
// unpacked and upcast as Decode would.
func TestPackedUpcastsThroughJSON(t *testing.T) {
	r := NewRegistry()
	r.Register(ProgressReported{}, 2)
	if err := r.RegisterUpcaster("ProgressReported", 1, func(p []byte) ([]byte, error) {
		return []byte(strings.Replace(string(p), `"old":`, `"note":`, 1)), nil
	}); err != nil {
		t.Fatal(err)
	}
	text, vals, _ := packed.Pack(nil, []byte(`{"plan":"p","old":"moved"}`), runs)
	sh, _ := packed.ParseShape(text)
	d, err := r.DecodePacked(&Event{Type: "ProgressReported", SchemaVersion: 1}, sh, vals, unruns)
	if err != nil || d.(ProgressReported).Note != "moved" {
		t.Fatalf("decoded %+v, %v", d, err)
	}
	if _, err := r.DecodePacked(&Event{Type: "ProgressReported", SchemaVersion: 1}, sh, vals[:1], unruns); !errors.Is(err, packed.ErrCorrupt) {
		t.Fatalf("cut values: %v", err)
	}
}
