package domain

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// payloadGolden holds the stored encoding of every event type: a fully
// populated sample and the zero value, one "Type payload" line each.
var payloadGolden = filepath.Join("testdata", "payloads.golden")

// encodeAllPayloads encodes samples() and every zero payload through the
// default registry, as the ledger stores them.
func encodeAllPayloads(t *testing.T) []byte {
	t.Helper()
	reg := DefaultRegistry()
	var buf bytes.Buffer
	for _, set := range [][]EventData{samples(), AllEventTypes(), attachmentSamples()} {
		for _, s := range set {
			name, _, payload, err := reg.Encode(s)
			if err != nil {
				t.Fatalf("encode %T: %v", s, err)
			}
			buf.WriteString(name)
			buf.WriteByte(' ')
			buf.Write(payload)
			buf.WriteByte('\n')
		}
	}
	return buf.Bytes()
}

// TestPayloadEncodingIsStable guards the hash chain: a stored payload's
// bytes are hashed, so every event type must keep encoding to exactly the
// bytes it did when the golden file was written. Regenerate the file
// (go test ./domain -run TestPayloadEncodingIsStable -update) only for a
// deliberate new schema version.
func TestPayloadEncodingIsStable(t *testing.T) {
	got := encodeAllPayloads(t)
	if *updateGolden {
		if err := os.WriteFile(payloadGolden, got, 0o644); err != nil {
			t.Fatalf("write %s: %v", payloadGolden, err)
		}
	}
	want, err := os.ReadFile(payloadGolden)
	if err != nil {
		t.Fatalf("read %s: %v", payloadGolden, err)
	}
	gotLines, wantLines := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	if len(gotLines) != len(wantLines) {
		t.Fatalf("%d encoded lines, golden file has %d", len(gotLines), len(wantLines))
	}
	for i := range gotLines {
		if !bytes.Equal(gotLines[i], wantLines[i]) {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, gotLines[i], wantLines[i])
		}
	}
}
