package main

import (
	"os"
	"testing"
	"time"
)

func TestZZCLI(t *testing.T) {
	store := os.Getenv("ZZ_STORE")
	if store == "" {
		t.Skip()
	}
	for range 3 {
		st := time.Now()
		code, _, errOut := runCLIWith(testCLI(nil), "scorecard", "--year", "2025", "--store", store)
		t.Logf("exit %d %v %s", code, time.Since(st), errOut)
	}
}
