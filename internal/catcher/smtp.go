package catcher

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// maxMessageSize bounds one captured email.
const maxMessageSize = 32 << 20

type backend struct{ c *Catcher }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	b.c.mu.Lock()
	b.c.sessions++
	b.c.mu.Unlock()
	return &session{c: b.c}, nil
}

// session receives one SMTP conversation.
type session struct {
	c      *Catcher
	from   string
	to     []string
	authed bool
}

// AuthMechanisms offers PLAIN when the catcher requires authentication.
func (s *session) AuthMechanisms() []string {
	if s.c.authUser == "" {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth checks PLAIN credentials.
func (s *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || s.c.authUser == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, password string) error {
		if user != s.c.authUser || password != s.c.authPassword {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Reset() { s.from, s.to = "", nil }
func (s *session) Logout() error {
	s.c.mu.Lock()
	s.c.closed++
	s.c.mu.Unlock()
	return nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.c.authUser != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(io.LimitReader(r, maxMessageSize))
	if err != nil {
		return err
	}
	m := Message{Channel: "email", From: s.from, To: s.to}
	if err := parseEmail(raw, &m); err != nil {
		return &smtp.SMTPError{Code: 554, Message: "cannot parse message: " + err.Error()}
	}
	s.c.add(m)
	return nil
}

// parseEmail fills subject, text and HTML from a raw RFC 5322 message.
func parseEmail(raw []byte, m *Message) error {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	m.MessageID = strings.Trim(msg.Header.Get("Message-Id"), "<>")
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		m.Subject = msg.Header.Get("Subject")
	}
	m.FromHeader, m.ReplyTo = msg.Header.Get("From"), msg.Header.Get("Reply-To")
	return readPart(textproto.MIMEHeader(msg.Header), msg.Body, m)
}

// readPart reads one MIME part (the whole message when not multipart) into m: its text, its
// HTML, or an attached file.
func readPart(h textproto.MIMEHeader, body io.Reader, m *Message) error {
	contentType, encoding := h.Get("Content-Type"), h.Get("Content-Transfer-Encoding")
	if contentType == "" {
		contentType = "text/plain"
	}
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := readPart(p.Header, p, m); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	content, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if disp, dparams, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && disp == "attachment" {
		m.Files = append(m.Files, File{Name: dparams["filename"], ContentType: media, Data: content})
		return nil
	}
	switch media {
	case "text/plain":
		m.Text += string(content)
	case "text/html":
		m.HTML += string(content)
	}
	return nil
}
