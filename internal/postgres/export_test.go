package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/calendar"
)

// Calendar exposes the calendar builder to the tests of this package.
func (d *DB) Calendar(ctx context.Context, org, siteID, userID uuid.UUID) (*calendar.Calendar, error) {
	var cal *calendar.Calendar
	err := d.inOrg(ctx, org, func(t *tx) error {
		var err error
		cal, err = t.calendar(ctx, siteID, userID)
		return err
	})
	return cal, err
}
