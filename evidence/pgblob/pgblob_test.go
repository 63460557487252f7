package pgblob_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"taskledger/eventstore/postgres/pgtest"
	"taskledger/evidence"
	"taskledger/evidence/evidencetest"
	"taskledger/evidence/pgblob"
)

func TestStoreKeepsBlobsInTheLedgersSchema(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	ro, err := pgblob.Open(ctx, url, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ok, err := ro.Has(ctx, evidence.Sum([]byte("x"))); err != nil || ok {
		t.Fatalf("a read-only opening of a schema without the table: %v, %v", ok, err)
	}
	s, err := pgblob.Open(ctx, url, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	data := evidencetest.PDF("postgres")
	sum := evidence.Sum(data)
	if _, err := s.Get(ctx, sum); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("Get before Put: %v, want ErrNotFound", err)
	}
	if created, err := s.Put(ctx, sum, data); err != nil || !created {
		t.Fatalf("first Put: %v, %v", created, err)
	}
	if created, err := s.Put(ctx, sum, data); err != nil || created {
		t.Fatalf("second Put: %v, %v; want an unchanged blob", created, err)
	}
	// A second opening (another replica) sees the same table and blob.
	s2, err := pgblob.Open(ctx, url, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Get(ctx, sum)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get from a second opening: %q, %v", got, err)
	}
	if ok, err := s2.Has(ctx, sum); err != nil || !ok {
		t.Fatalf("Has: %v, %v", ok, err)
	}
}
