package evidence

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"taskledger/domain"
	"taskledger/internal/atomicfile"
)

// DirName is the folder, inside an embedded ledger's directory, that holds
// its evidence.
const DirName = "evidence"

// Dir is a Store of files under a folder: the blob with hash ab12… is the
// file ab/12…, written to a synced temporary file and renamed into place,
// so a crash leaves the whole file or none. A blob already there is not
// written again.
type Dir struct {
	root string
}

// OpenDir returns the store under root (for an embedded ledger:
// filepath.Join(storeDir, DirName)). It creates nothing: the folder is
// made by the first Put, so a ledger only read keeps no empty folder.
func OpenDir(root string) *Dir { return &Dir{root: root} }

// Path returns the file a blob is kept in.
func (d *Dir) Path(sum domain.Hash) string {
	h := sum.String()
	return filepath.Join(d.root, h[:2], h[2:])
}

// Put implements Store.
func (d *Dir) Put(_ context.Context, sum domain.Hash, data []byte) (bool, error) {
	path := d.Path(sum)
	if _, err := os.Stat(path); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("evidence: put %s: %w", sum, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return false, fmt.Errorf("evidence: put %s: %w", sum, err)
	}
	if err := atomicfile.Write(path, data, 0o440); err != nil {
		return false, fmt.Errorf("evidence: put %s: %w", sum, err)
	}
	return true, syncDir(filepath.Dir(path))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("evidence: sync %s: %w", dir, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("evidence: sync %s: %w", dir, err)
	}
	return nil
}

// Get implements Store.
func (d *Dir) Get(_ context.Context, sum domain.Hash) ([]byte, error) {
	b, err := os.ReadFile(d.Path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("evidence: get %s: %w", sum, err)
	}
	return b, nil
}

// Has implements Store.
func (d *Dir) Has(_ context.Context, sum domain.Hash) (bool, error) {
	_, err := os.Stat(d.Path(sum))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("evidence: stat %s: %w", sum, err)
}

// Close implements Store; a Dir holds nothing open.
func (d *Dir) Close() error { return nil }
