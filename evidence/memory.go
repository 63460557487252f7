package evidence

import (
	"context"
	"sync"

	"taskledger/domain"
)

// Memory is a Store in memory, for tests and throwaway ledgers.
type Memory struct {
	mu    sync.RWMutex
	blobs map[domain.Hash][]byte
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{blobs: map[domain.Hash][]byte{}} }

// Put implements Store.
func (m *Memory) Put(_ context.Context, sum domain.Hash, data []byte) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.blobs[sum]; ok {
		return false, nil
	}
	m.blobs[sum] = append([]byte(nil), data...)
	return true, nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, sum domain.Hash) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, ok := m.blobs[sum]
	if !ok {
		return nil, ErrNotFound
	}
	return append([]byte(nil), b...), nil
}

// Has implements Store.
func (m *Memory) Has(_ context.Context, sum domain.Hash) (bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.blobs[sum]
	return ok, nil
}

// Replace overwrites a blob's bytes without checking them: tests use it to
// play a damaged store.
func (m *Memory) Replace(sum domain.Hash, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.blobs[sum] = append([]byte(nil), data...)
}

// Delete removes a blob: tests use it to play a lost file.
func (m *Memory) Delete(sum domain.Hash) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.blobs, sum)
}

// Close implements Store.
func (m *Memory) Close() error { return nil }
