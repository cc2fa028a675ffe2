package rpc

import (
	"errors"
	"fmt"
	"net/http"

	"connectrpc.com/connect"
	"connectrpc.com/vanguard"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/anypb"

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

// restStatus is the HTTP status of each code in REST answers: google.api's mapping, which
// vanguard applies to the handlers' errors.
var restStatus = map[connect.Code]int{
	connect.CodeCanceled:           499,
	connect.CodeUnknown:            http.StatusInternalServerError,
	connect.CodeInvalidArgument:    http.StatusBadRequest,
	connect.CodeDeadlineExceeded:   http.StatusGatewayTimeout,
	connect.CodeNotFound:           http.StatusNotFound,
	connect.CodeAlreadyExists:      http.StatusConflict,
	connect.CodePermissionDenied:   http.StatusForbidden,
	connect.CodeResourceExhausted:  http.StatusTooManyRequests,
	connect.CodeFailedPrecondition: http.StatusBadRequest,
	connect.CodeAborted:            http.StatusConflict,
	connect.CodeOutOfRange:         http.StatusBadRequest,
	connect.CodeUnimplemented:      http.StatusNotImplemented,
	connect.CodeInternal:           http.StatusInternalServerError,
	connect.CodeUnavailable:        http.StatusServiceUnavailable,
	connect.CodeDataLoss:           http.StatusInternalServerError,
	connect.CodeUnauthenticated:    http.StatusUnauthorized,
}

// writeRESTError answers a REST call refused before it reached vanguard (by the guard: no
// credentials, a body too large) the way vanguard answers the others: a google.rpc.Status.
func writeRESTError(w http.ResponseWriter, err error) {
	ce := new(connect.Error)
	if !errors.As(err, &ce) {
		ce = connect.NewError(connect.CodeUnknown, err)
	}
	st := &status.Status{Code: int32(ce.Code()), Message: ce.Message()}
	for _, d := range ce.Details() {
		st.Details = append(st.Details, &anypb.Any{TypeUrl: "type.googleapis.com/" + d.Type(), Value: d.Bytes()})
	}
	body, merr := protojson.Marshal(st)
	if merr != nil { // a detail of a type this binary does not know: drop the details
		body, _ = protojson.Marshal(&status.Status{Code: st.Code, Message: st.Message})
	}
	code, ok := restStatus[ce.Code()]
	if !ok {
		code = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// serveOpenAPI answers the OpenAPI 3 document of the HTTP routes. It is public, as the .proto
// files are: it tells how to call, not what is stored.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/yaml")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(openapi.YAML)
}
