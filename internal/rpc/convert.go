package rpc

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

// Conversions between the wire (v1) and the domain (relance). Requests arrive validated by
// protovalidate; what these functions still check is what the .proto cannot express.

var roles = map[relance.Role]v1.Role{
	relance.RoleAdvisor: v1.Role_ROLE_ADVISOR,
	relance.RoleManager: v1.Role_ROLE_MANAGER,
	relance.RoleAdmin:   v1.Role_ROLE_ADMIN,
	relance.RolePartner: v1.Role_ROLE_PARTNER,
}

var locales = map[relance.Locale]v1.Locale{
	relance.LocaleFR: v1.Locale_LOCALE_FR,
	relance.LocaleEN: v1.Locale_LOCALE_EN,
	relance.LocaleRU: v1.Locale_LOCALE_RU,
}

var stages = map[relance.Stage]v1.LeadStage{
	relance.StageOpen:     v1.LeadStage_LEAD_STAGE_OPEN,
	relance.StageWon:      v1.LeadStage_LEAD_STAGE_WON,
	relance.StageRejected: v1.LeadStage_LEAD_STAGE_REJECTED,
}

var categories = map[string]v1.Category{
	"A": v1.Category_CATEGORY_A,
	"B": v1.Category_CATEGORY_B,
	"C": v1.Category_CATEGORY_C,
}

var kinds = map[relance.ActivityKind]v1.ActivityKind{
	relance.KindCall:    v1.ActivityKind_ACTIVITY_KIND_CALL,
	relance.KindEmail:   v1.ActivityKind_ACTIVITY_KIND_EMAIL,
	relance.KindSMS:     v1.ActivityKind_ACTIVITY_KIND_SMS,
	relance.KindLetter:  v1.ActivityKind_ACTIVITY_KIND_LETTER,
	relance.KindTask:    v1.ActivityKind_ACTIVITY_KIND_TASK,
	relance.KindMeeting: v1.ActivityKind_ACTIVITY_KIND_MEETING,
	relance.KindInquiry: v1.ActivityKind_ACTIVITY_KIND_INQUIRY,
}

var origins = map[relance.Origin]v1.ActivityOrigin{
	relance.OriginHuman:  v1.ActivityOrigin_ACTIVITY_ORIGIN_HUMAN,
	relance.OriginSystem: v1.ActivityOrigin_ACTIVITY_ORIGIN_SYSTEM,
}

var activityStates = map[relance.ActivityState]v1.ActivityState{
	relance.ActivityPlanned: v1.ActivityState_ACTIVITY_STATE_PLANNED,
	relance.ActivityDone:    v1.ActivityState_ACTIVITY_STATE_DONE,
	relance.ActivitySkipped: v1.ActivityState_ACTIVITY_STATE_SKIPPED,
	relance.ActivityFailed:  v1.ActivityState_ACTIVITY_STATE_FAILED,
}

var directions = map[relance.Direction]v1.ContactDirection{
	relance.Inbound:  v1.ContactDirection_CONTACT_DIRECTION_INBOUND,
	relance.Outbound: v1.ContactDirection_CONTACT_DIRECTION_OUTBOUND,
}

var scopes = map[relance.Scope]v1.Scope{
	relance.ScopeLeadsCreate: v1.Scope_SCOPE_LEADS_CREATE,
	relance.ScopeLeadsRead:   v1.Scope_SCOPE_LEADS_READ,
	relance.ScopeCallsRecord: v1.Scope_SCOPE_CALLS_RECORD,
}

// reverse inverts one of the maps above, for requests.
func reverse[K, V comparable](m map[K]V) map[V]K {
	out := make(map[V]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

var (
	roleOf          = reverse(roles)
	localeOf        = reverse(locales)
	stageOf         = reverse(stages)
	categoryOf      = reverse(categories)
	kindOf          = reverse(kinds)
	directionOf     = reverse(directions)
	activityStateOf = reverse(activityStates)
	scopeOf         = reverse(scopes)
)

// parseID parses a UUID the validator already checked; the empty string is uuid.Nil.
func parseID(s string) uuid.UUID {
	id, _ := uuid.Parse(s)
	return id
}

func idString(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

func ts(t *time.Time) *timestamppb.Timestamp {
	if t == nil || t.IsZero() {
		return nil
	}
	return timestamppb.New(*t)
}

func tsv(t time.Time) *timestamppb.Timestamp { return ts(&t) }

func optTime(t *timestamppb.Timestamp) *time.Time {
	if t == nil {
		return nil
	}
	v := t.AsTime()
	return &v
}

// isoWeekday maps the wire weekday (Monday 1 … Sunday 7) to Go's (Sunday 0).
func isoWeekday(w v1.Weekday) time.Weekday { return time.Weekday(int(w) % 7) }

func wireWeekday(w time.Weekday) v1.Weekday {
	if w == time.Sunday {
		return v1.Weekday_WEEKDAY_SUNDAY
	}
	return v1.Weekday(w)
}

func windowsIn(field string, in []*v1.OpeningWindow) ([]relance.Window, error) {
	out := make([]relance.Window, len(in))
	for i, w := range in {
		start, err := relance.ParseClock(w.GetStart())
		if err != nil {
			return nil, invalid(fmt.Sprintf("%s[%d].start", field, i), err.Error())
		}
		end, err := relance.ParseClock(w.GetEnd())
		if err != nil {
			return nil, invalid(fmt.Sprintf("%s[%d].end", field, i), err.Error())
		}
		out[i] = relance.Window{Weekday: isoWeekday(w.GetWeekday()), Start: start, End: end}
	}
	return out, nil
}

func closuresIn(field string, in []*v1.Closure) ([]relance.Closure, error) {
	out := make([]relance.Closure, len(in))
	for i, c := range in {
		start, err := relance.ParseDate(c.GetStartDate())
		if err != nil {
			return nil, invalid(fmt.Sprintf("%s[%d].start_date", field, i), err.Error())
		}
		end := start
		if c.GetEndDate() != "" {
			if end, err = relance.ParseDate(c.GetEndDate()); err != nil {
				return nil, invalid(fmt.Sprintf("%s[%d].end_date", field, i), err.Error())
			}
		}
		out[i] = relance.Closure{Start: start, End: end, Reason: c.GetReason()}
	}
	return out, nil
}

func siteOut(s relance.Site) *v1.Site {
	out := &v1.Site{Id: s.ID.String(), Name: s.Name, TimeZone: s.TimeZone, Country: string(s.Country), CreateTime: tsv(s.CreatedAt)}
	for _, w := range s.Windows {
		out.Windows = append(out.Windows, &v1.OpeningWindow{
			Weekday: wireWeekday(w.Weekday), Start: relance.FormatClock(w.Start), End: relance.FormatClock(w.End),
		})
	}
	for _, c := range s.Closures {
		out.Closures = append(out.Closures, closureOut(c))
	}
	return out
}

func closureOut(c relance.Closure) *v1.Closure {
	return &v1.Closure{StartDate: c.Start.String(), EndDate: c.End.String(), Reason: c.Reason}
}

func userOut(u relance.User) *v1.User {
	out := &v1.User{
		Id: u.ID.String(), Email: u.Email, DisplayName: u.DisplayName, Role: roles[u.Role],
		ManagerId: idString(u.ManagerID), PersonalEmail: u.PersonalEmail, Phone: u.Phone,
		Locale: locales[u.Locale], Active: u.Active, CreateTime: tsv(u.CreatedAt),
		Notifications: &v1.NotificationPreferences{
			Email: u.Notifications.Email, Sms: u.Notifications.SMS, InApp: u.Notifications.InApp,
			UsePersonalEmail: u.Notifications.UsePersonalEmail,
		},
	}
	for _, s := range u.SiteIDs {
		out.SiteIds = append(out.SiteIds, s.String())
		if unit := u.UnitAt(s); unit != uuid.Nil {
			out.Units = append(out.Units, &v1.SiteUnit{SiteId: s.String(), UnitId: unit.String()})
		}
	}
	return out
}

func notificationsIn(n *v1.NotificationPreferences) relance.Notifications {
	return relance.Notifications{Email: n.GetEmail(), SMS: n.GetSms(), InApp: n.GetInApp(), UsePersonalEmail: n.GetUsePersonalEmail()}
}

func idsIn(in []string) []uuid.UUID {
	out := make([]uuid.UUID, len(in))
	for i, s := range in {
		out[i] = parseID(s)
	}
	return out
}

func absenceOut(a relance.Absence) *v1.Absence {
	return &v1.Absence{Id: a.ID.String(), UserId: a.UserID.String(), StartTime: tsv(a.StartsAt), EndTime: tsv(a.EndsAt), Reason: a.Reason}
}

func leadOut(l relance.Lead) *v1.Lead {
	return &v1.Lead{
		Id: l.ID.String(), SiteId: l.SiteID.String(), Source: l.Source, SourceGroup: l.SourceGroup,
		Category:   categories[l.Category],
		Contact:    &v1.Contact{Name: l.Contact.Name, Phone: l.Contact.Phone, Email: l.Contact.Email},
		AssigneeId: idString(l.AssigneeID), Stage: stages[l.Stage], StatusId: idString(l.StatusID),
		ExternalId: l.ExternalID, Notes: l.Notes, ReceiveTime: tsv(l.ReceivedAt), AssignTime: ts(l.AssignedAt),
		FirstResponseTime: ts(l.FirstResponseAt), LateTime: ts(l.LateAt), CreateTime: tsv(l.CreatedAt),
		UpdateTime: tsv(l.UpdatedAt), BusinessResponseTime: duration(l.ResponseTime),
		CallAttempts: int32(l.CallAttempts), SuccessfulTouches: int32(l.SuccessfulTouches),
		LastAttemptTime: ts(l.LastAttemptAt), ImproperClosureTime: ts(l.ImproperClosureAt),
		ClosureContacts: int32(l.ClosureContacts), Cadence: cadenceOut(l.Cadence), Vehicle: vehicleOut(l.Vehicle),
	}
}

func vehicleOut(v *relance.Vehicle) *v1.LeadVehicle {
	if v == nil {
		return nil
	}
	return &v1.LeadVehicle{Interest: v.Interest, Status: v.Status, Year: v.Year, Make: v.Make, Model: v.Model, Vin: v.VIN, Stock: v.Stock}
}

func cadenceOut(c *relance.Cadence) *v1.LeadCadence {
	if c == nil {
		return nil
	}
	return &v1.LeadCadence{AttemptsToday: int32(c.AttemptsToday), DaysLeft: int32(c.DaysLeft), Behind: c.Behind}
}

func duration(d *time.Duration) *durationpb.Duration {
	if d == nil {
		return nil
	}
	return durationpb.New(*d)
}

func activityOut(a relance.Activity) *v1.Activity {
	return &v1.Activity{
		Id: a.ID.String(), LeadId: a.LeadID.String(), Kind: kinds[a.Kind], Origin: origins[a.Origin],
		State: activityStates[a.State], DueTime: ts(a.DueAt), DoneTime: ts(a.DoneAt), ActorId: idString(a.ActorID),
		Content: a.Content, CreateTime: tsv(a.CreatedAt), Direction: directions[a.Direction],
	}
}

func apiKeyOut(k relance.APIKey) *v1.ApiKey {
	out := &v1.ApiKey{
		Id: k.ID.String(), Name: k.Name, Prefix: k.Prefix, CreateTime: tsv(k.CreatedAt), RevokeTime: ts(k.RevokedAt),
		RequestsPerMinute: int32(k.RequestsPerMinute), ExpireTime: ts(k.ExpiresAt),
	}
	for _, s := range k.Scopes {
		out.Scopes = append(out.Scopes, scopes[s])
	}
	return out
}

// encodeCursor and decodeCursor make the opaque page token of ListLeads.
func encodeCursor(c *relance.LeadCursor) string {
	if c == nil {
		return ""
	}
	return encodeTimeToken(c.ReceivedAt, c.ID)
}

func decodeCursor(token string) (*relance.LeadCursor, error) {
	at, id, ok, err := decodeTimeToken(token)
	if !ok || err != nil {
		return nil, err
	}
	return &relance.LeadCursor{ReceivedAt: at, ID: id}, nil
}

// A page token is opaque to clients: the sort key and the id of the last row of a page.

func encodeToken(key string, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key + "_" + id.String()))
}

// decodeToken reads a page token; ok is false for the empty token (the first page).
func decodeToken(token string) (key string, id uuid.UUID, ok bool, err error) {
	if token == "" {
		return "", uuid.Nil, false, nil
	}
	bad := invalid("page_token", "not a page token returned by this listing")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", uuid.Nil, false, bad
	}
	i := strings.LastIndexByte(string(raw), '_')
	if i < 0 {
		return "", uuid.Nil, false, bad
	}
	if id, err = uuid.Parse(string(raw[i+1:])); err != nil {
		return "", uuid.Nil, false, bad
	}
	return string(raw[:i]), id, true, nil
}

func encodeTimeToken(at time.Time, id uuid.UUID) string {
	return encodeToken(strconv.FormatInt(at.UnixMicro(), 10), id)
}

func decodeTimeToken(token string) (time.Time, uuid.UUID, bool, error) {
	key, id, ok, err := decodeToken(token)
	if !ok || err != nil {
		return time.Time{}, id, ok, err
	}
	us, err := strconv.ParseInt(key, 10, 64)
	if err != nil {
		return time.Time{}, id, false, invalid("page_token", "not a page token returned by this listing")
	}
	return time.UnixMicro(us).UTC(), id, true, nil
}
