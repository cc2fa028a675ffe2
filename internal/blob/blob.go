// Package blob stores the bytes of attachments behind one interface, so that where they live
// (PostgreSQL, a directory, an object store) is a deployment choice. Files are written once and
// never changed: each is named by its organisation and its own id.
package blob

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/uuid"
)

// ErrNotFound is returned by Get for a file the store does not hold.
var ErrNotFound = errors.New("blob: not found")

// Store keeps files.
type Store interface {
	// Name identifies the store; it is recorded with each file it holds.
	Name() string
	// Put stores data as file id of organisation org. Putting the same file twice keeps one.
	Put(ctx context.Context, org, id uuid.UUID, data []byte) error
	// Get returns the bytes of a file, or ErrNotFound.
	Get(ctx context.Context, org, id uuid.UUID) ([]byte, error)
	// Delete removes a file; removing an absent file is not an error.
	Delete(ctx context.Context, org, id uuid.UUID) error
}

// Dir is a Store keeping each file in a directory, as <dir>/<org>/<id>.
type Dir struct{ root string }

// NewDir returns a Store keeping its files under root, which it creates if needed.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Dir{root: root}, nil
}

// Name implements Store.
func (d *Dir) Name() string { return "disk" }

func (d *Dir) path(org, id uuid.UUID) string {
	return filepath.Join(d.root, org.String(), id.String())
}

// Put implements Store. The file appears whole or not at all: it is written and synced under a
// temporary name, then renamed.
func (d *Dir) Put(_ context.Context, org, id uuid.UUID, data []byte) error {
	dir := filepath.Join(d.root, org.String())
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	f, err := os.CreateTemp(dir, ".put-*")
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	defer func() { _ = os.Remove(f.Name()) }() // a no-op once renamed
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("blob: write: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("blob: sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("blob: close: %w", err)
	}
	if err := os.Rename(f.Name(), d.path(org, id)); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	return nil
}

// Get implements Store.
func (d *Dir) Get(_ context.Context, org, id uuid.UUID) ([]byte, error) {
	b, err := os.ReadFile(d.path(org, id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return b, nil
}

// Delete implements Store.
func (d *Dir) Delete(_ context.Context, org, id uuid.UUID) error {
	if err := os.Remove(d.path(org, id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob: %w", err)
	}
	return nil
}
