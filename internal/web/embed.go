//go:build embedweb

package web

import (
	"embed"
	"io/fs"
)

// dist is web/dist, copied here by `make release` before building with -tags embedweb.
//
//go:embed all:dist
var dist embed.FS

// embedded is the app built into the binary.
var embedded = mustSub(dist, "dist")

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}
