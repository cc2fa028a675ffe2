package relance

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Attachment is a file joined to an action (a quote to send, a photo of the letter…). Its bytes
// live in a blob store; this is what is known of them.
type Attachment struct {
	ID          uuid.UUID
	ActionID    uuid.UUID
	FileName    string
	ContentType string
	Size        int64
	SHA256      []byte
	Storage     string // the name of the blob store holding the bytes
	UploadedBy  uuid.UUID
	CreatedAt   time.Time
}

// MaxAttachments bounds the files of one action.
const MaxAttachments = 10

// DefaultAttachmentMaxBytes is the size limit of one file unless configured otherwise.
const DefaultAttachmentMaxBytes = 10 << 20

// attachmentTypes are the content types an attachment may declare, each with what
// http.DetectContentType must find in the bytes: office documents are zip containers, and text
// is whatever text sniffs as.
var attachmentTypes = map[string]string{
	"application/pdf": "application/pdf",
	"image/png":       "image/png",
	"image/jpeg":      "image/jpeg",
	"image/gif":       "image/gif",
	"image/webp":      "image/webp",
	"text/plain":      "text/plain",
	"text/csv":        "text/plain",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   "application/zip",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         "application/zip",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": "application/zip",
	"application/vnd.oasis.opendocument.text":                                   "application/zip",
	"application/vnd.oasis.opendocument.spreadsheet":                            "application/zip",
}

// NewAttachment checks an uploaded file and describes it: a plain file name, an accepted content
// type that the bytes really have, and a size between 1 byte and maxBytes.
func NewAttachment(actionID uuid.UUID, fileName, contentType string, data []byte, maxBytes int) (Attachment, error) {
	name := strings.TrimSpace(fileName)
	switch {
	case name == "" || len(name) > 255 || !utf8.ValidString(name):
		return Attachment{}, Invalid("file_name", "must be 1 to 255 bytes of UTF-8")
	case strings.ContainsAny(name, "/\\\x00") || name == "." || name == "..":
		return Attachment{}, Invalid("file_name", "must be a file name, not a path")
	case strings.ContainsFunc(name, unicode.IsControl):
		// The name goes into the headers of the emails that carry the file.
		return Attachment{}, Invalid("file_name", "must not hold control characters such as line breaks")
	}
	ctype := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	sniffed, ok := attachmentTypes[ctype]
	if !ok {
		return Attachment{}, Invalid("content_type", "must be PDF, PNG, JPEG, GIF, WebP, plain text, CSV or an Office/OpenDocument file")
	}
	switch {
	case len(data) == 0:
		return Attachment{}, Invalid("data", "must not be empty")
	case len(data) > maxBytes:
		return Attachment{}, Invalid("data", fmt.Sprintf("must be at most %d bytes", maxBytes))
	}
	if got := strings.SplitN(http.DetectContentType(data), ";", 2)[0]; got != sniffed {
		return Attachment{}, Invalid("data", fmt.Sprintf("is not %s (it looks like %s)", ctype, got))
	}
	sum := sha256.Sum256(data)
	return Attachment{
		ID: uuid.Must(uuid.NewV7()), ActionID: actionID, FileName: name, ContentType: ctype,
		Size: int64(len(data)), SHA256: sum[:],
	}, nil
}
