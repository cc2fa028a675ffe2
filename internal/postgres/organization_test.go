package postgres_test

import (
	"testing"
	"time"

	"github.com/relancehq/relance/internal/credential"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

func newAdmin(t *testing.T, email string) (relance.NewUser, string) {
	t.Helper()
	password, err := credential.NewPassword()
	if err != nil {
		t.Fatal(err)
	}
	return relance.NewUser{User: relance.User{Email: email, DisplayName: "Jeanne"}, Password: password}, password
}

func findOrg(orgs []postgres.OrganizationSummary, name string) (postgres.OrganizationSummary, bool) {
	for _, o := range orgs {
		if o.Name == name {
			return o, true
		}
	}
	return postgres.OrganizationSummary{}, false
}

func TestOrgCreateListAndAdminLogin(t *testing.T) {
	t.Parallel()
	appURL, ownerURL := testenv.Database(t)
	owner := testenv.OpenURL(t, ownerURL)
	in, password := newAdmin(t, "Jeanne@Garage-Dupont.test")
	org, admin, err := owner.CreateOrganization(ctx, "Garage Dupont", in)
	if err != nil {
		t.Fatal(err)
	}
	if admin.Role != relance.RoleAdmin || admin.Email != "jeanne@garage-dupont.test" || admin.OrgID != org.ID {
		t.Fatalf("admin = %+v", admin)
	}
	if _, err := owner.CreateSite(ctx, relance.Principal{OrgID: org.ID, Role: relance.RoleAdmin, UserID: admin.ID},
		relance.Site{Name: "Lyon", TimeZone: "Europe/Paris", Country: "FR", Windows: []relance.Window{{Weekday: time.Monday, Start: 9 * 60, End: 12 * 60}}}); err != nil {
		t.Fatal(err)
	}
	orgs, err := owner.ListOrganizations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := findOrg(orgs, "Garage Dupont")
	if !ok || got.ID != org.ID || got.Users != 1 || got.Sites != 1 || !got.CreatedAt.Equal(org.CreatedAt) {
		t.Fatalf("listed %+v, want %s with 1 user and 1 site", orgs, org.ID)
	}

	// The admin logs in through the API's store with the printed password.
	app := testenv.OpenURL(t, appURL)
	token, _, _, err := app.Login(ctx, "jeanne@garage-dupont.test", password, "127.0.0.1")
	if err != nil || token == "" {
		t.Fatalf("login with the one-time password: %v", err)
	}
	_, _, _, err = app.Login(ctx, "jeanne@garage-dupont.test", password+"x", "127.0.0.1")
	wantCode(t, err, relance.CodeUnauthenticated)

	// The application role, confined by row-level security, lists none.
	if orgs, err := app.ListOrganizations(ctx); err != nil || len(orgs) != 0 {
		t.Fatalf("the application role lists %d organisations (%v), want 0", len(orgs), err)
	}
}

func TestOrgCreateRefusesTakenEmailAndBadInput(t *testing.T) {
	t.Parallel()
	_, ownerURL := testenv.Database(t)
	owner := testenv.OpenURL(t, ownerURL)
	in, _ := newAdmin(t, "boss@first.test")
	if _, _, err := owner.CreateOrganization(ctx, "First", in); err != nil {
		t.Fatal(err)
	}
	// Emails are unique across organisations, whatever their case.
	in, _ = newAdmin(t, "BOSS@first.test")
	_, _, err := owner.CreateOrganization(ctx, "Second", in)
	wantCode(t, err, relance.CodeConflict)

	for _, c := range []struct{ name, email string }{
		{"", "a@b.test"},
		{"   ", "a@b.test"},
		{"Third", ""},
		{"Third", "not-an-email"},
		{"Third", "Jeanne <a@b.test>"},
		{"Third", " a@b.test"},
	} {
		in, _ := newAdmin(t, c.email)
		_, _, err := owner.CreateOrganization(ctx, c.name, in)
		wantCode(t, err, relance.CodeInvalid)
	}

	orgs, err := owner.ListOrganizations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 1 || orgs[0].Name != "First" {
		t.Fatalf("listed %+v, want only First (refused creations leave nothing)", orgs)
	}
}
