// Package migrations holds the SQL migrations of the Relance schema, embedded in the binary and
// applied by `relance migrate`.
package migrations

import "embed"

// FS holds the goose migration files, in version order by name.
//
//go:embed *.sql
var FS embed.FS
