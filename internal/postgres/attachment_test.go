package postgres_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/internal/blob"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

var (
	pdf = append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("quote line\n"), 40)...)
	png = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
)

// TestAttachments runs the same story against both blob stores: files join a pending action
// within limits, only its assignee reads them, refused uploads leave nothing behind.
func TestAttachments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	disk, err := blob.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		store blob.Store
		held  func(t *testing.T, s *sim) int // how many files the store holds
	}{
		{"postgres", nil, func(t *testing.T, s *sim) int { return countRows(t, s, "blobs") }},
		{"disk", disk, func(t *testing.T, s *sim) int {
			entries, err := os.ReadDir(filepath.Join(dir, s.w.Org.ID.String()))
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			return len(entries)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSim(t, paris(t, "2026-12-14 09:00"), postgres.WithFiles(tc.store, 1024))
			alice := s.w.As(s.w.Alice)
			warm := s.status("Tiède", 1, "", relance.StatusForLeads)
			lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
			s.setLeadStatus(s.w.Manager, lead.ID, warm.ID)
			action := s.inbox(s.w.Alice)[0].ID

			att, err := s.db.AddAttachment(ctx, alice, action, "devis.pdf", "application/pdf", pdf)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(pdf)
			if att.Size != int64(len(pdf)) || !bytes.Equal(att.SHA256, sum[:]) || att.UploadedBy != s.w.Alice.ID {
				t.Fatalf("attachment = %+v", att)
			}
			photo, err := s.db.AddAttachment(ctx, alice, action, "photo.png", "image/png; charset=binary", png)
			if err != nil {
				t.Fatal(err)
			}
			a, err := s.db.GetAction(ctx, alice, action)
			if err != nil || len(a.Attachments) != 2 || a.Attachments[0].FileName != "devis.pdf" {
				t.Fatalf("action = %+v, %v", a.Attachments, err)
			}
			got, data, err := s.db.Attachment(ctx, alice, att.ID)
			if err != nil || !bytes.Equal(data, pdf) || got.ContentType != "application/pdf" {
				t.Fatalf("download = %+v, %d bytes, %v", got, len(data), err)
			}

			// Only the assignee: the admin, the manager, a colleague, another tenant.
			other := testenv.NewWorld(t, s.db)
			for name, p := range map[string]relance.Principal{
				"admin": s.w.As(s.w.Admin), "manager": s.w.As(s.w.Manager), "bob": s.w.As(s.w.Bob),
				"another tenant's admin": other.As(other.Admin),
			} {
				if _, _, err := s.db.Attachment(ctx, p, att.ID); relance.ErrorCode(err) != relance.CodeNotFound {
					t.Errorf("%s downloads: %v", name, err)
				}
				if _, err := s.db.AddAttachment(ctx, p, action, "x.pdf", "application/pdf", pdf); relance.ErrorCode(err) != relance.CodeNotFound {
					t.Errorf("%s uploads: %v", name, err)
				}
				if err := s.db.RemoveAttachment(ctx, p, att.ID); relance.ErrorCode(err) != relance.CodeNotFound {
					t.Errorf("%s removes: %v", name, err)
				}
			}

			// Bad files are refused with the field at fault, and nothing is stored.
			for _, bad := range []struct {
				name, ctype string
				data        []byte
				field       string
			}{
				{"../devis.pdf", "application/pdf", pdf, "file_name"},
				{"  ", "application/pdf", pdf, "file_name"},
				{"setup.exe", "application/x-msdownload", []byte("MZ\x90\x00"), "content_type"},
				{"photo.png", "image/png", pdf, "data"}, // a PDF calling itself a PNG
				{"big.pdf", "application/pdf", append([]byte("%PDF-1.7\n"), make([]byte, 1024)...), "data"},
				{"empty.txt", "text/plain", nil, "data"},
			} {
				_, err := s.db.AddAttachment(ctx, alice, action, bad.name, bad.ctype, bad.data)
				var e *relance.Error
				if !errors.As(err, &e) || e.Code != relance.CodeInvalid || e.Violations[0].Field != bad.field {
					t.Errorf("%q as %s: %v, want a violation of %s", bad.name, bad.ctype, err, bad.field)
				}
			}
			if n := tc.held(t, s); n != 2 {
				t.Fatalf("the store holds %d files, want 2", n)
			}

			// At most ten per action.
			for i := range relance.MaxAttachments - 2 {
				if _, err := s.db.AddAttachment(ctx, alice, action, "note.txt", "text/plain", []byte{'a' + byte(i)}); err != nil {
					t.Fatal(err)
				}
			}
			_, err = s.db.AddAttachment(ctx, alice, action, "eleventh.txt", "text/plain", []byte("x"))
			wantCode(t, err, relance.CodeFailedPrecondition)
			if n := tc.held(t, s); n != relance.MaxAttachments {
				t.Fatalf("the store holds %d files, want %d", n, relance.MaxAttachments)
			}

			// Removing one takes its bytes too.
			if err := s.db.RemoveAttachment(ctx, alice, photo.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.db.Attachment(ctx, alice, photo.ID); relance.ErrorCode(err) != relance.CodeNotFound {
				t.Fatalf("a removed file: %v", err)
			}
			if n := tc.held(t, s); n != relance.MaxAttachments-1 {
				t.Fatalf("the store holds %d files after a removal, want %d", n, relance.MaxAttachments-1)
			}

			// Once done, the files stay readable but no longer change.
			done, err := s.db.CompleteAction(ctx, alice, action, relance.ActionOutcome{Outcome: "devis envoyé"})
			if err != nil || len(done.Attachments) != relance.MaxAttachments-1 {
				t.Fatalf("complete = %d attachments, %v", len(done.Attachments), err)
			}
			if _, data, err := s.db.Attachment(ctx, alice, att.ID); err != nil || !bytes.Equal(data, pdf) {
				t.Fatalf("download after completion: %v", err)
			}
			wantCode(t, s.db.RemoveAttachment(ctx, alice, att.ID), relance.CodeFailedPrecondition)
			_, err = s.db.AddAttachment(ctx, alice, action, "late.pdf", "application/pdf", pdf)
			wantCode(t, err, relance.CodeFailedPrecondition)
			if _, _, err := s.db.Attachment(ctx, alice, uuid.New()); relance.ErrorCode(err) != relance.CodeNotFound {
				t.Fatalf("an unknown attachment: %v", err)
			}
		})
	}
}

// countRows counts the rows of table in s's organisation.
func countRows(t *testing.T, s *sim, table string) int {
	t.Helper()
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if _, err := conn.Exec(ctx, "SELECT set_config('app.org_id', $1, false)", s.w.Org.ID.String()); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
