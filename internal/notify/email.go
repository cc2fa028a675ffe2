package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/relancehq/relance/internal/relance"
)

// Mailer sends email through an SMTP server.
type Mailer struct {
	from string
	host string
	opts []mail.Option
}

// MailerOption configures a Mailer.
type MailerOption func(*Mailer)

// WithTLSConfig sets the TLS configuration (for example a private CA); system roots otherwise.
func WithTLSConfig(cfg *tls.Config) MailerOption {
	return func(m *Mailer) { m.opts = append(m.opts, mail.WithTLSConfig(cfg)) }
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
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(20 * time.Second)}
	mode := u.Query().Get("tls")
	if u.Scheme == "smtps" {
		mode = "tls"
	}
	switch mode {
	case "", "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "opportunistic":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp url: tls must be starttls, tls, opportunistic or none, not %q", mode)
	}
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	m := &Mailer{from: from, host: u.Hostname(), opts: append(opts, mail.WithTLSConfig(&tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}))}
	for _, o := range options {
		o(m)
	}
	return m, nil
}

// Send sends one email and returns its Message-ID. Bad addresses and 5xx answers are permanent
// failures; anything else (network, 4xx) may succeed later.
func (m *Mailer) Send(ctx context.Context, msg relance.Message) (string, error) {
	mm := mail.NewMsg()
	if err := mm.From(m.from); err != nil {
		return "", relance.Permanent(fmt.Errorf("from %q: %w", m.from, err))
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
	mm.SetBodyString(mail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		mm.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	}
	// A client per message: go-mail clients hold one connection and are not meant to be shared
	// by concurrent sends.
	client, err := mail.NewClient(m.host, m.opts...)
	if err != nil {
		return "", relance.Permanent(fmt.Errorf("smtp client: %w", err))
	}
	if err := client.DialAndSendWithContext(ctx, mm); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return "", relance.Permanent(err)
		}
		return "", err
	}
	return mm.GetMessageID(), nil
}
