// Package catcher is a local stand-in for the outside world used by `make run` and by tests: a
// real SMTP server, a Twilio-style SMS endpoint and push services (FCM and Web Push) that keep
// what they receive in memory, and a web page that shows it. Nothing it receives leaves the machine.
package catcher

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one captured email, SMS or push notification.
type Message struct {
	ID      int      `json:"id"`
	Channel string   `json:"channel"` // "email", "sms" or "push"
	From    string   `json:"from"`
	To      []string `json:"to"`
	Subject string   `json:"subject,omitempty"`
	// MessageID is the email's Message-ID, the SMS's idempotency key, or the push's delivery id.
	MessageID string    `json:"message_id,omitempty"`
	Text      string    `json:"text"`
	HTML      string    `json:"html,omitempty"`
	URL       string    `json:"url,omitempty"` // a push: the page a tap on it opens
	At        time.Time `json:"at"`
	// An email's From and Reply-To headers, as written, and its attached files.
	FromHeader string `json:"from_header,omitempty"`
	ReplyTo    string `json:"reply_to,omitempty"`
	Files      []File `json:"files,omitempty"`
}

// File is a file attached to a captured email.
type File struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// Catcher captures email (SMTP) and SMS (HTTP) and serves a page listing them.
type Catcher struct {
	mu       sync.Mutex
	messages []Message
	changed  chan struct{}  // closed and replaced at every new message
	smsFail  []int          // HTTP statuses to answer the next SMS requests with
	smsByKey map[string]int // idempotency key -> message id, as an idempotent provider keeps
	push     pushState
	sessions int // SMTP conversations opened
	closed   int // and ended (QUIT, or the connection closed)

	tls                    *tls.Config
	authUser, authPassword string

	smtpServer     *smtp.Server
	smtpAddr       string
	smtpServerPort int
	httpServer     *http.Server
	httpAddr       string
}

// Option configures a Catcher.
type Option func(*Catcher)

// WithSTARTTLS makes the SMTP server offer STARTTLS with cfg.
func WithSTARTTLS(cfg *tls.Config) Option { return func(c *Catcher) { c.tls = cfg } }

// WithAuth makes the SMTP server require PLAIN authentication as user with password, over TLS
// when STARTTLS is offered.
func WithAuth(user, password string) Option {
	return func(c *Catcher) { c.authUser, c.authPassword = user, password }
}

// Start listens for SMTP on smtpAddr and HTTP on httpAddr ("127.0.0.1:0" picks free ports).
// It returns an error when either address cannot be bound.
func Start(smtpAddr, httpAddr string, opts ...Option) (*Catcher, error) {
	c := &Catcher{changed: make(chan struct{}), smsByKey: map[string]int{}, push: pushState{
		accessTokens: map[string]bool{}, goneTokens: map[string]bool{}, subs: map[string]*subscription{},
	}}
	for _, o := range opts {
		o(c)
	}
	smtpLn, err := net.Listen("tcp", smtpAddr)
	if err != nil {
		return nil, fmt.Errorf("catcher: smtp listen: %w", err)
	}
	httpLn, err := net.Listen("tcp", httpAddr)
	if err != nil {
		smtpLn.Close()
		return nil, fmt.Errorf("catcher: http listen: %w", err)
	}
	c.smtpAddr, c.httpAddr = smtpLn.Addr().String(), httpLn.Addr().String()
	c.smtpServerPort = smtpLn.Addr().(*net.TCPAddr).Port
	c.smtpServer = smtp.NewServer(backend{c})
	c.smtpServer.Domain = "catcher.localhost"
	c.smtpServer.TLSConfig = c.tls
	c.smtpServer.AllowInsecureAuth = c.tls == nil
	c.smtpServer.ReadTimeout = 30 * time.Second
	c.smtpServer.WriteTimeout = 30 * time.Second
	c.httpServer = &http.Server{Handler: c.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = c.smtpServer.Serve(smtpLn) }()
	go func() { _ = c.httpServer.Serve(httpLn) }()
	return c, nil
}

// SMTPURL is the SMTP_URL that sends mail here.
func (c *Catcher) SMTPURL() string { return "smtp://" + c.smtpAddr + "?tls=none" }

// SMTPPort is the port the SMTP server listens on.
func (c *Catcher) SMTPPort() int { return c.smtpServerPort }

// SMSURL is the SMS_URL that sends text messages here.
func (c *Catcher) SMSURL() string { return "http://" + c.httpAddr + "/sms" }

// WebURL is the page listing what was captured.
func (c *Catcher) WebURL() string { return "http://" + c.httpAddr + "/" }

// Close stops both servers.
func (c *Catcher) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(c.smtpServer.Close(), c.httpServer.Shutdown(ctx))
}

// Messages returns a copy of everything captured, oldest first.
func (c *Catcher) Messages() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.messages...)
}

// Count returns how many messages were captured and how many SMTP conversations were opened,
// without copying the messages (a bench waits on thousands).
func (c *Catcher) Count() (messages, smtpSessions int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.messages), c.sessions
}

// SMTPSessionsOpen returns how many SMTP conversations are open now.
func (c *Catcher) SMTPSessionsOpen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessions - c.closed
}

// Wait blocks until match returns true for the captured messages or timeout passes, and returns
// the messages it last saw. It is how tests wait for asynchronous sends without sleeping.
func (c *Catcher) Wait(timeout time.Duration, match func([]Message) bool) ([]Message, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		msgs, changed := append([]Message(nil), c.messages...), c.changed
		c.mu.Unlock()
		if match(msgs) {
			return msgs, true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return msgs, false
		}
	}
}

// FailSMS makes the next len(statuses) SMS requests answer with those HTTP statuses, to test
// provider errors.
func (c *Catcher) FailSMS(statuses ...int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.smsFail = append(c.smsFail, statuses...)
}

func (c *Catcher) add(m Message) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addLocked(m)
}

func (c *Catcher) addLocked(m Message) int {
	m.ID, m.At = len(c.messages)+1, time.Now()
	c.messages = append(c.messages, m)
	close(c.changed)
	c.changed = make(chan struct{})
	return m.ID
}

// addSMS records an SMS once per idempotency key (an empty key is never a repeat) and returns
// its id.
func (c *Catcher) addSMS(key string, m Message) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id, ok := c.smsByKey[key]; ok && key != "" {
		return id
	}
	id := c.addLocked(m)
	if key != "" {
		c.smsByKey[key] = id
	}
	return id
}

func (c *Catcher) nextSMSFailure() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.smsFail) == 0 {
		return 0
	}
	status := c.smsFail[0]
	c.smsFail = c.smsFail[1:]
	return status
}
