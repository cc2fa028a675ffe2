package soak

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
)

// password is the soak users' password.
const password = "soak-password-0123456789"

// Org is the soak's organisation: one site open around the clock and its advisors, with the
// session tokens the load and the watchers use.
type Org struct {
	ID         uuid.UUID
	SiteID     uuid.UUID
	AdminToken string
	Advisors   []Advisor
}

// Advisor is a person who gets the alerts and watches their stream.
type Advisor struct {
	ID    uuid.UUID
	Email string
	Token string
}

// setUp creates the organisation through the store, as `relance org create` and an admin would:
// a site open every minute of the week (business time is wall time), a reminder ladder of one
// rung (1 h, the shortest the engine allows, to the advisor by email and SMS), and advisors who
// take every alert in-app, by email and by SMS.
func setUp(ctx context.Context, cfg Config) (Org, error) {
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", cfg.RedisPort)})
	defer rdb.Close()
	db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.WithScheduler(queue.NewClient(rdb, cfg.Queue)))
	if err != nil {
		return Org{}, err
	}
	defer db.Close()
	suffix := uuid.NewString()[:8]
	adminEmail := "admin@soak-" + suffix + ".test"
	org, admin, err := db.CreateOrganization(ctx, "Soak "+suffix, relance.NewUser{
		User:     relance.User{Email: adminEmail, DisplayName: "Soak admin", Notifications: relance.Notifications{Email: true}},
		Password: password,
	})
	if err != nil {
		return Org{}, err
	}
	p := relance.Principal{OrgID: org.ID, Role: relance.RoleAdmin, UserID: admin.ID}
	var always []relance.Window
	for d := time.Sunday; d <= time.Saturday; d++ {
		always = append(always, relance.Window{Weekday: d, Start: 0, End: 1440})
	}
	site, err := db.CreateSite(ctx, p, relance.Site{Name: "Always open", TimeZone: "UTC", Country: "FR", Windows: always})
	if err != nil {
		return Org{}, err
	}
	if err := db.SetReminderPolicy(ctx, p, site.ID, []relance.Rung{{Delay: relance.MinRungDelay,
		Recipients: []relance.Recipient{relance.RecipientAdvisor}, Channels: []relance.Channel{relance.ChannelEmail, relance.ChannelSMS}}}); err != nil {
		return Org{}, err
	}
	out := Org{ID: org.ID, SiteID: site.ID}
	if out.AdminToken, _, _, err = db.Login(ctx, adminEmail, password, "127.0.0.1"); err != nil {
		return Org{}, err
	}
	for i := range cfg.Advisors {
		email := fmt.Sprintf("advisor%d@soak-%s.test", i, suffix)
		u, err := db.CreateUser(ctx, p, relance.NewUser{Password: password, User: relance.User{
			Email: email, DisplayName: fmt.Sprintf("Advisor %d", i), Role: relance.RoleAdvisor,
			SiteIDs: []uuid.UUID{site.ID}, Phone: fmt.Sprintf("+3361000%04d", i), Locale: relance.LocaleEN,
			Notifications: relance.Notifications{Email: true, SMS: true, InApp: true},
		}})
		if err != nil {
			return Org{}, err
		}
		token, _, _, err := db.Login(ctx, email, password, "127.0.0.1")
		if err != nil {
			return Org{}, err
		}
		out.Advisors = append(out.Advisors, Advisor{ID: u.ID, Email: email, Token: token})
	}
	return out, nil
}
