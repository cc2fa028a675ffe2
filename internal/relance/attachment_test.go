package relance_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
)

func TestNewAttachmentChecksTypeAgainstBytes(t *testing.T) {
	zip := []byte("PK\x03\x04\x14\x00\x06\x00")
	for _, tc := range []struct {
		name, ctype string
		data        []byte
		field       string // "" when accepted
	}{
		{"devis.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", zip, ""},
		{"tarifs.ods", "application/vnd.oasis.opendocument.spreadsheet", zip, ""},
		{"contacts.csv", "text/csv", []byte("nom;téléphone\nJean;+33612345678\n"), ""},
		{"Note.TXT", "Text/Plain; charset=utf-8", []byte("rappeler mardi"), ""},
		{"photo.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), ""},
		{"devis.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("%PDF-1.4"), "data"},
		{"script.txt", "text/plain", zip, "data"},
		{"page.html", "text/html", []byte("<html></html>"), "content_type"},
		{`C:\devis.pdf`, "application/pdf", []byte("%PDF-1.4"), "file_name"},
		{"..", "application/pdf", []byte("%PDF-1.4"), "file_name"},
		{"devis.pdf\r\nBcc: x@evil.example", "application/pdf", []byte("%PDF-1.4"), "file_name"},
	} {
		a, err := relance.NewAttachment(uuid.New(), tc.name, tc.ctype, tc.data, 1<<10)
		if tc.field == "" {
			if err != nil || a.Size != int64(len(tc.data)) || len(a.SHA256) != 32 {
				t.Errorf("%s as %s: %+v, %v", tc.name, tc.ctype, a, err)
			}
			continue
		}
		e, ok := err.(*relance.Error)
		if !ok || e.Violations[0].Field != tc.field {
			t.Errorf("%s as %s: %v, want a violation of %s", tc.name, tc.ctype, err, tc.field)
		}
	}
}
