package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/adf"
	"github.com/relancehq/relance/internal/relance"
)

// adfStore is what ADF intake and its admin service need from the storage layer.
type adfStore interface {
	CreateAdfVendor(ctx context.Context, p relance.Principal, v relance.AdfVendor) (relance.AdfVendor, error)
	ListAdfVendors(ctx context.Context, p relance.Principal) ([]relance.AdfVendor, error)
	DeleteAdfVendor(ctx context.Context, p relance.Principal, id uuid.UUID) error
	CreateAdfIntakeToken(ctx context.Context, p relance.Principal, source string, siteID uuid.UUID, requestsPerMinute int) (relance.AdfIntakeToken, string, error)
	ListAdfIntakeTokens(ctx context.Context, p relance.Principal) ([]relance.AdfIntakeToken, error)
	AdfIntakeToken(ctx context.Context, p relance.Principal) (relance.AdfIntakeToken, bool, error)
	AdfVendorSite(ctx context.Context, p relance.Principal, vendorID, vendorName string) (relance.Site, error)
	AdfSite(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Site, error)
	LeadByExternalID(ctx context.Context, p relance.Principal, source, externalID string) (relance.Lead, bool, error)
	AdfDocument(ctx context.Context, p relance.Principal, leadID uuid.UUID) (relance.AdfDocument, error)
	ListAdfDocuments(ctx context.Context, p relance.Principal, limit int) ([]relance.AdfDocumentEntry, error)
}

// AdfPath is where ADF documents are posted: with an Authorization header at AdfPath, or with
// an intake token at AdfPath + "/" + token.
const AdfPath = "/adf/v1/leads"

// adfIntake serves the ADF/XML intake: plain HTTP, since lead providers post XML or raw email,
// not Connect. It authenticates, spends the credential's request budget and bounds the body as
// the Connect API does, then answers one result per prospect.
type adfIntake struct {
	h           *handlers
	auth        *authInterceptor
	rate        *rateInterceptor // nil: no request budget
	readTimeout time.Duration
}

// adfResult is the answer for one prospect.
type adfResult struct {
	Prospect int                `json:"prospect"` // its position in the document, from 0
	Outcome  relance.AdfOutcome `json:"outcome"`
	LeadID   string             `json:"lead_id,omitempty"`
	Reason   string             `json:"reason,omitempty"`
}

func (a *adfIntake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(a.readTimeout))
	ctx := r.Context()
	header := r.Header.Get("Authorization")
	switch rest := strings.TrimPrefix(r.URL.Path, AdfPath); {
	case rest == "":
	case strings.HasPrefix(rest, "/") && !strings.Contains(rest[1:], "/") && len(rest) > 1:
		header = "Bearer " + rest[1:]
	default:
		adfError(w, http.StatusNotFound, "no such path; post to "+AdfPath)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		adfError(w, http.StatusMethodNotAllowed, "only POST is accepted")
		return
	}
	ctx, err := a.auth.authenticate(ctx, "", header)
	if err != nil {
		a.fail(ctx, w, err)
		return
	}
	p := principal(ctx)
	if p.Role != relance.RolePartner || !p.HasScope(relance.ScopeLeadsCreate) {
		adfError(w, http.StatusForbidden, "a partner API key with scope leads.create is required")
		return
	}
	if a.rate != nil {
		if err := a.rate.spend(ctx); err != nil {
			a.fail(ctx, w, err)
			return
		}
	}
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	email := media == "message/rfc822"
	if !email && media != "application/xml" && media != "text/xml" {
		adfError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/xml, text/xml or message/rfc822")
		return
	}
	if r.ContentLength > adf.MaxBytes {
		adfError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("a document may carry at most %d bytes", adf.MaxBytes))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, adf.MaxBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		adfError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("a document may carry at most %d bytes", adf.MaxBytes))
		return
	}
	if err != nil {
		adfError(w, http.StatusBadRequest, "the body could not be read")
		return
	}
	raw, doc, err := body, adf.Document{}, error(nil)
	if email {
		raw, doc, err = adf.ParseEmail(bytes.NewReader(body))
	} else {
		doc, err = adf.ParseBytes(body)
	}
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, adf.ErrTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		adfError(w, status, "document refused: "+err.Error())
		return
	}
	results, err := a.intake(ctx, p, adf.Text(raw), doc)
	if err != nil {
		a.fail(ctx, w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"results": results})
}

// intake turns each prospect into a lead, a duplicate or a refusal. Refusals write nothing; an
// error is one the caller should retry (leads already created come back as duplicates).
func (a *adfIntake) intake(ctx context.Context, p relance.Principal, raw string, doc adf.Document) ([]adfResult, error) {
	store := a.h.store
	tok, _, err := store.AdfIntakeToken(ctx, p)
	if err != nil {
		return nil, err
	}
	results := make([]adfResult, 0, len(doc.Prospects))
	for i := range doc.Prospects {
		res, err := a.prospect(ctx, p, tok, raw, &doc.Prospects[i])
		if err != nil {
			return nil, err
		}
		res.Prospect = i
		results = append(results, res)
	}
	return results, nil
}

func (a *adfIntake) prospect(ctx context.Context, p relance.Principal, tok relance.AdfIntakeToken, raw string, pr *adf.Prospect) (adfResult, error) {
	store := a.h.store
	source, external := pr.Source(tok.Source), pr.ExternalID()
	duplicate := func() (adfResult, bool, error) {
		if external == "" {
			return adfResult{}, false, nil
		}
		lead, ok, err := store.LeadByExternalID(ctx, p, source, external)
		if err != nil || !ok {
			return adfResult{}, false, err
		}
		return adfResult{Outcome: relance.AdfDuplicate, LeadID: lead.ID.String()}, true, nil
	}
	// A prospect sent again (status="resend", or a retry) gives the lead it created back,
	// whatever changed in it.
	if res, ok, err := duplicate(); err != nil || ok {
		return res, err
	}
	var site relance.Site
	var err error
	switch {
	case pr.Vendor.ID != "" || pr.Vendor.Name != "":
		site, err = store.AdfVendorSite(ctx, p, pr.Vendor.ID, pr.Vendor.Name)
	case tok.SiteID != uuid.Nil:
		site, err = store.AdfSite(ctx, p, tok.SiteID)
	default:
		return refused("the prospect names no vendor and the credential has no default site"), nil
	}
	if relance.ErrorCode(err) != "" {
		return refused(err.Error()), nil
	}
	if err != nil {
		return adfResult{}, err
	}
	loc, lerr := time.LoadLocation(site.TimeZone)
	if lerr != nil {
		loc = time.UTC
	}
	in, err := pr.NewLead(site.ID, loc, source)
	if err != nil {
		return refused(err.Error()), nil
	}
	in.Document = raw // written with the lead, in its transaction
	lead, outcome, err := store.CreateLead(ctx, p, in)
	if relance.ErrorCode(err) == relance.CodeConflict {
		// The same prospect created concurrently, or earlier with other content.
		if res, ok, derr := duplicate(); derr != nil || ok {
			return res, derr
		}
	}
	if relance.ErrorCode(err) != "" {
		return refused(err.Error()), nil
	}
	if err != nil {
		return adfResult{}, err
	}
	return adfResult{Outcome: adfOutcomes[outcome], LeadID: lead.ID.String()}, nil
}

// adfOutcomes is what a prospect's answer says of what CreateLead did with it.
var adfOutcomes = map[relance.LeadOutcome]relance.AdfOutcome{
	relance.LeadCreated: relance.AdfCreated, relance.LeadReplayed: relance.AdfDuplicate, relance.LeadRepeated: relance.AdfRepeat,
}

func refused(reason string) adfResult {
	return adfResult{Outcome: relance.AdfRefused, Reason: reason}
}

// httpStatus is the HTTP status of a Connect code, for the plain-HTTP intake.
var httpStatus = map[connect.Code]int{
	connect.CodeInvalidArgument:    http.StatusBadRequest,
	connect.CodeUnauthenticated:    http.StatusUnauthorized,
	connect.CodePermissionDenied:   http.StatusForbidden,
	connect.CodeNotFound:           http.StatusNotFound,
	connect.CodeAlreadyExists:      http.StatusConflict,
	connect.CodeResourceExhausted:  http.StatusTooManyRequests,
	connect.CodeFailedPrecondition: http.StatusPreconditionFailed,
	connect.CodeCanceled:           499,
	connect.CodeDeadlineExceeded:   http.StatusGatewayTimeout,
	connect.CodeUnavailable:        http.StatusServiceUnavailable,
}

// fail answers err through the API's error mapper, as JSON with the matching HTTP status (and
// Retry-After when over a budget).
func (a *adfIntake) fail(ctx context.Context, w http.ResponseWriter, err error) {
	var ce *connect.Error
	if !errors.As(toConnect(ctx, a.h.log, err), &ce) {
		adfError(w, http.StatusInternalServerError, "internal error")
		return
	}
	if retry := ce.Meta().Get("Retry-After"); retry != "" {
		w.Header().Set("Retry-After", retry)
	}
	status, ok := httpStatus[ce.Code()]
	if !ok {
		status = http.StatusInternalServerError
	}
	adfError(w, status, ce.Message())
}

func adfError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// withAdf sends the intake's paths to intake and everything else to api.
func withAdf(intake, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == AdfPath || strings.HasPrefix(r.URL.Path, AdfPath+"/") {
			intake.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}
