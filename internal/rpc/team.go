package rpc

import (
	"bytes"
	"context"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/relance"
)

type teamService struct{ *handlers }

func organizationOut(o relance.Organization) *v1.Organization {
	return &v1.Organization{
		Id: o.ID.String(), Name: o.Name, DigestTime: relance.FormatClock(o.DigestMinute), SendTime: relance.FormatClock(o.SendMinute),
		SmsDailyCap: int32(o.Caps.SMSPerDay), EmailDailyCap: int32(o.Caps.EmailsPerDay),
		RecipientDailyCap: int32(o.Caps.PerRecipientPerDay), RepeatDays: int32(o.RepeatDays), DigestEnabled: o.DigestOn,
		SenderMode: senderModes[o.SenderMode],
	}
}

var senderModes = map[relance.SenderMode]v1.SenderMode{
	relance.SenderOrganization: v1.SenderMode_SENDER_MODE_ORGANIZATION,
	relance.SenderMember:       v1.SenderMode_SENDER_MODE_MEMBER,
}

var senderModeOf = reverse(senderModes)

// intIn reads an optional int32 field.
func intIn(v *int32) *int {
	if v == nil {
		return nil
	}
	return new(int(*v))
}

// clockIn reads an optional "HH:MM" field as minutes after midnight.
func clockIn(field string, clock *string) (*int, error) {
	if clock == nil {
		return nil, nil
	}
	m, err := relance.ParseClock(*clock)
	if err != nil {
		return nil, invalid(field, err.Error())
	}
	return &m, nil
}

func (s *teamService) GetOrganization(ctx context.Context, _ *connect.Request[v1.GetOrganizationRequest]) (*connect.Response[v1.GetOrganizationResponse], error) {
	org, err := s.store.Organization(ctx, principal(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.GetOrganizationResponse{Organization: organizationOut(org)}), nil
}

func (s *teamService) UpdateOrganization(ctx context.Context, req *connect.Request[v1.UpdateOrganizationRequest]) (*connect.Response[v1.UpdateOrganizationResponse], error) {
	ch := relance.OrganizationChange{
		Name: req.Msg.Name, SMSPerDay: intIn(req.Msg.SmsDailyCap), EmailsPerDay: intIn(req.Msg.EmailDailyCap),
		PerRecipientPerDay: intIn(req.Msg.RecipientDailyCap), RepeatDays: intIn(req.Msg.RepeatDays), DigestOn: req.Msg.DigestEnabled,
	}
	if req.Msg.SenderMode != nil {
		ch.SenderMode = new(senderModeOf[req.Msg.GetSenderMode()])
	}
	var err error
	if ch.DigestMinute, err = clockIn("digest_time", req.Msg.DigestTime); err != nil {
		return nil, s.fail(ctx, err)
	}
	if ch.SendMinute, err = clockIn("send_time", req.Msg.SendTime); err != nil {
		return nil, s.fail(ctx, err)
	}
	org, err := s.store.UpdateOrganization(ctx, principal(ctx), ch)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.UpdateOrganizationResponse{Organization: organizationOut(org)}), nil
}

func (s *teamService) CreateSite(ctx context.Context, req *connect.Request[v1.CreateSiteRequest]) (*connect.Response[v1.CreateSiteResponse], error) {
	windows, err := windowsIn("windows", req.Msg.GetWindows())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	closures, err := closuresIn("closures", req.Msg.GetClosures())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	site, err := s.store.CreateSite(ctx, principal(ctx), relance.Site{
		Name: req.Msg.GetName(), TimeZone: req.Msg.GetTimeZone(), Country: relance.Country(req.Msg.GetCountry()),
		Windows: windows, Closures: closures,
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateSiteResponse{Site: siteOut(site)}), nil
}

func (s *teamService) UpdateSite(ctx context.Context, req *connect.Request[v1.UpdateSiteRequest]) (*connect.Response[v1.UpdateSiteResponse], error) {
	m := req.Msg
	ch := relance.SiteChange{Name: m.Name, TimeZone: m.TimeZone}
	if m.Country != nil {
		country := relance.Country(m.GetCountry())
		ch.Country = &country
	}
	if m.Windows != nil {
		windows, err := windowsIn("windows.windows", m.Windows.GetWindows())
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		ch.Windows = &windows
	}
	if m.Closures != nil {
		closures, err := closuresIn("closures.closures", m.Closures.GetClosures())
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		ch.Closures = &closures
	}
	site, err := s.store.UpdateSite(ctx, principal(ctx), parseID(m.GetSiteId()), ch)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.UpdateSiteResponse{Site: siteOut(site)}), nil
}

func (s *teamService) ListSites(ctx context.Context, _ *connect.Request[v1.ListSitesRequest]) (*connect.Response[v1.ListSitesResponse], error) {
	sites, err := s.store.ListSites(ctx, principal(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListSitesResponse{}
	for _, site := range sites {
		out.Sites = append(out.Sites, siteOut(site))
	}
	return connect.NewResponse(out), nil
}

func (s *teamService) ListSiteClosures(ctx context.Context, req *connect.Request[v1.ListSiteClosuresRequest]) (*connect.Response[v1.ListSiteClosuresResponse], error) {
	from := relance.DateOf(s.now().UTC())
	if req.Msg.GetFromDate() != "" {
		var err error
		if from, err = relance.ParseDate(req.Msg.GetFromDate()); err != nil {
			return nil, s.fail(ctx, invalid("from_date", err.Error()))
		}
	}
	closures, err := s.store.ListSiteClosures(ctx, principal(ctx), parseID(req.Msg.GetSiteId()), from)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListSiteClosuresResponse{}
	for _, c := range closures {
		out.Closures = append(out.Closures, closureOut(c))
	}
	return connect.NewResponse(out), nil
}

func (s *teamService) ImportSiteClosures(ctx context.Context, req *connect.Request[v1.ImportSiteClosuresRequest]) (*connect.Response[v1.ImportSiteClosuresResponse], error) {
	m := req.Msg
	year := s.now().UTC().Year()
	from, to := relance.Date{Year: year, Month: time.January, Day: 1}, relance.Date{Year: year + 2, Month: time.December, Day: 31}
	var err error
	if m.GetFromDate() != "" {
		if from, err = relance.ParseDate(m.GetFromDate()); err != nil {
			return nil, s.fail(ctx, invalid("from_date", err.Error()))
		}
	}
	if m.GetToDate() != "" {
		if to, err = relance.ParseDate(m.GetToDate()); err != nil {
			return nil, s.fail(ctx, invalid("to_date", err.Error()))
		}
	}
	closures, err := calendar.ParseICS(bytes.NewReader(m.GetIcs()), from, to)
	if err != nil {
		return nil, s.fail(ctx, invalid("ics", err.Error()))
	}
	site, err := s.store.AddSiteClosures(ctx, principal(ctx), parseID(m.GetSiteId()), closures, m.GetReplace())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.ImportSiteClosuresResponse{Site: siteOut(site), Imported: int32(len(closures))}), nil
}

func (s *teamService) CreateUser(ctx context.Context, req *connect.Request[v1.CreateUserRequest]) (*connect.Response[v1.CreateUserResponse], error) {
	m := req.Msg
	notifications := relance.Notifications{Email: true, InApp: true}
	if m.Notifications != nil {
		notifications = notificationsIn(m.Notifications)
	}
	u, err := s.store.CreateUser(ctx, principal(ctx), relance.NewUser{
		User: relance.User{
			Email: m.GetEmail(), DisplayName: m.GetDisplayName(), Role: roleOf[m.GetRole()],
			ManagerID: parseID(m.GetManagerId()), SiteIDs: idsIn(m.GetSiteIds()), PersonalEmail: m.GetPersonalEmail(),
			Phone: m.GetPhone(), Locale: localeOf[m.GetLocale()], Notifications: notifications,
		},
		Password: m.GetPassword(),
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateUserResponse{User: userOut(u)}), nil
}

func (s *teamService) UpdateUser(ctx context.Context, req *connect.Request[v1.UpdateUserRequest]) (*connect.Response[v1.UpdateUserResponse], error) {
	m := req.Msg
	ch := relance.UserChange{
		DisplayName: m.DisplayName, PersonalEmail: m.PersonalEmail, Phone: m.Phone, Active: m.Active,
		Password: m.Password, CurrentPassword: m.CurrentPassword,
	}
	if m.Role != nil {
		r := roleOf[m.GetRole()]
		ch.Role = &r
	}
	if m.ManagerId != nil {
		id := parseID(m.GetManagerId())
		ch.ManagerID = &id
	}
	if m.Sites != nil {
		ids := idsIn(m.Sites.GetSiteIds())
		ch.SiteIDs = &ids
	}
	if m.Locale != nil {
		l := localeOf[m.GetLocale()]
		ch.Locale = &l
	}
	if m.Notifications != nil {
		n := notificationsIn(m.Notifications)
		ch.Notifications = &n
	}
	p := principal(ctx)
	if m.CurrentPassword == nil {
		u, err := s.store.UpdateUser(ctx, p, parseID(m.GetUserId()), ch)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		return connect.NewResponse(&v1.UpdateUserResponse{User: userOut(u)}), nil
	}
	// A current password is a guess like a login's: a stolen session must not try passwords
	// faster than the sign-in page lets anyone.
	account, addr := "user:"+p.UserID.String(), clientAddress(req.Peer().Addr, req.Header(), s.trusted)
	if wait := s.loginLocked(ctx, account, addr); wait > 0 {
		return nil, exhausted("too many wrong current passwords; retry later", wait)
	}
	u, err := s.store.UpdateUser(ctx, p, parseID(m.GetUserId()), ch)
	if relance.HasViolation(err, "current_password") {
		s.loginFailed(ctx, account, addr)
	}
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	s.loginSucceeded(ctx, account)
	return connect.NewResponse(&v1.UpdateUserResponse{User: userOut(u)}), nil
}

func (s *teamService) ListUsers(ctx context.Context, req *connect.Request[v1.ListUsersRequest]) (*connect.Response[v1.ListUsersResponse], error) {
	users, err := s.store.ListUsers(ctx, principal(ctx), parseID(req.Msg.GetSiteId()), roleOf[req.Msg.GetRole()])
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListUsersResponse{}
	for _, u := range users {
		out.Users = append(out.Users, userOut(u))
	}
	return connect.NewResponse(out), nil
}

func (s *teamService) AddAbsence(ctx context.Context, req *connect.Request[v1.AddAbsenceRequest]) (*connect.Response[v1.AddAbsenceResponse], error) {
	m := req.Msg
	a, err := s.store.AddAbsence(ctx, principal(ctx), relance.Absence{
		UserID: parseID(m.GetUserId()), StartsAt: m.GetStartTime().AsTime(), EndsAt: m.GetEndTime().AsTime(), Reason: m.GetReason(),
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.AddAbsenceResponse{Absence: absenceOut(a)}), nil
}

func (s *teamService) RemoveAbsence(ctx context.Context, req *connect.Request[v1.RemoveAbsenceRequest]) (*connect.Response[v1.RemoveAbsenceResponse], error) {
	if err := s.store.RemoveAbsence(ctx, principal(ctx), parseID(req.Msg.GetAbsenceId())); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RemoveAbsenceResponse{}), nil
}

func (s *teamService) ListAbsences(ctx context.Context, req *connect.Request[v1.ListAbsencesRequest]) (*connect.Response[v1.ListAbsencesResponse], error) {
	var from time.Time
	if t := req.Msg.GetFromTime(); t != nil {
		from = t.AsTime()
	}
	list, err := s.store.ListAbsences(ctx, principal(ctx), parseID(req.Msg.GetUserId()), from)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListAbsencesResponse{}
	for _, a := range list {
		out.Absences = append(out.Absences, absenceOut(a))
	}
	return connect.NewResponse(out), nil
}
