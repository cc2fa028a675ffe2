// Package message renders the emails and texts Relance sends, from template files embedded in
// the binary: for each message and locale, NAME.LOCALE.txt defines "subject", "text" and
// optionally "sms", and
// NAME.LOCALE.html the HTML body.
package message

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
)

//go:embed templates
var files embed.FS

// Rendered is a message ready to address.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
	SMS     string // the short form, when the .txt file defines "sms"
}

type pair struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

var (
	cacheMu sync.Mutex
	cache   = map[string]pair{}
)

func load(name string, locale relance.Locale) (pair, error) {
	key := name + "." + string(locale)
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if p, ok := cache[key]; ok {
		return p, nil
	}
	t, err := texttemplate.ParseFS(files, "templates/"+key+".txt")
	if err != nil {
		return pair{}, fmt.Errorf("message: %s: %w", key, err)
	}
	h, err := htmltemplate.ParseFS(files, "templates/"+key+".html")
	if err != nil {
		return pair{}, fmt.Errorf("message: %s: %w", key, err)
	}
	p := pair{t, h}
	cache[key] = p
	return p, nil
}

// Render renders message name in locale (French when the locale is unknown) with data.
// It returns an error when a template is missing or fails.
func Render(name string, locale relance.Locale, data any) (Rendered, error) {
	switch locale {
	case relance.LocaleFR, relance.LocaleEN, relance.LocaleRU:
	default:
		locale = relance.LocaleFR
	}
	p, err := load(name, locale)
	if err != nil {
		return Rendered{}, err
	}
	var subject, text, html bytes.Buffer
	if err := p.text.ExecuteTemplate(&subject, "subject", data); err != nil {
		return Rendered{}, fmt.Errorf("message: %s subject: %w", name, err)
	}
	if err := p.text.ExecuteTemplate(&text, "text", data); err != nil {
		return Rendered{}, fmt.Errorf("message: %s text: %w", name, err)
	}
	if err := p.html.Execute(&html, data); err != nil {
		return Rendered{}, fmt.Errorf("message: %s html: %w", name, err)
	}
	var sms bytes.Buffer
	if p.text.Lookup("sms") != nil {
		if err := p.text.ExecuteTemplate(&sms, "sms", data); err != nil {
			return Rendered{}, fmt.Errorf("message: %s sms: %w", name, err)
		}
	}
	return Rendered{
		SMS:     strings.TrimSpace(sms.String()),
		Subject: strings.TrimSpace(subject.String()),
		Text:    strings.TrimSpace(text.String()) + "\n",
		HTML:    html.String(),
	}, nil
}

// Links makes the web app's addresses that notification emails carry ("open the lead"), from
// its public address; with none configured, messages carry no link.
type Links struct{ base string }

// NewLinks returns the Links of the web app at appURL ("https://relance.example.com").
func NewLinks(appURL string) Links { return Links{strings.TrimRight(appURL, "/")} }

// Lead returns the address of lead id's card, or "".
func (l Links) Lead(id uuid.UUID) string {
	if l.base == "" {
		return ""
	}
	return l.base + "/leads/" + id.String()
}

// App returns the web app's address, or "".
func (l Links) App() string { return l.base }

// LeadAssigned is the data of the "lead_assigned" message.
type LeadAssigned struct {
	AdvisorName  string
	ContactName  string
	ContactPhone string
	ContactEmail string
	Source       string
	SiteName     string
	ReceivedAt   time.Time // shown in the site's zone
	Notes        string
	LeadURL      string // the lead in the web app (Links.Lead); empty shows no link
}

// When formats ReceivedAt for display ("2006-01-02 15:04").
func (d LeadAssigned) When() string { return d.ReceivedAt.Format("2006-01-02 15:04") }

// LeadRepeat is the data of the "lead_repeat" message: the customer of an open lead wrote again.
type LeadRepeat struct {
	RecipientName  string
	ContactName    string
	ContactPhone   string
	ContactEmail   string
	Source         string
	SiteName       string
	ReceivedAt     time.Time // the repeat inquiry, shown in the site's zone
	LeadReceivedAt time.Time // the open lead it repeats, shown in the site's zone
	Notes          string
	LeadURL        string // the lead in the web app (Links.Lead); empty shows no link
}

// When formats ReceivedAt for display ("2006-01-02 15:04").
func (d LeadRepeat) When() string { return d.ReceivedAt.Format("2006-01-02 15:04") }

// LeadWhen formats LeadReceivedAt for display ("2006-01-02 15:04").
func (d LeadRepeat) LeadWhen() string { return d.LeadReceivedAt.Format("2006-01-02 15:04") }

// Reminder is the data of the "reminder" message: a lead still waits for its first answer.
type Reminder struct {
	RecipientName string
	AdvisorName   string
	Escalation    bool // sent to the advisor's manager rather than the advisor
	Rung          int  // 1 for the first reminder
	ContactName   string
	ContactPhone  string
	Source        string
	SiteName      string
	ReceivedAt    time.Time     // shown in the site's zone
	Waiting       time.Duration // business time since the assignment
	LeadURL       string        // the lead in the web app (Links.Lead); empty shows no link
}

// When formats ReceivedAt for display ("2006-01-02 15:04").
func (d Reminder) When() string { return d.ReceivedAt.Format("2006-01-02 15:04") }

// Wait formats the business time waited, such as "2h05".
func (d Reminder) Wait() string {
	m := int(d.Waiting.Round(time.Minute) / time.Minute)
	return fmt.Sprintf("%dh%02d", m/60, m%60)
}

// Digest is the data of the "digest" message: what needs an action today.
type Digest struct {
	RecipientName string
	Date          string // the local day, "2006-01-02"
	Team          bool   // a manager's digest: one group per advisor
	Groups        []DigestGroup
	AppURL        string // the web app (Links.App); empty shows no link
}

// DigestGroup is one advisor's part of a digest.
type DigestGroup struct {
	AdvisorName string
	Planned     []DigestItem // actions planned today, or overdue
	Late        []DigestItem // late leads
}

// DigestItem is one lead in a digest.
type DigestItem struct {
	ContactName  string
	ContactPhone string
	Source       string
	Action       string // the planned action's kind ("call", "task"…), empty for late leads
	At           string // local "15:04" for actions today, "2006-01-02 15:04" otherwise
}

// Decision is the data of the "decision" message: a manager must say what to do with a lead
// assigned to an advisor who is away.
type Decision struct {
	ManagerName string
	AdvisorName string
	AwayUntil   time.Time // shown in the site's zone
	ContactName string
	Source      string
	SiteName    string
}

// Until formats AwayUntil for display ("2006-01-02 15:04").
func (d Decision) Until() string { return d.AwayUntil.Format("2006-01-02 15:04") }

// ImproperClosure is the data of the "improper_closure" message: a lead was rejected with fewer
// contacts than the cadence rule asks.
type ImproperClosure struct {
	ManagerName string
	AdvisorName string
	ContactName string
	Source      string
	SiteName    string
	Contacts    int
	Required    int
}

// Overdue is the data of the "overdue" message: a planned action is past its due time.
type Overdue struct {
	RecipientName string
	AdvisorName   string
	Escalation    bool   // sent to the advisor's manager
	Action        string // "call", "task"…
	ContactName   string
	ContactPhone  string
	DueAt         time.Time // shown in the site's zone
}

// Due formats DueAt for display ("2006-01-02 15:04").
func (d Overdue) Due() string { return d.DueAt.Format("2006-01-02 15:04") }

// ActionDue is the data of the alert telling someone a manual action (a scheduled call, a plan
// step) is due.
type ActionDue struct {
	RecipientName string
	Action        string // "call", "task"…
	Subject       string // the status or step that planned it
	ContactName   string
	ContactPhone  string
	LeadURL       string // the lead in the web app (Links.Lead); empty shows no link
}

// MessageCap is the data of the "message_cap" message: a daily cap on messages to customers
// refused a message; more are refused until the end of the day (UTC).
type MessageCap struct {
	RecipientName string
	Cap           string // "sms", "email" or "recipient" (relance.Cap)
	Limit         int
	Day           string // the UTC day, "2006-01-02"
}
