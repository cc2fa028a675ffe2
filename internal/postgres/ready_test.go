package postgres_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/internal/testenv"
)

func TestAMigratedPrimaryIsReady(t *testing.T) {
	t.Parallel()
	if err := testenv.Open(t).Ready(ctx); err != nil {
		t.Fatalf("a migrated primary: %v", err)
	}
}

// TestASchemaBehindTheBinaryIsNotReady: a binary newer than the schema (deployed before
// relance migrate ran) must not take traffic.
func TestASchemaBehindTheBinaryIsNotReady(t *testing.T) {
	t.Parallel()
	appURL, ownerURL := testenv.Database(t)
	db := testenv.OpenURL(t, appURL)
	owner, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	if _, err := owner.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(ctx); err == nil || !strings.Contains(err.Error(), "run relance migrate") {
		t.Fatalf("a schema one migration behind: %v", err)
	}
}
