//go:build !cgo

package main

// cgoEnabled says whether this build can run the peer, whose SQLite driver
// (mattn/go-sqlite3) is C compiled through cgo.
const cgoEnabled = false
