package relance

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestParseClock(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"00:00", 0, true}, {"09:30", 570, true}, {"23:59", 1439, true}, {"24:00", 1440, true},
		{"24:01", 0, false}, {"25:00", 0, false}, {"9:30", 0, false}, {"09:60", 0, false}, {"", 0, false}, {"ab:cd", 0, false},
	} {
		got, err := ParseClock(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && FormatClock(got) != tc.in {
			t.Errorf("FormatClock(%d) = %q, want %q", got, FormatClock(got), tc.in)
		}
	}
}

func TestValidateWindows(t *testing.T) {
	mon, tue := time.Monday, time.Tuesday
	for _, tc := range []struct {
		name  string
		ws    []Window
		field string // "" when valid
	}{
		{"split day", []Window{{mon, 540, 720}, {mon, 840, 1140}}, ""},
		{"touching windows", []Window{{mon, 540, 720}, {mon, 720, 900}}, ""},
		{"until midnight", []Window{{mon, 0, 1440}}, ""},
		{"same hours other days", []Window{{mon, 540, 720}, {tue, 540, 720}}, ""},
		{"overlap out of order", []Window{{mon, 840, 1140}, {mon, 540, 900}}, "windows[0]"},
		{"end before start", []Window{{mon, 720, 540}}, "windows[0].end"},
		{"empty window", []Window{{mon, 540, 540}}, "windows[0].end"},
		{"past midnight", []Window{{mon, 540, 1441}}, "windows[0].end"},
		{"negative start", []Window{{mon, -1, 60}}, "windows[0].start"},
		{"bad weekday", []Window{{7, 60, 120}}, "windows[0].weekday"},
	} {
		err := ValidateWindows(tc.ws)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		e, ok := err.(*Error)
		if !ok || e.Code != CodeInvalid || e.Violations[0].Field != tc.field {
			t.Errorf("%s: err = %v, want invalid %s", tc.name, err, tc.field)
		}
	}
}

func TestValidateSite(t *testing.T) {
	d := func(s string) Date { v, _ := ParseDate(s); return v }
	monday := []Window{{Weekday: time.Monday, Start: 9 * 60, End: 12 * 60}}
	ok := Site{Name: "Lyon", TimeZone: "Europe/Paris", Country: "FR", Windows: monday, Closures: []Closure{{Start: d("2026-12-24"), End: d("2026-12-26")}}}
	if err := ValidateSite(&ok); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Site{
		{Name: "", TimeZone: "Europe/Paris"},
		{Name: "x", TimeZone: "Europe/Lyon"},
		{Name: "x", TimeZone: ""},
		{Name: "x", TimeZone: "Local"},
		{Name: "x", TimeZone: "UTC", Country: "FR", Windows: monday, Closures: []Closure{{Start: d("2026-12-26"), End: d("2026-12-24")}}},
		{Name: "x", TimeZone: "UTC", Country: "FR"},                  // never open
		{Name: "x", TimeZone: "UTC", Windows: monday},                // no country
		{Name: "x", TimeZone: "UTC", Country: "XX", Windows: monday}, // no such country
	} {
		if ErrorCode(ValidateSite(&bad)) != CodeInvalid {
			t.Errorf("ValidateSite(%+v) accepted", bad)
		}
	}
	if _, err := ParseDate("2026-02-30"); err == nil {
		t.Error("ParseDate accepted February 30th")
	}
}

func TestAccessRules(t *testing.T) {
	lyon, paris := uuid.New(), uuid.New()
	alice, bob := uuid.New(), uuid.New()
	lead := &Lead{SiteID: lyon, AssigneeID: alice}
	admin := Principal{Role: RoleAdmin}
	manager := Principal{Role: RoleManager, UserID: uuid.New(), SiteIDs: []uuid.UUID{lyon}}
	parisManager := Principal{Role: RoleManager, SiteIDs: []uuid.UUID{paris}}
	advisorA := Principal{Role: RoleAdvisor, UserID: alice, SiteIDs: []uuid.UUID{lyon}}
	advisorB := Principal{Role: RoleAdvisor, UserID: bob, SiteIDs: []uuid.UUID{lyon}}
	reader := Principal{Role: RolePartner, Scopes: []Scope{ScopeLeadsRead}}
	creator := Principal{Role: RolePartner, Scopes: []Scope{ScopeLeadsCreate}}
	telephony := Principal{Role: RolePartner, Scopes: []Scope{ScopeCallsRecord}}

	for _, tc := range []struct {
		name string
		p    Principal
		see  bool
	}{
		{"admin", admin, true}, {"site manager", manager, true}, {"other site manager", parisManager, false},
		{"assignee", advisorA, true}, {"colleague", advisorB, false}, {"reader key", reader, true}, {"creator key", creator, false},
	} {
		if got := tc.p.CanSeeLead(lead); got != tc.see {
			t.Errorf("%s CanSeeLead = %v, want %v", tc.name, got, tc.see)
		}
	}

	codes := []struct {
		name string
		err  error
		want Code
	}{
		{"advisor assigns", advisorA.CheckAssignLead(lead), CodePermissionDenied},
		{"colleague assigns", advisorB.CheckAssignLead(lead), CodeNotFound},
		{"manager assigns", manager.CheckAssignLead(lead), ""},
		{"advisor creates for a colleague", advisorA.CheckCreateLead(lyon, bob), CodePermissionDenied},
		{"advisor creates for self", advisorA.CheckCreateLead(lyon, alice), ""},
		{"advisor creates elsewhere", advisorA.CheckCreateLead(paris, uuid.Nil), CodeNotFound},
		{"creator key creates", creator.CheckCreateLead(paris, uuid.Nil), ""},
		{"reader key creates", reader.CheckCreateLead(paris, uuid.Nil), CodePermissionDenied},
		{"telephony records a call", telephony.CheckChangeLead(lead, KindCall), ""},
		{"telephony records an email", telephony.CheckChangeLead(lead, KindEmail), CodePermissionDenied},
		{"reader key records a call", reader.CheckChangeLead(lead, KindCall), CodePermissionDenied},
		{"colleague records", advisorB.CheckChangeLead(lead, KindCall), CodeNotFound},
		{"manager manages sites", manager.CheckManageSites(), CodePermissionDenied},
	}
	for _, tc := range codes {
		if got := ErrorCode(tc.err); got != tc.want {
			t.Errorf("%s: code %q, want %q (%v)", tc.name, got, tc.want, tc.err)
		}
	}

	sites, assignee, ok := advisorA.LeadVisibility()
	if !ok || sites != nil || assignee != alice {
		t.Errorf("advisor visibility = %v %v %v", sites, assignee, ok)
	}
	if _, _, ok := creator.LeadVisibility(); ok {
		t.Error("a key without leads.read may list leads")
	}
}

func TestCheckAssignee(t *testing.T) {
	lyon := uuid.New()
	lead := &Lead{SiteID: lyon}
	for _, tc := range []struct {
		name string
		u    User
		want Code
	}{
		{"advisor of the site", User{Role: RoleAdvisor, Active: true, SiteIDs: []uuid.UUID{lyon}}, ""},
		{"manager of the site", User{Role: RoleManager, Active: true, SiteIDs: []uuid.UUID{lyon}}, ""},
		{"advisor elsewhere", User{Role: RoleAdvisor, Active: true, SiteIDs: []uuid.UUID{uuid.New()}}, CodeInvalid},
		{"admin", User{Role: RoleAdmin, Active: true, SiteIDs: []uuid.UUID{lyon}}, CodeInvalid},
		{"inactive", User{Role: RoleAdvisor, SiteIDs: []uuid.UUID{lyon}}, CodeFailedPrecondition},
	} {
		if got := ErrorCode(CheckAssignee(&tc.u, lead)); got != tc.want {
			t.Errorf("%s: code %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestActivityCountsAsResponse(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		a    Activity
		want bool
	}{
		{Activity{Origin: OriginHuman, State: ActivityDone, DoneAt: &now}, true},
		{Activity{Origin: OriginSystem, State: ActivityDone, DoneAt: &now}, false},
		{Activity{Origin: OriginHuman, State: ActivityPlanned}, false},
		{Activity{Origin: OriginHuman, State: ActivitySkipped, DoneAt: &now}, false},
	} {
		if got := tc.a.CountsAsResponse(); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.a, got, tc.want)
		}
	}
}

func TestDeliveryRetryDelayGrows(t *testing.T) {
	prev := time.Duration(0)
	for attempt := 1; attempt < MaxDeliveryAttempts; attempt++ {
		d := DeliveryRetryDelay(attempt)
		if d <= prev {
			t.Fatalf("delay %d = %s, not above %s", attempt, d, prev)
		}
		prev = d
	}
	if DeliveryRetryDelay(1) != 30*time.Second || DeliveryRetryDelay(0) != 30*time.Second {
		t.Fatalf("first delay = %s", DeliveryRetryDelay(1))
	}
}

func TestAwayBeyond(t *testing.T) {
	at := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	abs := func(from, to time.Duration) Absence {
		return Absence{StartsAt: at.Add(from), EndsAt: at.Add(to)}
	}
	for _, tc := range []struct {
		name     string
		absences []Absence
		away     bool
		until    time.Duration
	}{
		{"present", nil, false, 0},
		{"back tomorrow morning", []Absence{abs(-time.Hour, 20*time.Hour)}, false, 20 * time.Hour},
		{"away three days", []Absence{abs(-time.Hour, 72*time.Hour)}, true, 72 * time.Hour},
		{"two absences in a row", []Absence{abs(20*time.Hour, 50*time.Hour), abs(-time.Hour, 20*time.Hour)}, true, 50 * time.Hour},
		{"absence starting later", []Absence{abs(time.Hour, 72*time.Hour)}, false, 0},
		{"exactly 24 h", []Absence{abs(0, 24*time.Hour)}, false, 24 * time.Hour},
	} {
		until, away := AwayBeyond(tc.absences, at, AbsenceDecisionThreshold)
		if away != tc.away || (tc.until != 0 && !until.Equal(at.Add(tc.until))) {
			t.Errorf("%s: away=%v until=%s", tc.name, away, until)
		}
	}
}
