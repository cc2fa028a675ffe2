package rpc

import (
	"fmt"
	"net/http"

	"connectrpc.com/vanguard"

	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/gen/openapi"
)

// restPrefix is where the HTTP routes of the google.api.http annotations live ("/v1/leads"…),
// next to the procedures ("/relance.v1.LeadService/CreateLead"…) on the same port.
const restPrefix = "/v1/"

// restServices are the services that also answer as resource-style HTTP routes: what partner
// systems call (lead providers, telephony).
var restServices = []string{
	relancev1connect.LeadServiceName,
	relancev1connect.CallServiceName,
}

// newREST returns the handler of the HTTP routes: vanguard turns each REST call into a Connect
// call of procedures, which then goes through the same interceptors (authentication, rate
// limits, validation) as any other call, and turns the answer or error back (an error as a
// google.rpc.Status JSON body, with the HTTP status of its code).
func newREST(procedures http.Handler) (http.Handler, error) {
	services := make([]*vanguard.Service, 0, len(restServices))
	for _, name := range restServices {
		services = append(services, vanguard.NewService(name, procedures,
			vanguard.WithTargetProtocols(vanguard.ProtocolConnect)))
	}
	t, err := vanguard.NewTranscoder(services)
	if err != nil {
		return nil, fmt.Errorf("rest routes: %w", err)
	}
	return t, nil
}

// serveOpenAPI answers the OpenAPI 3 document of the HTTP routes. It is public, as the .proto
// files are: it tells how to call, not what is stored.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/yaml")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(openapi.YAML)
}
