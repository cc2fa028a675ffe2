package bench

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
)

// Scale is the size of the organisation Generate builds.
type Scale struct {
	Sites    int
	Advisors int
	Leads    int
	Days     int // leads are received over this many days up to now
}

// ScaleOrg is a generated organisation: who to report as, and where.
type ScaleOrg struct {
	Org     uuid.UUID
	Admin   relance.Principal
	Manager relance.Principal // the manager of the first site
	Sites   []uuid.UUID
}

// sources are the lead sources, with their source groups.
var sources = []struct{ name, group string }{
	{"website", "internet"}, {"autoscout", "internet"}, {"leboncoin", "internet"}, {"facebook", "internet"},
	{"phone", "phone"}, {"walk-in", "showroom"}, {"event", "showroom"}, {"manufacturer", "oem"},
	{"partner", "oem"}, {"referral", "network"},
}

// generator derives every row from the run's prefix and the lead's index, so that each pass
// over the leads (leads, then their calls and activities) sees the same leads without keeping
// them in memory.
type generator struct {
	sc       Scale
	prefix   [7]byte
	org      uuid.UUID
	now      time.Time
	sites    []uuid.UUID
	advisors [][]uuid.UUID // per site
}

// id returns the id of row i of a kind: the run's prefix, the kind, the index.
func (g *generator) id(kind byte, i int) uuid.UUID {
	var u uuid.UUID
	copy(u[:7], g.prefix[:])
	u[7] = kind
	binary.BigEndian.PutUint64(u[8:], uint64(i))
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

// genLead is one generated lead and its calls.
type genLead struct {
	id, site, advisor uuid.UUID
	source            int
	category          string
	stage             relance.Stage
	received          time.Time
	response          *int32 // business seconds
	answered          *time.Time
	calls             []genCall
}

type genCall struct {
	at         time.Time
	seconds    int32
	outcome    relance.CallOutcome
	successful bool
}

func (g *generator) lead(i int) genLead {
	r := rand.New(rand.NewPCG(uint64(i), 0x5e1a))
	site := r.IntN(len(g.sites))
	l := genLead{
		id: g.id('L', i), site: g.sites[site], advisor: g.advisors[site][r.IntN(len(g.advisors[site]))],
		source: r.IntN(len(sources)), category: []string{"A", "B", "C", ""}[r.IntN(4)], stage: relance.StageOpen,
		received: g.now.Add(-time.Duration(r.Float64() * float64(g.sc.Days) * float64(24*time.Hour))).Truncate(time.Microsecond),
	}
	if r.Float64() < 0.88 { // answered, after an exponential wait of 3 business hours on average
		s := int32(math.Min(-math.Log(1-r.Float64())*3*3600, 30*24*3600))
		at := l.received.Add(time.Duration(float64(s)*1.6) * time.Second)
		if at.Before(g.now) {
			l.response, l.answered = &s, &at
		}
	}
	if g.now.Sub(l.received) > 10*24*time.Hour {
		switch x := r.Float64(); {
		case x < 0.2:
			l.stage = relance.StageWon
		case x < 0.65:
			l.stage = relance.StageRejected
		}
	}
	for range r.IntN(6) { // 2.5 calls a lead on average, within its first five days
		c := genCall{at: l.received.Add(time.Duration(r.Float64() * float64(5*24*time.Hour))).Truncate(time.Microsecond), outcome: relance.CallNoAnswer}
		if c.at.After(g.now) {
			continue
		}
		if r.Float64() < 0.5 {
			c.outcome, c.seconds = relance.CallAnswered, int32(5+r.IntN(400))
			c.successful = c.seconds > 30
		}
		l.calls = append(l.calls, c)
	}
	return l
}

// Generate builds an organisation of sc's size in the database: sites and a manager each through
// the store, advisors, leads, calls and activities by COPY (as the schema owner), with a progress
// bar on progress. It ends with ANALYZE, as a database in use would have.
func Generate(ctx context.Context, store *postgres.DB, ownerURL string, sc Scale, now time.Time, progress io.Writer) (ScaleOrg, error) {
	suffix := uuid.NewString()[:8]
	org, admin, err := store.CreateOrganization(ctx, "Scale "+suffix, relance.NewUser{
		User: relance.User{Email: "admin@scale-" + suffix + ".test", DisplayName: "Admin"}, Password: "scale-password",
	})
	if err != nil {
		return ScaleOrg{}, err
	}
	out := ScaleOrg{Org: org.ID, Admin: relance.Principal{OrgID: org.ID, Role: relance.RoleAdmin, UserID: admin.ID}}
	g := &generator{sc: sc, org: org.ID, now: now}
	copy(g.prefix[:], uuid.New().NodeID()) // 6 random bytes
	g.prefix[6] = byte(now.UnixNano())
	var hours []relance.Window
	for d := time.Monday; d <= time.Friday; d++ {
		hours = append(hours, relance.Window{Weekday: d, Start: 9 * 60, End: 12 * 60}, relance.Window{Weekday: d, Start: 14 * 60, End: 19 * 60})
	}
	hours = append(hours, relance.Window{Weekday: time.Saturday, Start: 9 * 60, End: 12 * 60})
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return out, err
	}
	defer conn.Close(ctx)

	var users, userSites [][]any
	for s := range sc.Sites {
		site, err := store.CreateSite(ctx, out.Admin, relance.Site{Name: fmt.Sprintf("Site %02d", s+1), TimeZone: "Europe/Paris", Country: "FR", Windows: hours})
		if err != nil {
			return out, err
		}
		g.sites = append(g.sites, site.ID)
		manager := g.id('M', s)
		users = append(users, userRow(manager, org.ID, fmt.Sprintf("manager%02d@scale-%s.test", s, suffix), "Manager", relance.RoleManager, nil, now))
		userSites = append(userSites, []any{org.ID, manager, site.ID})
		if s == 0 {
			out.Manager = relance.Principal{OrgID: org.ID, Role: relance.RoleManager, UserID: manager, SiteIDs: []uuid.UUID{site.ID}}
		}
	}
	g.advisors = make([][]uuid.UUID, sc.Sites)
	for a := range sc.Advisors {
		s := a % sc.Sites
		id, manager := g.id('A', a), g.id('M', s)
		g.advisors[s] = append(g.advisors[s], id)
		users = append(users, userRow(id, org.ID, fmt.Sprintf("advisor%04d@scale-%s.test", a, suffix), fmt.Sprintf("Advisor %04d", a), relance.RoleAdvisor, &manager, now))
		userSites = append(userSites, []any{org.ID, id, g.sites[s]})
	}
	out.Sites = g.sites
	userCols := []string{"id", "org_id", "email", "display_name", "role", "manager_id", "created_at", "updated_at"}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"users"}, userCols, pgx.CopyFromRows(users)); err != nil {
		return out, fmt.Errorf("copy users: %w", err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"user_sites"}, []string{"org_id", "user_id", "site_id"}, pgx.CopyFromRows(userSites)); err != nil {
		return out, fmt.Errorf("copy user sites: %w", err)
	}

	bar := newBar(progress, "leads", sc.Leads)
	leadCols := []string{"id", "org_id", "site_id", "source", "source_group", "category", "contact_name", "contact_phone",
		"assignee_id", "stage", "received_at", "assigned_at", "first_response_at", "response_seconds", "created_at", "updated_at",
		"call_attempts", "successful_touches", "last_attempt_at"}
	i := 0
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"leads"}, leadCols, pgx.CopyFromFunc(func() ([]any, error) {
		if i == sc.Leads {
			return nil, nil
		}
		l := g.lead(i)
		i++
		bar.add(1)
		touches := 0
		var last *time.Time
		for _, c := range l.calls {
			if c.successful {
				touches++
			}
			if last == nil || c.at.After(*last) {
				last = &c.at
			}
		}
		src := sources[l.source]
		return []any{l.id, g.org, l.site, src.name, src.group, l.category, fmt.Sprintf("Contact %d", i),
			fmt.Sprintf("+336%08d", i), l.advisor, string(l.stage), l.received, l.received, l.answered, l.response,
			l.received, l.received, int32(len(l.calls)), int32(touches), last}, nil
	})); err != nil {
		return out, fmt.Errorf("copy leads: %w", err)
	}
	bar.done()

	// Each call leaves a call and its timeline entry; each answered lead also an email.
	bar = newBar(progress, "calls", sc.Leads)
	callCols := []string{"id", "org_id", "lead_id", "advisor_id", "direction", "started_at", "duration_seconds", "outcome",
		"successful", "activity_id", "created_at"}
	rows := calls(g, bar, func(l *genLead, n int, c genCall) []any {
		return []any{g.id('C', n), g.org, l.id, l.advisor, "outbound", c.at, c.seconds, string(c.outcome), c.successful, g.id('K', n), c.at}
	}, false)
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"calls"}, callCols, rows); err != nil {
		return out, fmt.Errorf("copy calls: %w", err)
	}
	bar.done()
	bar = newBar(progress, "activities", sc.Leads)
	activityCols := []string{"id", "org_id", "lead_id", "kind", "origin", "state", "done_at", "actor_id", "content", "direction", "created_at"}
	rows = calls(g, bar, func(l *genLead, n int, c genCall) []any {
		if n < 0 { // the answer of lead l
			return []any{g.id('E', -n-1), g.org, l.id, "email", "human", "done", *l.answered, l.advisor, "Reply", "outbound", *l.answered}
		}
		return []any{g.id('K', n), g.org, l.id, "call", "human", "done", c.at, l.advisor, string(c.outcome), "outbound", c.at}
	}, true)
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"activities"}, activityCols, rows); err != nil {
		return out, fmt.Errorf("copy activities: %w", err)
	}
	bar.done()
	if _, err := conn.Exec(ctx, "ANALYZE leads, calls, activities, users, user_sites"); err != nil {
		return out, err
	}
	return out, nil
}

// calls streams a row per generated call (numbered across leads), and with answers a row per
// answered lead (numbered -i-1).
func calls(g *generator, bar *bar, row func(l *genLead, n int, c genCall) []any, answers bool) pgx.CopyFromSource {
	var pending [][]any
	i, n := 0, 0
	return pgx.CopyFromFunc(func() ([]any, error) {
		for len(pending) == 0 {
			if i == g.sc.Leads {
				return nil, nil
			}
			l := g.lead(i)
			for _, c := range l.calls {
				pending = append(pending, row(&l, n, c))
				n++
			}
			if answers && l.answered != nil {
				pending = append(pending, row(&l, -i-1, genCall{}))
			}
			i++
			bar.add(1)
		}
		r := pending[0]
		pending = pending[1:]
		return r, nil
	})
}

func userRow(id, org uuid.UUID, email, name string, role relance.Role, manager *uuid.UUID, now time.Time) []any {
	return []any{id, org, email, name, string(role), manager, now, now}
}

// bar draws a progress bar on one line.
type bar struct {
	mu           sync.Mutex
	w            io.Writer
	label        string
	total, count int
	shown        int
	start        time.Time
}

func newBar(w io.Writer, label string, total int) *bar {
	return &bar{w: w, label: label, total: total, shown: -1, start: time.Now()}
}

func (b *bar) add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.count += n
	if pct := b.count * 100 / max(b.total, 1); pct != b.shown {
		b.shown = pct
		fill := strings.Repeat("#", pct*40/100) + strings.Repeat(".", 40-pct*40/100)
		fmt.Fprintf(b.w, "\r%-11s [%s] %3d%%  %d/%d leads  %.0fs", b.label, fill, pct, b.count, b.total, time.Since(b.start).Seconds())
	}
}

func (b *bar) done() { fmt.Fprintln(b.w) }
