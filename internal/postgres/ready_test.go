package postgres_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/internal/testenv"
	"github.com/relancehq/relance/sql/migrations"
)

func TestAMigratedPrimaryIsReady(t *testing.T) {
	t.Parallel()
	if err := testenv.Open(t).Ready(ctx); err != nil {
		t.Fatalf("a migrated primary: %v", err)
	}
}

// A binary newer than its database's schema is not ready, and says which migration is missing.
func TestASchemaBehindTheBinaryIsNotReady(t *testing.T) {
	t.Parallel()
	appURL, ownerURL := testenv.Database(t)
	owner, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	if _, err := owner.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id = $1`, migrations.Latest()); err != nil {
		t.Fatal(err)
	}
	err = testenv.OpenURL(t, appURL).Ready(ctx)
	if err == nil || !strings.Contains(err.Error(), "run relance migrate") {
		t.Fatalf("a schema one migration behind: got %v, want a refusal naming the migration", err)
	}
}
