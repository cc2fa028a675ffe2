// Package migrations holds the SQL migrations of the Relance schema, embedded in the binary and
// applied by `relance migrate`.
package migrations

import (
	"embed"
	"io/fs"
	"strconv"
	"strings"
)

// FS holds the goose migration files, in version order by name.
//
//go:embed *.sql
var FS embed.FS

// Latest returns the version of the newest migration, the schema version this binary needs.
func Latest() int64 {
	names, _ := fs.Glob(FS, "*.sql")
	var latest int64
	for _, n := range names {
		if v, err := strconv.ParseInt(strings.SplitN(n, "_", 2)[0], 10, 64); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}
