// Package rpc serves the v1 API: Connect, gRPC and gRPC-web on one handler, the partner calls
// also as REST routes under /v1/ described at /openapi.yaml (rest.go), with request validation
// (protovalidate), authentication, rate and size limits, health checks, server reflection and
// CORS.
// Handlers only translate: wire to domain, call the store, domain to wire, errors through one
// mapper (error.go).
package rpc

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"connectrpc.com/connect"
	connectcors "connectrpc.com/cors"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"connectrpc.com/validate"
	"github.com/google/uuid"
	"github.com/rs/cors"

	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/relance"
)

// Store is what the API needs from the storage layer (postgres.DB).
type Store interface {
	Authenticator
	deviceStore
	webhookStore
	adfStore
	unitStore
	Ping(ctx context.Context) error

	Login(ctx context.Context, email, password, address string) (string, time.Time, relance.User, error)
	Logout(ctx context.Context, p relance.Principal) error
	Organization(ctx context.Context, p relance.Principal) (relance.Organization, error)
	UpdateOrganization(ctx context.Context, p relance.Principal, ch relance.OrganizationChange) (relance.Organization, error)
	CreateAPIKey(ctx context.Context, p relance.Principal, spec relance.APIKey) (relance.APIKey, string, error)
	ListAPIKeys(ctx context.Context, p relance.Principal) ([]relance.APIKey, error)
	RevokeAPIKey(ctx context.Context, p relance.Principal, id uuid.UUID) error

	CreateSite(ctx context.Context, p relance.Principal, s relance.Site) (relance.Site, error)
	UpdateSite(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.SiteChange) (relance.Site, error)
	ListSites(ctx context.Context, p relance.Principal) ([]relance.Site, error)
	ListSiteClosures(ctx context.Context, p relance.Principal, siteID uuid.UUID, from relance.Date) ([]relance.Closure, error)
	AddSiteClosures(ctx context.Context, p relance.Principal, siteID uuid.UUID, closures []relance.Closure, replace bool) (relance.Site, error)
	CreateUser(ctx context.Context, p relance.Principal, in relance.NewUser) (relance.User, error)
	UpdateUser(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.UserChange) (relance.User, error)
	GetUser(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.User, error)
	ListUsers(ctx context.Context, p relance.Principal, siteID uuid.UUID, role relance.Role) ([]relance.User, error)
	AddAbsence(ctx context.Context, p relance.Principal, a relance.Absence) (relance.Absence, error)
	RemoveAbsence(ctx context.Context, p relance.Principal, id uuid.UUID) error
	ListAbsences(ctx context.Context, p relance.Principal, userID uuid.UUID, from time.Time) ([]relance.Absence, error)

	CreateLead(ctx context.Context, p relance.Principal, in relance.NewLead) (relance.Lead, relance.LeadOutcome, error)
	GetLead(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Lead, error)
	ListLeads(ctx context.Context, p relance.Principal, f relance.LeadFilter) ([]relance.Lead, *relance.LeadCursor, error)
	AssignLead(ctx context.Context, p relance.Principal, id, assigneeID uuid.UUID) (relance.Lead, error)
	UpdateLead(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.LeadChange) (relance.Lead, error)
	RecordActivity(ctx context.Context, p relance.Principal, in relance.NewActivity) (relance.Activity, relance.Lead, error)
	ListActivities(ctx context.Context, p relance.Principal, leadID uuid.UUID) ([]relance.Activity, error)
	ListDeliveries(ctx context.Context, p relance.Principal, leadID uuid.UUID) ([]relance.Delivery, error)
	CompleteActivity(ctx context.Context, p relance.Principal, id uuid.UUID, doneAt *time.Time, content string) (relance.Activity, relance.Lead, error)
	SkipActivity(ctx context.Context, p relance.Principal, id uuid.UUID, reason string) (relance.Activity, relance.Lead, error)

	ReminderPolicy(ctx context.Context, p relance.Principal, siteID uuid.UUID) ([]relance.Rung, bool, error)
	SetReminderPolicy(ctx context.Context, p relance.Principal, siteID uuid.UUID, rungs []relance.Rung) error
	LateCounts(ctx context.Context, p relance.Principal, siteID uuid.UUID) ([]relance.LateCount, error)

	ListAlerts(ctx context.Context, p relance.Principal, unackedOnly bool, limit int) ([]relance.Alert, error)
	AlertStreamStart(ctx context.Context, p relance.Principal, after uuid.UUID) (relance.AlertPosition, error)
	AlertsAfter(ctx context.Context, p relance.Principal, after relance.AlertPosition, limit int) ([]relance.Alert, bool, error)
	AckAlert(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Alert, error)

	CreateStatus(ctx context.Context, p relance.Principal, s relance.Status) (relance.Status, error)
	UpdateStatus(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.StatusChange) (relance.Status, error)
	DeleteStatus(ctx context.Context, p relance.Principal, id uuid.UUID) (bool, error)
	ListStatuses(ctx context.Context, p relance.Principal, includeArchived bool) ([]relance.Status, error)
	ListScheduledCalls(ctx context.Context, p relance.Principal, f relance.ScheduledCallFilter) ([]relance.ScheduledCall, *relance.ActionCursor, []relance.StatusCount, error)

	CreateCounterparty(ctx context.Context, p relance.Principal, c relance.Counterparty) (relance.Counterparty, error)
	UpdateCounterparty(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.CounterpartyChange, statusID *uuid.UUID) (relance.Counterparty, error)
	GetCounterparty(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Counterparty, error)
	AddAttachment(ctx context.Context, p relance.Principal, actionID uuid.UUID, fileName, contentType string, data []byte) (relance.Attachment, error)
	Attachment(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Attachment, []byte, error)
	RemoveAttachment(ctx context.Context, p relance.Principal, id uuid.UUID) error

	RecordCall(ctx context.Context, p relance.Principal, in relance.NewCall) (relance.Call, bool, error)
	ImportCalls(ctx context.Context, p relance.Principal, calls []relance.NewCall) ([]relance.CallResult, error)
	ListCalls(ctx context.Context, p relance.Principal, leadID uuid.UUID) ([]relance.Call, error)
	CadenceRules(ctx context.Context, p relance.Principal) ([]relance.CadenceRule, error)
	SetCadenceRule(ctx context.Context, p relance.Principal, r relance.CadenceRule) (relance.CadenceRule, error)
	DeleteCadenceRule(ctx context.Context, p relance.Principal, siteID uuid.UUID, source string) error

	ResponseTimeReport(ctx context.Context, p relance.Principal, q relance.ResponseTimeQuery) (relance.ResponseTimeReport, error)
	Dashboard(ctx context.Context, p relance.Principal, f relance.ReportFilter, period time.Duration) (relance.Dashboard, error)
	Compliance(ctx context.Context, p relance.Principal, f relance.ComplianceFilter) ([]relance.ComplianceRow, error)
	AdvisorReport(ctx context.Context, p relance.Principal, siteID uuid.UUID, from, to time.Time) ([]relance.AdvisorFigures, error)
	EachLeadResponse(ctx context.Context, p relance.Principal, q relance.ResponseTimeQuery, fn func(relance.LeadResponse) error) error
	ResponseTimeLeads(ctx context.Context, p relance.Principal, q relance.ResponseTimeQuery, after *relance.LeadResponseCursor, limit int) ([]relance.LeadResponse, *relance.LeadResponseCursor, error)

	ListCounterparties(ctx context.Context, p relance.Principal, f relance.CounterpartyFilter) ([]relance.Counterparty, *relance.CounterpartyCursor, error)

	ListMyActions(ctx context.Context, p relance.Principal, timing relance.Timing) ([]relance.InboxItem, error)
	GetAction(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Action, error)
	UpdateAction(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.ActionChange) (relance.Action, error)
	CompleteAction(ctx context.Context, p relance.Principal, id uuid.UUID, out relance.ActionOutcome) (relance.Action, error)
	SkipAction(ctx context.Context, p relance.Principal, id uuid.UUID, reason string) (relance.Action, error)

	CreatePlan(ctx context.Context, p relance.Principal, plan relance.Plan) (relance.Plan, error)
	UpdatePlan(ctx context.Context, p relance.Principal, id uuid.UUID, plan relance.Plan) (relance.Plan, error)
	SetPlanPaused(ctx context.Context, p relance.Principal, id uuid.UUID, paused bool) (relance.Plan, error)
	ArchivePlan(ctx context.Context, p relance.Principal, id uuid.UUID) error
	GetPlan(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Plan, error)
	ListPlans(ctx context.Context, p relance.Principal, includeArchived bool) ([]relance.Plan, error)
	EnrolLead(ctx context.Context, p relance.Principal, planID, leadID uuid.UUID) (relance.Enrolment, error)
	SetEnrolmentPaused(ctx context.Context, p relance.Principal, id uuid.UUID, paused bool) (relance.Enrolment, error)
	RemoveEnrolment(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Enrolment, error)
	ListEnrolments(ctx context.Context, p relance.Principal, leadID uuid.UUID) ([]relance.Enrolment, error)
	PlanStats(ctx context.Context, p relance.Principal, planID uuid.UUID, windowDays int) ([]relance.StepStats, error)
	AddPlanFile(ctx context.Context, p relance.Principal, planID uuid.UUID, step int, fileName, contentType string, data []byte) (relance.Attachment, error)
	RemovePlanFile(ctx context.Context, p relance.Principal, id uuid.UUID) error

	distributionStore

	PendingDecisions(ctx context.Context, p relance.Principal) ([]relance.Decision, error)
	ResolveDecision(ctx context.Context, p relance.Principal, id, reassignTo uuid.UUID) (relance.Decision, relance.Lead, error)
}

// Options configures the API handler.
type Options struct {
	Log         *slog.Logger
	CORSOrigins []string         // browser origins allowed to call; "*" for any
	Now         func() time.Time // the clock for request defaults (such as "from today"); time.Now when nil
	Alerts      AlertWatcher     // live alerts between processes; nil streams poll at each heartbeat
	Heartbeat   time.Duration    // how often an idle alert stream polls and sends a heartbeat; 30 s when 0
	// MaxFileBytes is the size limit of one attachment (relance.DefaultAttachmentMaxBytes when
	// 0). AddAttachment is read up to what a file of that size takes in any encoding (base64 in
	// JSON), and refused with RESOURCE_EXHAUSTED beyond.
	MaxFileBytes int
	// MaxRequestBytes caps the body of other authenticated calls (DefaultMaxRequestBytes when 0);
	// Login is capped at MaxPublicBytes and the imports at MaxImportBytes.
	MaxRequestBytes int
	// BodyReadTimeout bounds how long a client may take to send a request body
	// (DefaultBodyReadTimeout when 0).
	BodyReadTimeout time.Duration
	// Limiter spends each credential's request budget, shared by every API process; no limit
	// when nil.
	Limiter RequestLimiter
	// RateLimits are the default budgets (DefaultAPIKeyRate, DefaultSessionRate when 0).
	RateLimits RateLimits
	// Logins throttles failed logins per account and client address; none when nil.
	Logins LoginThrottle
	// TrustedProxies are the proxies whose X-Forwarded-For names the client; with none, the
	// client is the connection's peer.
	TrustedProxies []netip.Prefix
	// Reflection says who may call server reflection.
	Reflection Reflection
	// WebPushKey is the VAPID public key browsers subscribe with (base64url); empty when the
	// server sends no Web Push.
	WebPushKey string
	// Interceptors run first, around authentication and everything else (tracing, metrics).
	Interceptors []connect.Interceptor
	// Refused hears each call to one of the API's procedures that the front door refuses before
	// any interceptor runs (no or bad credentials, a body over its limit), with its code.
	Refused func(procedure string, code connect.Code)
}

// Reflection says who may call server reflection (the list of services and their schema).
type Reflection int

// Who may call server reflection.
const (
	ReflectionAuthenticated Reflection = iota // any valid session token or API key (the default)
	ReflectionPublic                          // anyone, as in development
	ReflectionOff                             // nobody: not served
)

// compressMinBytes is the size under which an answer goes uncompressed, whatever the client
// accepts (a list page, an export or a report is larger and still compressed).
const compressMinBytes = 1024

// handlers holds what every service implementation needs.
type handlers struct {
	store     Store
	log       *slog.Logger
	now       func() time.Time
	watcher   AlertWatcher
	heartbeat time.Duration
	logins    LoginThrottle
	trusted   []netip.Prefix
	// webPushKey is the VAPID public key (Options.WebPushKey).
	webPushKey string
}

func (h *handlers) fail(ctx context.Context, err error) error { return toConnect(ctx, h.log, err) }

// services lists the API's service names, for health checks and reflection.
var services = []string{
	relancev1connect.AuthServiceName,
	relancev1connect.TeamServiceName,
	relancev1connect.LeadServiceName,
	relancev1connect.ReminderServiceName,
	relancev1connect.AlertServiceName,
	relancev1connect.DecisionServiceName,
	relancev1connect.StatusServiceName,
	relancev1connect.CounterpartyServiceName,
	relancev1connect.ActionServiceName,
	relancev1connect.PlanServiceName,
	relancev1connect.CallServiceName,
	relancev1connect.ReportServiceName,
	relancev1connect.DistributionServiceName,
	relancev1connect.DeviceServiceName,
	relancev1connect.WebhookServiceName,
	relancev1connect.AdfServiceName,
}

// NewHandler returns the HTTP handler serving the whole API. Serve it with HTTP/2 enabled
// (cleartext h2c or TLS) for gRPC clients; Connect and gRPC-web also work over HTTP/1.1.
func NewHandler(store Store, opts Options) http.Handler {
	h := &handlers{
		store: store, log: opts.Log, now: opts.Now, watcher: opts.Alerts, heartbeat: opts.Heartbeat,
		logins: opts.Logins, trusted: opts.TrustedProxies, webPushKey: opts.WebPushKey,
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.heartbeat <= 0 {
		h.heartbeat = 30 * time.Second
	}
	maxFile := opts.MaxFileBytes
	if maxFile <= 0 {
		maxFile = relance.DefaultAttachmentMaxBytes
	}
	auth := &authInterceptor{auth: store, log: opts.Log}
	interceptors := append(append([]connect.Interceptor{}, opts.Interceptors...), auth)
	var rate *rateInterceptor
	if opts.Limiter != nil {
		limits := opts.RateLimits
		limits.APIKey = cmp.Or(limits.APIKey, DefaultAPIKeyRate)
		limits.Session = cmp.Or(limits.Session, DefaultSessionRate)
		rate = &rateInterceptor{limiter: opts.Limiter, limits: limits, log: opts.Log}
		interceptors = append(interceptors, rate)
	}
	options := connect.WithHandlerOptions(
		connect.WithReadMaxBytes(maxFile/3*4+1<<20),
		// Most answers are a few hundred bytes: gzip would cost more (a compressor reset per
		// response, about 5% of a CreateLead's processor time) than it saves on the wire.
		connect.WithCompressMinBytes(compressMinBytes),
		connect.WithInterceptors(append(interceptors, &textInterceptor{log: opts.Log}, validate.NewInterceptor())...),
		connect.WithRecover(func(ctx context.Context, spec connect.Spec, _ http.Header, p any) error {
			opts.Log.ErrorContext(ctx, "panic in handler", "procedure", spec.Procedure, "panic", p)
			return connect.NewError(connect.CodeInternal, errors.New("internal error"))
		}),
	)
	mux := http.NewServeMux()
	mux.Handle(relancev1connect.NewAuthServiceHandler(&authService{h}, options))
	mux.Handle(relancev1connect.NewTeamServiceHandler(&teamService{h}, options))
	mux.Handle(relancev1connect.NewLeadServiceHandler(&leadService{h}, options))
	mux.Handle(relancev1connect.NewReminderServiceHandler(&reminderService{h}, options))
	mux.Handle(relancev1connect.NewAlertServiceHandler(&alertService{h}, options))
	mux.Handle(relancev1connect.NewDecisionServiceHandler(&decisionService{h}, options))
	mux.Handle(relancev1connect.NewStatusServiceHandler(&statusService{h}, options))
	mux.Handle(relancev1connect.NewCounterpartyServiceHandler(&counterpartyService{h}, options))
	mux.Handle(relancev1connect.NewActionServiceHandler(&actionService{h}, options))
	mux.Handle(relancev1connect.NewPlanServiceHandler(&planService{h}, options))
	mux.Handle(relancev1connect.NewCallServiceHandler(&callService{h}, options))
	mux.Handle(relancev1connect.NewReportServiceHandler(&reportService{h}, options))
	mux.Handle(relancev1connect.NewDistributionServiceHandler(&distributionService{h, store}, options))
	mux.Handle(relancev1connect.NewDeviceServiceHandler(&deviceService{h}, options))
	mux.Handle(relancev1connect.NewWebhookServiceHandler(&webhookService{h}, options))
	mux.Handle(relancev1connect.NewAdfServiceHandler(&adfService{h}, options))
	mux.Handle(grpchealth.NewHandler(&healthChecker{store: store}))
	rest, err := newREST(mux)
	if err != nil {
		panic(err) // the annotations of the generated code are wrong: caught by every test
	}
	mux.Handle(restPrefix, rest)
	mux.HandleFunc("GET /openapi.yaml", serveOpenAPI)
	protected := []string{"/relance.v1.", restPrefix}
	if opts.Reflection != ReflectionOff {
		reflector := grpcreflect.NewStaticReflector(services...)
		mux.Handle(grpcreflect.NewHandlerV1(reflector))
		mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))
		if opts.Reflection == ReflectionAuthenticated {
			protected = append(protected, "/grpc.reflection.")
		}
	}
	front := &guard{
		next: mux, auth: auth, errors: connect.NewErrorWriter(), protected: protected,
		caps:        bodyCaps(maxFile),
		maxBytes:    int64(cmp.Or(opts.MaxRequestBytes, DefaultMaxRequestBytes)),
		readTimeout: cmp.Or(opts.BodyReadTimeout, DefaultBodyReadTimeout),
		refused:     opts.Refused, procedures: procedures(),
	}
	intake := &adfIntake{h: h, auth: auth, rate: rate, readTimeout: front.readTimeout}
	if len(opts.CORSOrigins) == 0 {
		return withAdf(intake, front)
	}
	return withAdf(intake, cors.New(cors.Options{
		AllowedOrigins: opts.CORSOrigins,
		// GET and POST for Connect, and the verbs of the REST routes.
		AllowedMethods: append(connectcors.AllowedMethods(), http.MethodPut, http.MethodPatch, http.MethodDelete),
		AllowedHeaders: append(connectcors.AllowedHeaders(), "Authorization"),
		ExposedHeaders: connectcors.ExposedHeaders(),
		MaxAge:         7200,
	}).Handler(front))
}

// NewServer returns an HTTP server for handler on addr that speaks HTTP/1.1 and cleartext
// HTTP/2 (h2c), so that gRPC clients connect without TLS behind a terminating proxy.
func NewServer(addr string, handler http.Handler) *http.Server {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Addr:      addr,
		Handler:   handler,
		Protocols: protocols,
		// NewHandler bounds the time to send a body, per request (configurable, and tested over
		// both protocols); no WriteTimeout, which would end long server streams.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// healthChecker answers the standard gRPC health check: serving while Postgres answers.
type healthChecker struct{ store Store }

func (c *healthChecker) Check(ctx context.Context, req *grpchealth.CheckRequest) (*grpchealth.CheckResponse, error) {
	known := req.Service == ""
	for _, s := range services {
		known = known || s == req.Service
	}
	if !known {
		return nil, connect.NewError(connect.CodeNotFound, nil)
	}
	if err := c.store.Ping(ctx); err != nil {
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	}
	return &grpchealth.CheckResponse{Status: grpchealth.StatusServing}, nil
}
