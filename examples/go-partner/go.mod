module github.com/relancehq/relance/examples/go-partner

go 1.26.0

require (
	connectrpc.com/connect v1.21.1
	github.com/relancehq/relance/gen/go v0.0.0-00010101000000-000000000000
	github.com/standard-webhooks/standard-webhooks/libraries v1.3.0
	google.golang.org/protobuf v1.36.12
)

require (
	buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go v1.36.12-20260825204119-511051f7f437.2 // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20261005182115-fad411399dd8 // indirect
)

replace github.com/relancehq/relance/gen/go => ../../gen/go
