package domain

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// TestFastDecoderMatchesStandardLibrary decodes every stored payload shape
// in the golden file (each type fully populated and empty, with and without
// attachments) through the registry and through encoding/json, and wants
// the same values: the fast decoder may not read a stored event differently.
func TestFastDecoderMatchesStandardLibrary(t *testing.T) {
	golden, err := os.ReadFile(payloadGolden)
	if err != nil {
		t.Fatalf("read %s: %v", payloadGolden, err)
	}
	reg := DefaultRegistry()
	lines := bytes.Split(bytes.TrimSpace(golden), []byte("\n"))
	if len(lines) < len(AllEventTypes()) {
		t.Fatalf("golden file has %d lines, want at least one per type", len(lines))
	}
	for i, line := range lines {
		name, payload, ok := bytes.Cut(line, []byte(" "))
		if !ok {
			t.Fatalf("line %d: no type name", i+1)
		}
		e := &Event{Type: string(name), SchemaVersion: 1, Payload: payload}
		got, err := reg.Decode(e)
		if err != nil {
			t.Fatalf("line %d (%s): %v", i+1, name, err)
		}
		want := reflect.New(reg.types[e.Type].typ)
		if err := json.Unmarshal(payload, want.Interface()); err != nil {
			t.Fatalf("line %d (%s): encoding/json: %v", i+1, name, err)
		}
		if !reflect.DeepEqual(got, want.Elem().Interface()) {
			t.Errorf("line %d (%s): registry decoded\n%#v\nencoding/json decoded\n%#v", i+1, name, got, want.Elem().Interface())
		}
	}
}

// TestDecodedStringsDoNotAliasPayload: a store may hand Decode bytes of
// its memory map that change or vanish after the call, so decoded values
// must not point into them.
func TestDecodedStringsDoNotAliasPayload(t *testing.T) {
	reg := DefaultRegistry()
	_, _, payload, err := reg.Encode(ProgressReported{
		ObligationKey: ObligationKey{Plan: "chifeng-air", Task: 10, Unit: "county.ningcheng", Role: RoleImplementing},
		Percent:       40,
		Note:          "已完成燃煤锅炉排查",
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := reg.Decode(&Event{Type: "ProgressReported", SchemaVersion: 1, Payload: payload})
	if err != nil {
		t.Fatal(err)
	}
	for i := range payload {
		payload[i] = 'x'
	}
	p := d.(ProgressReported)
	if p.Note != "已完成燃煤锅炉排查" || p.Plan != "chifeng-air" || p.Unit != "county.ningcheng" {
		t.Errorf("decoded values changed with the payload bytes: %+v", p)
	}
}

// TestDecodeRefusesBrokenPayload: a payload that is not JSON of the type is
// an error naming the event, never a half-filled value.
func TestDecodeRefusesBrokenPayload(t *testing.T) {
	reg := DefaultRegistry()
	for _, payload := range []string{`{"plan":"x","task":`, `{"plan":1}`, `[]`, ``} {
		_, err := reg.Decode(&Event{Type: "ProgressReported", SchemaVersion: 1, Payload: []byte(payload)})
		if err == nil {
			t.Errorf("payload %q decoded without error", payload)
		}
	}
}

// TestDecodeReadsEveryStoredFormOfAnAbsentField: ledgers hold payloads
// that write an absent month as "" and payloads that leave it out (before
// and after the encoder of 2026-11-28); both read as no month, and a
// present month reads as itself.
func TestDecodeReadsEveryStoredFormOfAnAbsentField(t *testing.T) {
	reg := DefaultRegistry()
	base := `{"plan":"chifeng-air","task":10,"unit":"county.ningcheng","role":"IMPLEMENTING","percent":40,"previous":30`
	for payload, want := range map[string]YearMonth{
		base + `}`:                    {},
		base + `,"period":""}`:        {},
		base + `,"period":"2025-03"}`: {y: 2025, m: 3},
	} {
		d, err := reg.Decode(&Event{Type: "ProgressReported", SchemaVersion: 1, Payload: []byte(payload)})
		if err != nil {
			t.Fatalf("%s: %v", payload, err)
		}
		if p := d.(ProgressReported); p.Period != want || p.Percent != 40 || p.Unit != "county.ningcheng" {
			t.Errorf("%s decoded to %+v, want period %v", payload, p, want)
		}
	}
}
