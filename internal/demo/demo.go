// Package demo creates the demo organisation of `make run`: two sites with opening hours, a
// manager, three advisors, a partner API key, leads in several states, interaction statuses and
// customers in call rotation. Seeding again keeps the data and only issues a fresh partner key.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
)

// Password is the password of every demo user.
const Password = "demo-password"

// Emails of the demo users.
const (
	AdminEmail   = "admin@demo.relance.test"
	ManagerEmail = "marie.manager@demo.relance.test"
	AliceEmail   = "alice@demo.relance.test"
	BrunoEmail   = "bruno@demo.relance.test"
	ChloeEmail   = "chloe@demo.relance.test"
)

const partnerKeyName = "Demo partner (lead source + telephony)"

// Credentials is what a newcomer needs to try the API.
type Credentials struct {
	Created    bool // false when the organisation already existed
	AdminToken string
	APIKey     string
	Users      []string // emails, all with Password
}

// Seed creates the demo organisation unless it exists, then issues a fresh partner API key
// (revoking the previous one). It returns an error when the database refuses.
func Seed(ctx context.Context, db *postgres.DB, now time.Time) (Credentials, error) {
	creds := Credentials{Users: []string{AdminEmail, ManagerEmail, AliceEmail, BrunoEmail, ChloeEmail}}
	token, _, _, err := db.Login(ctx, AdminEmail, Password, "127.0.0.1")
	if relance.ErrorCode(err) == relance.CodeUnauthenticated {
		if err := create(ctx, db, now); err != nil {
			return creds, err
		}
		creds.Created = true
		token, _, _, err = db.Login(ctx, AdminEmail, Password, "127.0.0.1")
	}
	if err != nil {
		return creds, err
	}
	creds.AdminToken = token
	admin, err := db.Authenticate(ctx, token)
	if err != nil {
		return creds, err
	}
	keys, err := db.ListAPIKeys(ctx, admin)
	if err != nil {
		return creds, err
	}
	for _, k := range keys {
		if k.Name == partnerKeyName && k.RevokedAt == nil {
			if err := db.RevokeAPIKey(ctx, admin, k.ID); err != nil {
				return creds, err
			}
		}
	}
	_, creds.APIKey, err = db.CreateAPIKey(ctx, admin, relance.APIKey{
		Name: partnerKeyName, Scopes: []relance.Scope{relance.ScopeLeadsCreate, relance.ScopeLeadsRead, relance.ScopeCallsRecord},
	})
	return creds, err
}

// weekHours opens Monday to Friday 09:00–12:00 and 14:00–19:00, and Saturday morning.
func weekHours() []relance.Window {
	var ws []relance.Window
	for d := time.Monday; d <= time.Friday; d++ {
		ws = append(ws, relance.Window{Weekday: d, Start: 9 * 60, End: 12 * 60}, relance.Window{Weekday: d, Start: 14 * 60, End: 19 * 60})
	}
	return append(ws, relance.Window{Weekday: time.Saturday, Start: 9 * 60, End: 12 * 60})
}

func create(ctx context.Context, db *postgres.DB, now time.Time) error {
	org, admin, err := db.CreateOrganization(ctx, "Garage Démo", relance.NewUser{
		User:     relance.User{Email: AdminEmail, DisplayName: "Admin Démo", Locale: relance.LocaleFR, Notifications: relance.Notifications{Email: true, InApp: true}},
		Password: Password,
	})
	if err != nil {
		return fmt.Errorf("demo organisation: %w", err)
	}
	p := relance.Principal{OrgID: org.ID, Role: relance.RoleAdmin, UserID: admin.ID}
	holidays := []relance.Closure{
		{Start: relance.Date{Year: 2026, Month: 12, Day: 25}, End: relance.Date{Year: 2026, Month: 12, Day: 25}, Reason: "Noël"},
		{Start: relance.Date{Year: 2027, Month: 1, Day: 1}, End: relance.Date{Year: 2027, Month: 1, Day: 1}, Reason: "Jour de l'an"},
	}
	lyon, err := db.CreateSite(ctx, p, relance.Site{Name: "Lyon Centre", TimeZone: "Europe/Paris", Country: "FR", Windows: weekHours(), Closures: holidays})
	if err != nil {
		return err
	}
	montreal, err := db.CreateSite(ctx, p, relance.Site{Name: "Montréal Nord", TimeZone: "America/Toronto", Country: "CA", Windows: weekHours()})
	if err != nil {
		return err
	}
	person := func(email, name string, role relance.Role, manager uuid.UUID, sites []uuid.UUID, phone string, locale relance.Locale, sms bool) (relance.User, error) {
		return db.CreateUser(ctx, p, relance.NewUser{Password: Password, User: relance.User{
			Email: email, DisplayName: name, Role: role, ManagerID: manager, SiteIDs: sites, Phone: phone, Locale: locale,
			Notifications: relance.Notifications{Email: true, InApp: true, SMS: sms},
		}})
	}
	both := []uuid.UUID{lyon.ID, montreal.ID}
	marie, err := person(ManagerEmail, "Marie Manager", relance.RoleManager, uuid.Nil, both, "+33611111111", relance.LocaleFR, false)
	if err != nil {
		return err
	}
	alice, err := person(AliceEmail, "Alice Advisor", relance.RoleAdvisor, marie.ID, []uuid.UUID{lyon.ID}, "+33622222222", relance.LocaleFR, true)
	if err != nil {
		return err
	}
	bruno, err := person(BrunoEmail, "Bruno Advisor", relance.RoleAdvisor, marie.ID, []uuid.UUID{lyon.ID}, "+33633333333", relance.LocaleEN, false)
	if err != nil {
		return err
	}
	chloe, err := person(ChloeEmail, "Chloé Advisor", relance.RoleAdvisor, marie.ID, []uuid.UUID{montreal.ID}, "+15145550123", relance.LocaleRU, false)
	if err != nil {
		return err
	}

	type demoLead struct {
		name, phone, email, source, category string
		site, assignee                       uuid.UUID
		age                                  time.Duration
		answered                             bool
		stage                                relance.Stage
	}
	leads := []demoLead{
		{"Jean Dupont", "+33644444444", "jean.dupont@example.com", "website", "A", lyon.ID, uuid.Nil, 20 * time.Minute, false, relance.StageOpen},
		{"Sophie Martin", "+33655555555", "", "leboncoin", "B", lyon.ID, alice.ID, 2 * time.Hour, false, relance.StageOpen},
		{"Paul Bernard", "", "paul.bernard@example.com", "website", "A", lyon.ID, bruno.ID, 26 * time.Hour, true, relance.StageOpen},
		{"Lucie Petit", "+33666666666", "", "phone", "C", lyon.ID, alice.ID, 72 * time.Hour, true, relance.StageWon},
		{"Marc Leroy", "+33677777777", "marc.leroy@example.com", "partner-feed", "B", lyon.ID, bruno.ID, 96 * time.Hour, true, relance.StageRejected},
		{"Émilie Tremblay", "+15145550199", "emilie@example.ca", "website", "A", montreal.ID, chloe.ID, 3 * time.Hour, false, relance.StageOpen},
	}
	var followed uuid.UUID // an answered open lead, to put in rotation
	for i, l := range leads {
		lead, _, err := db.CreateLead(ctx, p, relance.NewLead{
			IdempotencyKey: fmt.Sprintf("demo-%d", i), SiteID: l.site, Source: l.source, SourceGroup: "demo",
			Category: l.category, Contact: relance.Contact{Name: l.name, Phone: l.phone, Email: l.email},
			ReceivedAt: now.Add(-l.age), AssigneeID: l.assignee,
		})
		if err != nil {
			return fmt.Errorf("demo lead %s: %w", l.name, err)
		}
		if l.answered {
			if err := answer(ctx, db, p, &lead, now.Add(-l.age+45*time.Minute), i); err != nil {
				return err
			}
		}
		if l.stage != relance.StageOpen {
			if _, err := db.UpdateLead(ctx, p, lead.ID, relance.LeadChange{Stage: &l.stage}); err != nil {
				return err
			}
		} else if l.answered {
			followed = lead.ID
		}
	}
	return rotation(ctx, db, p, lyon.ID, alice.ID, bruno.ID, followed)
}

// answer answers a demo lead at the given time: a call through the telephony (a missed attempt,
// then a conversation with a recording) when it has a phone number, else an email.
func answer(ctx context.Context, db *postgres.DB, p relance.Principal, lead *relance.Lead, at time.Time, i int) error {
	if lead.Contact.Phone == "" {
		_, _, err := db.RecordActivity(ctx, p, relance.NewActivity{
			LeadID: lead.ID, Kind: relance.KindEmail, State: relance.ActivityDone, DoneAt: &at, Content: "Premier contact",
		})
		return err
	}
	for j, c := range []relance.Call{
		{StartedAt: at.Add(-20 * time.Minute), Outcome: relance.CallNoAnswer},
		{StartedAt: at, Duration: 3*time.Minute + 12*time.Second, Outcome: relance.CallAnswered, RecordingURL: "https://pbx.example/recordings/demo.mp3"},
	} {
		c.AdvisorID, c.Direction, c.Phone, c.ExternalID = lead.AssigneeID, relance.Outbound, lead.Contact.Phone, fmt.Sprintf("demo-call-%d-%d", i, j)
		if _, _, err := db.RecordCall(ctx, p, relance.NewCall{Call: c}); err != nil {
			return err
		}
	}
	return nil
}

// rotation fills the reference book of interaction statuses and puts a lead and a few existing
// customers in rotation, so that scheduled calls show up in the inboxes and the listings.
func rotation(ctx context.Context, db *postgres.DB, p relance.Principal, site, alice, bruno, lead uuid.UUID) error {
	ids := map[string]uuid.UUID{}
	for i, s := range []relance.Status{
		{Name: "Chaud", For: relance.StatusForLeads, SchedulesCall: true, CallAfterDays: 1},
		{Name: "Tiède", For: relance.StatusForBoth, SchedulesCall: true, CallAfterDays: 7},
		{Name: "Froid", For: relance.StatusForBoth, SchedulesCall: true, CallAfterDays: 30},
		{Name: "Gagné", For: relance.StatusForLeads, Terminal: relance.StageWon},
		{Name: "Perdu", For: relance.StatusForLeads, Terminal: relance.StageRejected},
	} {
		s.SortOrder = i
		created, err := db.CreateStatus(ctx, p, s)
		if err != nil {
			return fmt.Errorf("demo status %s: %w", s.Name, err)
		}
		ids[s.Name] = created.ID
	}
	if lead != uuid.Nil {
		warm := ids["Tiède"]
		if _, err := db.UpdateLead(ctx, p, lead, relance.LeadChange{StatusID: &warm}); err != nil {
			return err
		}
	}
	for _, c := range []relance.Counterparty{
		{Kind: "company", Name: "Transports Rhône SARL", Category: "A", Phone: "+33478000001", ResponsibleID: alice, StatusID: ids["Tiède"]},
		{Kind: "company", Name: "Garage des Alpes", Category: "B", Phone: "+33478000002", ResponsibleID: bruno, StatusID: ids["Froid"]},
		{Kind: "person", Name: "Nathalie Roux", Category: "C", Email: "nathalie.roux@example.com", ResponsibleID: alice, StatusID: ids["Froid"]},
	} {
		c.SiteID = site
		if _, err := db.CreateCounterparty(ctx, p, c); err != nil {
			return fmt.Errorf("demo counterparty %s: %w", c.Name, err)
		}
	}
	return nil
}
