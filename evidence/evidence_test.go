package evidence_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"taskledger/evidence"
	"taskledger/evidence/evidencetest"
)

func TestCheckJudgesContentNotName(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
		err  error
	}{
		{"pdf", evidencetest.PDF("x"), "application/pdf", nil},
		{"png", evidencetest.PNG(), "image/png", nil},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"), "image/jpeg", nil},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "image/gif", nil},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"), "image/webp", nil},
		{"docx", evidencetest.Docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil},
		{"text", []byte("整改情况说明：已完成。\n"), "text/plain", nil},
		{"exe", evidencetest.Exe(), "", evidence.ErrUnsupported},
		{"elf", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00"), "", evidence.ErrUnsupported},
		{"empty", nil, "", evidence.ErrEmpty},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := evidence.Check(c.data, 0)
			if !errors.Is(err, c.err) {
				t.Fatalf("Check: err %v, want %v", err, c.err)
			}
			if got.MediaType != c.want {
				t.Errorf("media type %q, want %q", got.MediaType, c.want)
			}
			if c.err == nil && got.Size != int64(len(c.data)) {
				t.Errorf("size %d, want %d", got.Size, len(c.data))
			}
		})
	}
}

func TestCheckRefusesFilesOverTheLimit(t *testing.T) {
	data := evidencetest.PDF("limit")
	if _, err := evidence.Check(data, int64(len(data))); err != nil {
		t.Fatalf("a file of exactly the limit: %v", err)
	}
	if _, err := evidence.Check(data, int64(len(data))-1); !errors.Is(err, evidence.ErrTooLarge) {
		t.Fatalf("a file one byte over: %v, want ErrTooLarge", err)
	}
}

// storeContract checks what every Store promises.
func storeContract(t *testing.T, s evidence.Store) {
	ctx := context.Background()
	data := evidencetest.PDF("contract")
	sum := evidence.Sum(data)
	if ok, err := s.Has(ctx, sum); err != nil || ok {
		t.Fatalf("Has before Put: %v, %v", ok, err)
	}
	if _, err := s.Get(ctx, sum); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("Get before Put: %v, want ErrNotFound", err)
	}
	created, err := s.Put(ctx, sum, data)
	if err != nil || !created {
		t.Fatalf("first Put: created %v, %v", created, err)
	}
	created, err = s.Put(ctx, sum, data)
	if err != nil || created {
		t.Fatalf("second Put: created %v, %v; want an unchanged blob", created, err)
	}
	got, err := s.Get(ctx, sum)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get: %q, %v", got, err)
	}
	if ok, err := s.Has(ctx, sum); err != nil || !ok {
		t.Fatalf("Has after Put: %v, %v", ok, err)
	}
}

func TestMemoryStore(t *testing.T) { storeContract(t, evidence.NewMemory()) }

func TestDirStoreKeepsFilesByHashAndLeavesNoTemporaries(t *testing.T) {
	root := filepath.Join(t.TempDir(), evidence.DirName)
	s := evidence.OpenDir(root)
	storeContract(t, s)
	data := evidencetest.PDF("contract")
	sum := evidence.Sum(data)
	h := sum.String()
	if p := s.Path(sum); p != filepath.Join(root, h[:2], h[2:]) {
		t.Fatalf("path %s", p)
	}
	entries, err := os.ReadDir(filepath.Join(root, h[:2]))
	if err != nil || len(entries) != 1 {
		t.Fatalf("folder %s holds %v (%v), want the blob alone", h[:2], entries, err)
	}
}
