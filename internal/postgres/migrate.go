package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"

	"github.com/relancehq/relance/sql/migrations"
)

// Migrate applies the embedded migrations that are not yet applied, connected as the schema
// owner (not the application role). It returns the first failing migration's error.
func Migrate(ctx context.Context, ownerURL string, log *slog.Logger) error {
	conn, err := sql.Open("pgx", ownerURL)
	if err != nil {
		return fmt.Errorf("migrate: open: %w", err)
	}
	defer conn.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, conn, migrations.FS)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}
