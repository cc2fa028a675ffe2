package postgres_test

import (
	"testing"

	"github.com/relancehq/relance/internal/testenv"
)

func TestAMigratedPrimaryIsReady(t *testing.T) {
	t.Parallel()
	if err := testenv.Open(t).Ready(ctx); err != nil {
		t.Fatalf("a migrated primary: %v", err)
	}
}
