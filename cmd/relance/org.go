package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/relancehq/relance/internal/config"
	"github.com/relancehq/relance/internal/credential"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
)

const orgUsage = `usage: relance org create --name NAME --admin-email EMAIL [--admin-name NAME]
       relance org list
`

// errUsage is returned for a command line org cannot parse; main exits with status 2 on it.
var errUsage = errors.New("bad command line")

// org runs `relance org create|list` as the schema owner (MIGRATE_DATABASE_URL).
func org(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	fs := flag.NewFlagSet("org "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("name", "", "the organisation's name")
	email := fs.String("admin-email", "", "the first admin's email, used to log in")
	adminName := fs.String("admin-name", "Admin", "the first admin's display name")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	if args[0] != "create" && (args[0] != "list" || fs.NFlag() > 0) {
		return errUsage
	}
	store, err := postgres.Open(ctx, cfg.MigrateDatabaseURL, postgres.WithLogger(log))
	if err != nil {
		return err
	}
	defer store.Close()
	if args[0] == "list" {
		return orgList(ctx, store)
	}
	return orgCreate(ctx, store, *name, *email, *adminName)
}

// orgCreate creates the organisation and its admin, and prints the admin's one-time password.
func orgCreate(ctx context.Context, store *postgres.DB, name, email, adminName string) error {
	password, err := credential.NewPassword()
	if err != nil {
		return err
	}
	o, admin, err := store.CreateOrganization(ctx, strings.TrimSpace(name), relance.NewUser{
		User: relance.User{Email: strings.TrimSpace(email), DisplayName: strings.TrimSpace(adminName),
			Notifications: relance.Notifications{Email: true, InApp: true}},
		Password: password,
	})
	if err != nil {
		return err
	}
	fmt.Printf("Organisation %q created (id %s).\n\n", o.Name, o.ID)
	fmt.Printf("  Admin:     %s (id %s)\n", admin.Email, admin.ID)
	fmt.Printf("  Password:  %s\n\n", password)
	fmt.Println("The password is shown only this once: log in with it and change it (UpdateUser with current_password).")
	return nil
}

// orgList prints every organisation, oldest first.
func orgList(ctx context.Context, store *postgres.DB) error {
	orgs, err := store.ListOrganizations(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tCREATED\tUSERS\tSITES")
	for _, o := range orgs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\n", o.ID, o.Name, o.CreatedAt.UTC().Format("2006-01-02 15:04Z"), o.Users, o.Sites)
	}
	return w.Flush()
}

// explain writes a domain error for a person at a terminal: its message and every bad field.
func explain(w io.Writer, err error) {
	var e *relance.Error
	if !errors.As(err, &e) {
		fmt.Fprintln(w, "relance:", err)
		return
	}
	fmt.Fprintln(w, "relance:", e.Message)
	for _, v := range e.Violations {
		fmt.Fprintf(w, "  %s %s\n", v.Field, v.Message)
	}
}
