package blob_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/blob"
)

func TestDir(t *testing.T) {
	ctx := context.Background()
	d, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	org, id := uuid.New(), uuid.New()
	if _, err := d.Get(ctx, org, id); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Get of an absent file: %v, want ErrNotFound", err)
	}
	data := []byte("%PDF-1.4 quote")
	for range 2 {
		if err := d.Put(ctx, org, id, data); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Get(ctx, org, id)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if _, err := d.Get(ctx, uuid.New(), id); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("another organisation's file: %v, want ErrNotFound", err)
	}
	for range 2 {
		if err := d.Delete(ctx, org, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Get(ctx, org, id); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
}

func TestDirLeavesNoTemporaryFile(t *testing.T) {
	root := t.TempDir()
	d, err := blob.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	org := uuid.New()
	if err := d.Put(context.Background(), org, uuid.New(), []byte("x")); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root + "/" + org.String())
	if err != nil || len(entries) != 1 {
		t.Fatalf("directory holds %v (%v), want the one file", entries, err)
	}
}
