//go:build !embedweb

package web

import "io/fs"

// embedded is nil without -tags embedweb: the app is read from disk.
var embedded fs.FS
