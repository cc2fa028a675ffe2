package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/relancehq/relance/internal/relance"
)

// Mailer sends email through an SMTP server.
type Mailer struct {
	from string
	host string
	opts []gomail.Option
}

// MailerOption configures a Mailer.
type MailerOption func(*Mailer)

// WithTLSConfig sets the TLS configuration (for example a private CA); system roots otherwise.
func WithTLSConfig(cfg *tls.Config) MailerOption {
	return func(m *Mailer) { m.opts = append(m.opts, gomail.WithTLSConfig(cfg)) }
}

// NewMailer returns a mailer for an SMTP URL such as smtp://user:pass@host:587?tls=starttls.
// tls is "starttls" (the default: mandatory STARTTLS), "tls" (implicit TLS, also implied by the
// smtps scheme), "opportunistic" or "none". It returns an error for a malformed URL.
func NewMailer(rawURL, from string, options ...MailerOption) (*Mailer, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return nil, fmt.Errorf("smtp url: scheme must be smtp or smtps, not %q", u.Scheme)
	}
	port := 587
	if u.Port() != "" {
		if port, err = strconv.Atoi(u.Port()); err != nil {
			return nil, fmt.Errorf("smtp url: port: %w", err)
		}
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(20 * time.Second)}
	mode := u.Query().Get("tls")
	if u.Scheme == "smtps" {
		mode = "tls"
	}
	switch mode {
	case "", "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "opportunistic":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp url: tls must be starttls, tls, opportunistic or none, not %q", mode)
	}
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	m := &Mailer{from: from, host: u.Hostname(), opts: append(opts, gomail.WithTLSConfig(&tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}))}
	for _, o := range options {
		o(m)
	}
	return m, nil
}

// Send sends one email and returns its Message-ID. Bad addresses and 5xx answers are permanent
// failures; anything else (network, 4xx) may succeed later.
func (m *Mailer) Send(ctx context.Context, msg relance.Message) (string, error) {
	mm := gomail.NewMsg()
	if err := m.sender(mm, msg); err != nil {
		return "", relance.Permanent(err)
	}
	if err := mm.To(msg.To); err != nil {
		return "", relance.Permanent(fmt.Errorf("to %q: %w", msg.To, err))
	}
	mm.Subject(msg.Subject)
	if msg.ID != "" {
		mm.SetMessageIDWithValue(msg.ID + "@relance")
	} else {
		mm.SetMessageID()
	}
	mm.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		mm.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	for _, f := range msg.Files {
		mm.AttachReadSeeker(f.Name, bytes.NewReader(f.Data), gomail.WithFileContentType(gomail.ContentType(f.ContentType)))
	}
	// A client per message: go-mail clients hold one connection and are not meant to be shared
	// by concurrent sends.
	client, err := gomail.NewClient(m.host, m.opts...)
	if err != nil {
		return "", relance.Permanent(fmt.Errorf("smtp client: %w", err))
	}
	if err := client.DialAndSendWithContext(ctx, mm); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return "", relance.Permanent(err)
		}
		return "", err
	}
	return mm.GetMessageID(), nil
}

// sender sets the message's From (the server's address unless msg names another, under
// msg.FromName when set) and Reply-To.
func (m *Mailer) sender(mm *gomail.Msg, msg relance.Message) error {
	from := msg.From
	if from == "" {
		def, err := mail.ParseAddress(m.from)
		if err != nil {
			return fmt.Errorf("from %q: %w", m.from, err)
		}
		from = def.Address
		if msg.FromName == "" {
			msg.FromName = def.Name
		}
	}
	if err := mm.FromFormat(msg.FromName, from); err != nil {
		return fmt.Errorf("from %q: %w", from, err)
	}
	if msg.ReplyTo != "" {
		if err := mm.ReplyTo(msg.ReplyTo); err != nil {
			return fmt.Errorf("reply-to %q: %w", msg.ReplyTo, err)
		}
	}
	return nil
}
