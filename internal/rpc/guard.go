package rpc

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
)

// Body limits and the body-read timeout, when Options leave them at 0.
const (
	// MaxPublicBytes caps the body of a call made without credentials (Login): an email and a
	// password take a few hundred bytes.
	MaxPublicBytes = 4 << 10
	// DefaultMaxRequestBytes caps the body of an authenticated call other than attachments and
	// imports.
	DefaultMaxRequestBytes = 256 << 10
	// MaxImportBytes caps the body of the imports (a 1 MiB .ics feed, 1,000 calls), base64 in
	// JSON included.
	MaxImportBytes = 4 << 20
	// DefaultBodyReadTimeout bounds how long a client may take to send a request body.
	DefaultBodyReadTimeout = 30 * time.Second
)

// guard is the API's front door, in front of the Connect handlers: it sets the security headers
// on every response, authenticates calls that need credentials before their body is read (a
// caller without valid credentials costs a header and one lookup, never a decoded body), caps
// the body at what the procedure may carry, and bounds the time the client may take to send it.
type guard struct {
	next        http.Handler
	auth        *authInterceptor
	errors      *connect.ErrorWriter
	caps        map[string]int64 // procedures that carry more than maxBytes
	maxBytes    int64
	readTimeout time.Duration
	protected   []string // path prefixes that need credentials
	// refused hears refusals of the calls to procedures (Options.Refused); nil: nobody.
	refused    func(procedure string, code connect.Code)
	procedures map[string]bool
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	// First of all: a refused request's body is still drained by the HTTP/1.1 server before it
	// answers (up to 256 KiB, to keep the connection), and that too must not wait forever.
	g.setReadDeadline(w)
	procedure := r.URL.Path
	ctx := r.Context()
	limit := g.maxBytes
	switch {
	case public[procedure]:
		limit = MaxPublicBytes
	case g.needsCredentials(procedure):
		var err error
		if ctx, err = g.auth.authenticate(ctx, procedure, r.Header.Get("Authorization")); err != nil {
			g.fail(w, r, err)
			return
		}
		if c, ok := g.caps[procedure]; ok {
			limit = c
		}
	}
	if r.ContentLength > limit {
		g.fail(w, r, connect.NewError(connect.CodeResourceExhausted,
			fmt.Errorf("request body of %d bytes is over the %d bytes %s may carry", r.ContentLength, limit, procedure)))
		return
	}
	r = r.WithContext(ctx)
	// Beyond the limit, reading fails and Connect answers RESOURCE_EXHAUSTED (bodies of unknown
	// length, such as gRPC's, are stopped here).
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	g.next.ServeHTTP(w, r)
}

// fail answers a refused request in its caller's protocol: Connect, gRPC or gRPC-web for a
// procedure, a google.rpc.Status for a REST route (as vanguard answers the handlers' errors).
func (g *guard) fail(w http.ResponseWriter, r *http.Request, err error) {
	if g.refused != nil && g.procedures[r.URL.Path] {
		g.refused(r.URL.Path, connect.CodeOf(err))
	}
	if strings.HasPrefix(r.URL.Path, restPrefix) {
		writeRESTError(w, err)
		return
	}
	_ = g.errors.Write(w, r, err)
}

// procedures are the paths of the API's procedures ("/relance.v1.LeadService/CreateLead"): a
// bounded set, unlike the paths clients may send.
func procedures() map[string]bool {
	out := map[string]bool{}
	for _, name := range services {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			continue
		}
		if svc, ok := d.(protoreflect.ServiceDescriptor); ok {
			for i := range svc.Methods().Len() {
				out["/"+name+"/"+string(svc.Methods().Get(i).Name())] = true
			}
		}
	}
	return out
}

func (g *guard) needsCredentials(procedure string) bool {
	for _, p := range g.protected {
		if strings.HasPrefix(procedure, p) {
			return true
		}
	}
	return false
}

// setReadDeadline gives the client readTimeout to send the whole body, so that a body trickled
// a byte at a time does not hold a connection and a handler forever. Long server streams
// (WatchAlerts, DownloadAttachment) outlive it: over HTTP/1.1 net/http lifts the connection's
// read deadline itself once the body is read (it then reads in the background, with none, to
// notice a client going away); over HTTP/2 the deadline is the stream's own and only fails reads
// of its body. A writer without deadlines (not a real connection) is left alone.
func (g *guard) setReadDeadline(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(g.readTimeout))
}

// securityHeaders are set on every API response. The API serves no page: nothing in it is to be
// sniffed as another type, framed, or run as a document (a CSP on API responses does not
// constrain the pages that call it with fetch, so Connect and gRPC-web clients are unaffected),
// and responses carrying tokens are not to be cached or leak a referrer.
func securityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// bodyCaps returns the procedures allowed more than the default body size: an attachment (its
// file, base64 in JSON, plus room for the other fields) and the imports.
func bodyCaps(maxFileBytes int) map[string]int64 {
	return map[string]int64{
		relancev1connect.ActionServiceAddAttachmentProcedure:    int64(maxFileBytes/3*4 + 1<<20),
		relancev1connect.PlanServiceAddPlanFileProcedure:        int64(maxFileBytes/3*4 + 1<<20),
		relancev1connect.TeamServiceImportSiteClosuresProcedure: MaxImportBytes,
		relancev1connect.CallServiceImportCallsProcedure:        MaxImportBytes,
		restPrefix + "calls:import":                             MaxImportBytes, // the same call over REST
	}
}
