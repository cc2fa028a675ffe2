package adf

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// maxParts bounds the MIME parts read in an email.
const maxParts = 50

// ParseEmail reads a raw email message whose body is an ADF document: a text/plain or XML body,
// or the first XML part (else the first text/plain part holding "<adf") of a multipart message,
// nested multiparts included. It returns the document's bytes and the document, or the errors
// of Parse, or ErrNotADF when no part holds one.
func ParseEmail(r io.Reader) ([]byte, Document, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, Document{}, err
	}
	if len(data) > MaxBytes {
		return nil, Document{}, fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxBytes)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, Document{}, fmt.Errorf("%w: not an email message: %v", ErrNotADF, err)
	}
	parts := 0
	body, err := findXML(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &parts, 0)
	if err != nil {
		return nil, Document{}, err
	}
	if body == nil {
		return nil, Document{}, fmt.Errorf("%w: no part of the email holds an ADF document", ErrNotADF)
	}
	doc, err := ParseBytes(body)
	return body, doc, err
}

func findXML(contentType, encoding string, body io.Reader, parts *int, depth int) ([]byte, error) {
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil || contentType == "" {
		media = "text/plain"
	}
	if strings.HasPrefix(media, "multipart/") {
		if depth >= 5 || params["boundary"] == "" {
			return nil, nil
		}
		mr := multipart.NewReader(body, params["boundary"])
		var plain []byte
		for {
			if *parts++; *parts > maxParts {
				return nil, nil
			}
			p, err := mr.NextRawPart()
			if err != nil {
				break // the end, or a broken part: what was found so far stands
			}
			got, err := findXML(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, parts, depth+1)
			if err != nil {
				return nil, err
			}
			if got == nil {
				continue
			}
			if isXMLType(p.Header.Get("Content-Type")) {
				return got, nil
			}
			if plain == nil {
				plain = got
			}
		}
		return plain, nil
	}
	if media != "text/plain" && !isXMLType(media) {
		return nil, nil
	}
	b, err := io.ReadAll(decoded(encoding, body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !bytes.Contains(bytes.ToLower(b), []byte("<adf")) {
		return nil, nil
	}
	return bytes.TrimSpace(b), nil
}

func isXMLType(contentType string) bool {
	media, _, _ := mime.ParseMediaType(contentType)
	return media == "text/xml" || media == "application/xml" || strings.HasSuffix(media, "+xml")
}

func decoded(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r) // line breaks are skipped
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}
