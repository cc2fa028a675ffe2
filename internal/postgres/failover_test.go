package postgres_test

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// TestAMultiHostURLConnectsToTheHostThatAnswers lists a host nobody listens on before the real
// server, as DATABASE_URL lists a primary and its standby: pgx tries them in order and keeps
// the first that is a primary (target_session_attrs=primary).
func TestAMultiHostURLConnectsToTheHostThatAnswers(t *testing.T) {
	t.Parallel()
	appURL, _ := testenv.Database(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	u, err := url.Parse(appURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = dead + "," + u.Host
	u.RawQuery += "&target_session_attrs=primary&connect_timeout=5"
	db := testenv.OpenURL(t, u.String())
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("ready through %s: %v", u.Host, err)
	}
	testenv.NewWorld(t, db).Lead(t, "Jean", uuid.Nil) // a write goes through
}

// TestAReadOnlyDatabaseResetsThePool stands for a failover that left the pool's connections on
// a server that takes no writes: a write answers "unavailable" (clients retry) and empties the
// pool, and once the database takes writes again, so does the same store, without a restart.
func TestAReadOnlyDatabaseResetsThePool(t *testing.T) {
	t.Parallel()
	appURL, ownerURL := testenv.Database(t)
	w := testenv.NewWorld(t, testenv.OpenURL(t, appURL))
	owner, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	readOnly := func(on bool) {
		t.Helper()
		name := owner.Config().Database
		stmt := fmt.Sprintf("ALTER DATABASE %s SET default_transaction_read_only = on", name)
		if !on {
			stmt = fmt.Sprintf("ALTER DATABASE %s RESET default_transaction_read_only", name)
		}
		if _, err := owner.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	createLead := func() error {
		_, _, err := w.DB.CreateLead(ctx, w.As(w.Admin), relance.NewLead{
			IdempotencyKey: uuid.NewString(), SiteID: w.Lyon.ID, Source: "website",
			Contact: relance.Contact{Name: "Jean", Phone: "+33612345678"},
		})
		return err
	}

	// A store whose connections are all read-only, as on a demoted primary.
	readOnly(true)
	db := testenv.OpenURL(t, appURL)
	w.DB = db
	err = createLead()
	wantCode(t, err, relance.CodeUnavailable)
	if !strings.Contains(err.Error(), "retry") {
		t.Errorf("error %q does not say to retry", err)
	}
	testenv.Eventually(t, 5*time.Second, "the pool to be emptied", func() bool { return db.PoolConns() == 0 })

	readOnly(false)
	if err := createLead(); err != nil {
		t.Fatalf("after the database takes writes again: %v", err)
	}
}

// TestAnUnreachableDatabaseIsUnavailable stands for a PostgreSQL restart: while no connection
// can be had, a write answers "unavailable" (clients retry, nothing was written) rather than an
// internal error, and the same store writes again once the server takes connections.
func TestAnUnreachableDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	appURL, ownerURL := testenv.Database(t)
	db := testenv.OpenURL(t, appURL)
	w := testenv.NewWorld(t, db)
	// The database's owner, connected to another database: none may bar its own.
	cfg, err := pgx.ParseConfig(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	name := cfg.Database
	cfg.Database = "postgres"
	owner, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	allow := func(on bool) {
		t.Helper()
		stmt := fmt.Sprintf("ALTER DATABASE %s WITH ALLOW_CONNECTIONS %t", name, on)
		if _, err := owner.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	createLead := func() error {
		_, _, err := db.CreateLead(ctx, w.As(w.Admin), relance.NewLead{
			IdempotencyKey: uuid.NewString(), SiteID: w.Lyon.ID, Source: "website",
			Contact: relance.Contact{Name: "Jean", Phone: "+33612345678"},
		})
		return err
	}

	allow(false)
	db.ResetPool()
	err = createLead()
	wantCode(t, err, relance.CodeUnavailable)
	if !strings.Contains(err.Error(), "retry") {
		t.Errorf("error %q does not say to retry", err)
	}
	allow(true)
	if err := createLead(); err != nil {
		t.Fatalf("after the database takes connections again: %v", err)
	}
}
