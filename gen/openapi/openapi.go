// Package openapi holds the OpenAPI 3 document of the API's HTTP routes (the google.api.http
// annotations of proto/relance/v1), written by protoc-gen-openapi in `make generate`.
package openapi

import _ "embed"

// YAML is the document, served by the API at /openapi.yaml.
//
//go:embed openapi.yaml
var YAML []byte
