package rpc_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/testenv"
)

// Hostile input to the unit calls, in every protocol: bad names and ids are refused naming the
// field, advisors and managers write nothing, another organisation's unit is not found, and
// none of it leaves a unit behind.
func TestUnitCallsRefuseHostileInput(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := s.world
	other := testenv.NewWorld(t, s.db)
	admin := s.as(s.login(t, w.Admin.Email))
	created, err := admin.team.CreateUnit(ctx, connect.NewRequest(&v1.CreateUnitRequest{SiteId: w.Lyon.ID.String(), Name: "New cars"}))
	if err != nil {
		t.Fatal(err)
	}
	unit := created.Msg.GetUnit().GetId()
	lyon := w.Lyon.ID.String()
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			c := s.as(s.login(t, w.Admin.Email), opts...)
			for field, req := range map[string]*v1.CreateUnitRequest{
				"name":    {SiteId: lyon, Name: ""},
				"name ":   {SiteId: lyon, Name: strings.Repeat("é", 101)},
				"name  ":  {SiteId: lyon, Name: "New\x00cars"},
				"site_id": {SiteId: "lyon", Name: "Service"},
			} {
				_, err := c.team.CreateUnit(ctx, connect.NewRequest(req))
				wantField(t, field, err, strings.TrimSpace(field))
			}
			// Only spaces, or a control character: the domain's rule, on the same field.
			for _, bad := range []string{"   ", "Used\ncars"} {
				_, err := c.team.CreateUnit(ctx, connect.NewRequest(&v1.CreateUnitRequest{SiteId: lyon, Name: bad}))
				wantField(t, "name "+bad, err, "name")
			}
			_, err := c.team.CreateUnit(ctx, connect.NewRequest(&v1.CreateUnitRequest{SiteId: lyon, Name: "NEW CARS"}))
			if ce := wantCode(t, err, connect.CodeAlreadyExists); !slices.Equal(violations(t, ce), []string{"name: is already taken at this site"}) {
				t.Errorf("duplicate name: %v", violations(t, ce))
			}
			_, err = c.team.UpdateUnit(ctx, connect.NewRequest(&v1.UpdateUnitRequest{UnitId: unit, Name: new("")}))
			wantField(t, "rename to nothing", err, "name")
			_, err = c.team.UpdateUnit(ctx, connect.NewRequest(&v1.UpdateUnitRequest{UnitId: "1 OR 1=1"}))
			wantField(t, "unit id", err, "unit_id")
			_, err = c.team.SetUserUnit(ctx, connect.NewRequest(&v1.SetUserUnitRequest{UserId: w.Alice.ID.String(), SiteId: lyon, UnitId: "new cars"}))
			wantField(t, "set unit id", err, "unit_id")
			// Pauline works in Paris, not Lyon: the unit is not hers to have.
			_, err = c.team.SetUserUnit(ctx, connect.NewRequest(&v1.SetUserUnitRequest{UserId: w.Pauline.ID.String(), SiteId: lyon, UnitId: unit}))
			wantField(t, "a site the advisor does not work at", err, "site_id")
			_, err = c.report.Dashboard(ctx, connect.NewRequest(&v1.DashboardRequest{Filter: &v1.ReportFilter{UnitId: "x"}}))
			wantField(t, "report filter", err, "filter.unit_id")
			_, err = c.report.ComplianceReport(ctx, connect.NewRequest(&v1.ComplianceReportRequest{FromDate: "2026-12-01", ToDate: "2026-12-02", UnitId: "x"}))
			wantField(t, "compliance filter", err, "unit_id")
			_, err = c.report.ResponseTimeReport(ctx, connect.NewRequest(&v1.ResponseTimeReportRequest{
				FromTime: timestamppb.New(time.Now().Add(-time.Hour)), ToTime: timestamppb.Now(), GroupBy: v1.ReportGrouping(131)}))
			wantField(t, "grouping", err, "group_by")
		})
	}

	// Roles: advisors and managers read the units of their sites and write none.
	for _, who := range []string{w.Alice.Email, w.Manager.Email} {
		c := s.as(s.login(t, who))
		listed, err := c.team.ListUnits(ctx, connect.NewRequest(&v1.ListUnitsRequest{}))
		if err != nil || len(listed.Msg.GetUnits()) != 1 || listed.Msg.GetUnits()[0].GetName() != "New cars" {
			t.Errorf("%s lists %v (%v), want Lyon's unit", who, listed, err)
		}
		_, err = c.team.CreateUnit(ctx, connect.NewRequest(&v1.CreateUnitRequest{SiteId: lyon, Name: "Service"}))
		wantCode(t, err, connect.CodePermissionDenied)
		_, err = c.team.UpdateUnit(ctx, connect.NewRequest(&v1.UpdateUnitRequest{UnitId: unit, Active: new(false)}))
		wantCode(t, err, connect.CodePermissionDenied)
		_, err = c.team.SetUserUnit(ctx, connect.NewRequest(&v1.SetUserUnitRequest{UserId: w.Alice.ID.String(), SiteId: lyon, UnitId: unit}))
		wantCode(t, err, connect.CodePermissionDenied)
	}
	pauline := s.as(s.login(t, w.Pauline.Email))
	if listed, err := pauline.team.ListUnits(ctx, connect.NewRequest(&v1.ListUnitsRequest{})); err != nil || len(listed.Msg.GetUnits()) != 0 {
		t.Errorf("Pauline (Paris) lists %v (%v), want none", listed, err)
	}
	_, err = pauline.team.ListUnits(ctx, connect.NewRequest(&v1.ListUnitsRequest{SiteId: lyon}))
	wantCode(t, err, connect.CodeNotFound)

	// Tenancy: another organisation's admin finds neither the unit nor its site.
	stranger := s.as(s.login(t, other.Admin.Email))
	_, err = stranger.team.UpdateUnit(ctx, connect.NewRequest(&v1.UpdateUnitRequest{UnitId: unit, Name: new("Mine")}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = stranger.team.CreateUnit(ctx, connect.NewRequest(&v1.CreateUnitRequest{SiteId: lyon, Name: "Mine"}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = stranger.team.SetUserUnit(ctx, connect.NewRequest(&v1.SetUserUnitRequest{UserId: other.Alice.ID.String(), SiteId: other.Lyon.ID.String(), UnitId: unit}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = stranger.report.Dashboard(ctx, connect.NewRequest(&v1.DashboardRequest{Filter: &v1.ReportFilter{UnitId: unit}}))
	wantCode(t, err, connect.CodeNotFound)
	if listed, err := stranger.team.ListUnits(ctx, connect.NewRequest(&v1.ListUnitsRequest{})); err != nil || len(listed.Msg.GetUnits()) != 0 {
		t.Errorf("the stranger lists %v (%v), want none", listed, err)
	}

	listed, err := admin.team.ListUnits(ctx, connect.NewRequest(&v1.ListUnitsRequest{}))
	if err != nil || len(listed.Msg.GetUnits()) != 1 || listed.Msg.GetUnits()[0].GetName() != "New cars" || !listed.Msg.GetUnits()[0].GetActive() {
		t.Fatalf("after the refused calls: %v (%v), want New cars alone, active", listed, err)
	}
	users, err := admin.team.ListUsers(ctx, connect.NewRequest(&v1.ListUsersRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users.Msg.GetUsers() {
		if len(u.GetUnits()) != 0 {
			t.Errorf("%s got a unit: %v", u.GetEmail(), u.GetUnits())
		}
	}
}

// Over the wire: the unit grouping names each unit with its site, leads in no unit make the
// row with an empty key, and the exports carry the same figures and each lead's unit.
func TestResponseTimeReportByUnitOverTheAPI(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := s.world
	admin := s.as(s.login(t, w.Admin.Email))
	unitOf := map[string]string{}
	for _, name := range []string{"New cars", "Used cars"} {
		res, err := admin.team.CreateUnit(ctx, connect.NewRequest(&v1.CreateUnitRequest{SiteId: w.Lyon.ID.String(), Name: name}))
		if err != nil {
			t.Fatal(err)
		}
		unitOf[name] = res.Msg.GetUnit().GetId()
	}
	for who, unit := range map[string]string{w.Alice.ID.String(): unitOf["New cars"], w.Bob.ID.String(): unitOf["Used cars"]} {
		res, err := admin.team.SetUserUnit(ctx, connect.NewRequest(&v1.SetUserUnitRequest{UserId: who, SiteId: w.Lyon.ID.String(), UnitId: unit}))
		if err != nil || len(res.Msg.GetUser().GetUnits()) != 1 || res.Msg.GetUser().GetUnits()[0].GetUnitId() != unit {
			t.Fatalf("set unit: %v (%v)", res, err)
		}
	}
	for i, who := range []string{w.Alice.ID.String(), w.Alice.ID.String(), w.Bob.ID.String(), ""} {
		req := newLead(s, "unit-"+string(rune('a'+i)))
		req.AssigneeId = who
		if _, err := admin.lead.CreateLead(ctx, connect.NewRequest(req)); err != nil {
			t.Fatal(err)
		}
	}
	q := &v1.ResponseTimeReportRequest{FromTime: timestamppb.New(time.Now().Add(-time.Hour)), ToTime: timestamppb.New(time.Now().Add(time.Hour)),
		GroupBy: v1.ReportGrouping_REPORT_GROUPING_UNIT}
	res, err := admin.report.ResponseTimeReport(ctx, connect.NewRequest(q))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int32{}
	for _, r := range res.Msg.GetRows() {
		got[r.GetKey()+"|"+r.GetLabel()] = r.GetReceived()
	}
	want := map[string]int32{"|": 1, unitOf["New cars"] + "|New cars (Lyon)": 2, unitOf["Used cars"] + "|Used cars (Lyon)": 1}
	if len(got) != len(want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("row %s = %d, want %d", k, got[k], n)
		}
	}
	summary := readCSV(t, export(t, admin, &v1.ExportReportRequest{Report: &v1.ExportReportRequest_ResponseTime{ResponseTime: q}}), ',')
	if len(summary) != 5 || summary[0][1] != "label" {
		t.Fatalf("summary CSV = %q", summary)
	}
	q.Filter = &v1.ReportFilter{UnitId: unitOf["New cars"]}
	leads := readCSV(t, export(t, admin, &v1.ExportReportRequest{Report: &v1.ExportReportRequest_ResponseTimeLeads{ResponseTimeLeads: q}}), ',')
	if len(leads) != 3 || leads[0][4] != "unit" || leads[1][4] != "New cars" || leads[2][4] != "New cars" {
		t.Fatalf("New cars' leads CSV = %q", leads)
	}
}
