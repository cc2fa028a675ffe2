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
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/relancehq/relance/internal/relance"
)

// Mailer sends email through an SMTP server. It keeps its connections open between messages
// (RSET after each one), so that a burst of emails pays one TCP and TLS handshake and one login
// per connection rather than per email. It opens at most a bounded number at once, closes those
// left idle, and dials again in place of one the server dropped.
type Mailer struct {
	from *mail.Address // the server's sender, parsed once
	host string
	opts []gomail.Option
	// client holds the server's settings; go-mail dials and sends through it concurrently, each
	// conversation on its own smtp.Client.
	client *gomail.Client
	// slots holds a token per open or dialling connection: its capacity bounds them, and a send
	// waits for one.
	slots chan struct{}
	// maxIdle is how long an open connection may wait for its next message.
	maxIdle time.Duration

	mu     sync.Mutex
	idle   []*smtpConn // open connections waiting for a message, the least recently used first
	reaper *time.Timer // armed while idle is not empty, to close those that waited too long
	closed bool
}

// smtpConn is one open SMTP conversation.
type smtpConn struct {
	c    *smtp.Client
	sent int       // messages sent on it
	used time.Time // end of its last message
}

const (
	// DefaultConnections is how many connections a mailer opens at most: enough for a worker's
	// sends to overlap, few enough for providers that limit a client's connections (often 10).
	DefaultConnections = 10
	// maxMessagesPerConn closes a connection after this many messages: servers limit them
	// (100 is a common default), and a fresh one spreads load behind a balancer.
	maxMessagesPerConn = 100
	// defaultMaxIdle is how long an open connection may wait for its next message: servers drop
	// idle clients after a minute or more, and go-mail's deadline on a connection is
	// smtpTimeout from its last message's start, so a connection idle this long still answers
	// QUIT.
	defaultMaxIdle = 15 * time.Second
	// smtpTimeout bounds each command on a connection.
	smtpTimeout = 20 * time.Second
)

// WithConnections sets how many connections the mailer opens at most (at least one).
func WithConnections(n int) MailerOption {
	return func(m *Mailer) { m.slots = make(chan struct{}, max(n, 1)) }
}

// WithMaxIdle sets how long an open connection may wait for its next message before the mailer
// closes it (0: a connection per message).
func WithMaxIdle(d time.Duration) MailerOption {
	return func(m *Mailer) { m.maxIdle = max(d, 0) }
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
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(smtpTimeout)}
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
	sender, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("smtp from %q: %w", from, err)
	}
	m := &Mailer{from: sender, host: u.Hostname(), opts: append(opts, gomail.WithTLSConfig(&tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12})),
		slots: make(chan struct{}, DefaultConnections), maxIdle: defaultMaxIdle}
	for _, o := range options {
		o(m)
	}
	if m.client, err = gomail.NewClient(m.host, m.opts...); err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
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
	conn, reused, err := m.conn(ctx)
	if err != nil {
		return "", err
	}
	err = m.client.SendWithSMTPClient(conn.c, mm)
	var se *gomail.SendError
	if reused && !mm.IsDelivered() && errors.As(err, &se) && se.Reason == gomail.ErrConnCheck {
		// The server closed the connection while it waited (NOOP failed before MAIL FROM):
		// nothing was sent on it, so the message goes out once on a new one, in the same slot.
		_ = conn.c.Close()
		if conn, err = m.dial(ctx); err != nil {
			<-m.slots
			return "", err
		}
		err = m.client.SendWithSMTPClient(conn.c, mm)
	}
	if mm.IsDelivered() {
		// Accepted by the server. A failure after that (the RSET that readies the connection for
		// the next message) costs the connection, never a second copy of this email.
		if err != nil {
			m.discard(conn)
		} else {
			m.release(conn)
		}
		return mm.GetMessageID(), nil
	}
	m.discard(conn)
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
		return "", relance.Permanent(err)
	}
	return "", err
}

// conn waits for a free slot, then returns an open connection: the one that waited least in the
// pool (reused), else a new one. It fails when ctx ends first (the message was not tried:
// relance.NotTried) or the server cannot be reached (a transient failure).
func (m *Mailer) conn(ctx context.Context) (c *smtpConn, reused bool, err error) {
	// Checked first: select picks at random between a free slot and a done context, and a
	// sender whose task was given up must not start a message.
	if err := ctx.Err(); err != nil {
		return nil, false, relance.NotTried(fmt.Errorf("smtp: %w", err))
	}
	select {
	case m.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, false, relance.NotTried(fmt.Errorf("smtp: waiting for a connection: %w", ctx.Err()))
	}
	m.mu.Lock()
	if n := len(m.idle); n > 0 {
		c = m.idle[n-1]
		m.idle = m.idle[:n-1]
	}
	m.mu.Unlock()
	// One that waited too long is left to the reaper's next round: a slot is free for it.
	if c != nil && time.Since(c.used) < m.maxIdle {
		return c, true, nil
	}
	if c != nil {
		quit(m.client, c)
	}
	if c, err = m.dial(ctx); err != nil {
		<-m.slots
		return nil, false, err
	}
	return c, false, nil
}

// dial opens a connection (EHLO, STARTTLS and AUTH as configured) in the slot its caller holds.
func (m *Mailer) dial(ctx context.Context) (*smtpConn, error) {
	c, err := m.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("smtp dial: %w", err)
	}
	return &smtpConn{c: c}, nil
}

// release puts a connection back in the pool after a message, or says goodbye on it when it
// carried its share of messages or the mailer is closed, and frees its slot.
func (m *Mailer) release(c *smtpConn) {
	c.sent++
	c.used = time.Now()
	m.mu.Lock()
	keep := !m.closed && c.sent < maxMessagesPerConn && m.maxIdle > 0
	if keep {
		m.idle = append(m.idle, c)
		if m.reaper == nil {
			m.reaper = time.AfterFunc(m.maxIdle, m.reap)
		}
	}
	m.mu.Unlock()
	if !keep {
		quit(m.client, c)
	}
	<-m.slots
}

// discard closes a connection that failed, without a word to the server, and frees its slot.
func (m *Mailer) discard(c *smtpConn) {
	_ = c.c.Close()
	<-m.slots
}

// reap closes the connections that waited longer than maxIdle, and comes back when the oldest
// of the others will have.
func (m *Mailer) reap() {
	now := time.Now()
	m.mu.Lock()
	n := 0
	for n < len(m.idle) && now.Sub(m.idle[n].used) >= m.maxIdle {
		n++
	}
	stale := append([]*smtpConn(nil), m.idle[:n]...)
	m.idle = append(m.idle[:0], m.idle[n:]...)
	m.reaper = nil
	if len(m.idle) > 0 && !m.closed {
		m.reaper = time.AfterFunc(m.idle[0].used.Add(m.maxIdle).Sub(now), m.reap)
	}
	m.mu.Unlock()
	for _, c := range stale {
		quit(m.client, c)
	}
}

// quit says goodbye on a connection and closes it whatever the answer.
func quit(client *gomail.Client, c *smtpConn) {
	_ = client.CloseWithSMTPClient(c.c)
	_ = c.c.Close()
}

// Close says goodbye on the connections waiting in the pool; sends after it open a connection
// per message. It returns nil: a server that does not answer QUIT is left behind.
func (m *Mailer) Close() error {
	m.mu.Lock()
	m.closed = true
	idle := m.idle
	m.idle = nil
	if m.reaper != nil {
		m.reaper.Stop()
		m.reaper = nil
	}
	m.mu.Unlock()
	for _, c := range idle {
		quit(m.client, c)
	}
	return nil
}

// sender sets the message's From (the server's address unless msg names another, under
// msg.FromName when set) and Reply-To.
func (m *Mailer) sender(mm *gomail.Msg, msg relance.Message) error {
	from := msg.From
	if from == "" {
		from = m.from.Address
		if msg.FromName == "" {
			msg.FromName = m.from.Name
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
