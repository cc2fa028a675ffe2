package testenv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
)

// Password is the password of every World user.
const Password = "test-password"

// World is a populated organisation: two sites (Lyon, Paris), an admin, a manager of Lyon, two
// advisors of Lyon reporting to the manager and one advisor of Paris.
type World struct {
	DB                  *postgres.DB
	Org                 relance.Organization
	Lyon, Paris         relance.Site
	Admin, Manager      relance.User
	Alice, Bob, Pauline relance.User // Alice and Bob work in Lyon, Pauline in Paris
}

// NewWorld creates a World in db under a unique organisation name and email domain.
func NewWorld(t testing.TB, db *postgres.DB) *World {
	t.Helper()
	ctx := context.Background()
	domain := randomName("w") + ".test"
	w := &World{DB: db}
	var err error
	w.Org, w.Admin, err = db.CreateOrganization(ctx, "Org "+domain, relance.NewUser{
		User: relance.User{Email: "admin@" + domain, DisplayName: "Admin"}, Password: Password,
	})
	must(t, err)
	admin := w.As(w.Admin)
	// Fixtures give many leads one customer's number (Lead); repeats are tested on their own.
	off := 0
	w.Org, err = db.UpdateOrganization(ctx, admin, relance.OrganizationChange{RepeatDays: &off})
	must(t, err)
	hours := []relance.Window{}
	for d := time.Monday; d <= time.Friday; d++ {
		hours = append(hours, relance.Window{Weekday: d, Start: 9 * 60, End: 19 * 60})
	}
	w.Lyon, err = db.CreateSite(ctx, admin, relance.Site{Name: "Lyon", TimeZone: "Europe/Paris", Country: "FR", Windows: hours})
	must(t, err)
	w.Paris, err = db.CreateSite(ctx, admin, relance.Site{Name: "Paris", TimeZone: "Europe/Paris", Country: "FR", Windows: hours})
	must(t, err)
	user := func(name string, role relance.Role, manager uuid.UUID, site uuid.UUID, locale relance.Locale) relance.User {
		u, err := db.CreateUser(ctx, admin, relance.NewUser{Password: Password, User: relance.User{
			Email: fmt.Sprintf("%s@%s", name, domain), DisplayName: name, Role: role, ManagerID: manager,
			SiteIDs: []uuid.UUID{site}, Phone: "+33600000001", Locale: locale,
			Notifications: relance.Notifications{Email: true, InApp: true},
		}})
		must(t, err)
		return u
	}
	w.Manager = user("manager", relance.RoleManager, uuid.Nil, w.Lyon.ID, relance.LocaleFR)
	w.Alice = user("alice", relance.RoleAdvisor, w.Manager.ID, w.Lyon.ID, relance.LocaleEN)
	w.Bob = user("bob", relance.RoleAdvisor, w.Manager.ID, w.Lyon.ID, relance.LocaleFR)
	w.Pauline = user("pauline", relance.RoleAdvisor, uuid.Nil, w.Paris.ID, relance.LocaleRU)
	return w
}

// As returns the principal of u, as authentication would build it.
func (w *World) As(u relance.User) relance.Principal {
	return relance.Principal{OrgID: w.Org.ID, Role: u.Role, UserID: u.ID, SiteIDs: u.SiteIDs}
}

// Lead creates a lead in Lyon (as the admin), assigned to assignee unless uuid.Nil.
func (w *World) Lead(t testing.TB, name string, assignee uuid.UUID) relance.Lead {
	t.Helper()
	l, _, err := w.DB.CreateLead(context.Background(), w.As(w.Admin), relance.NewLead{
		IdempotencyKey: randomName("k"), SiteID: w.Lyon.ID, Source: "website",
		Contact: relance.Contact{Name: name, Phone: "+33612345678"}, AssigneeID: assignee,
	})
	must(t, err)
	return l
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
