package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/relancehq/relance/sql/migrations"
)

// Ready reports whether the database can serve this binary: it answers, as a primary (a standby
// in recovery takes no writes), with its schema at the newest migration the binary embeds.
func (d *DB) Ready(ctx context.Context) error {
	var recovering bool
	var version int64
	err := d.pool.QueryRow(ctx,
		`SELECT pg_is_in_recovery(), coalesce((SELECT max(version_id) FROM goose_db_version WHERE is_applied), 0)`,
	).Scan(&recovering, &version)
	switch {
	case err != nil:
		return err
	case recovering:
		return errors.New("a standby in recovery, not the primary")
	case version < migrations.Latest():
		return fmt.Errorf("schema at version %d, this binary needs %d: run relance migrate", version, migrations.Latest())
	}
	return nil
}
