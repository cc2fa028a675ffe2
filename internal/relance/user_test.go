package relance

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
)

func TestCheckKeepsAdmin(t *testing.T) {
	admin := User{DisplayName: "Ada", Role: RoleAdmin, Active: true}
	demoted, inactive := admin, admin
	demoted.Role, inactive.Active = RoleManager, false
	manager := User{Role: RoleManager, Active: true}
	promoted := manager
	promoted.Role = RoleAdmin
	for _, tc := range []struct {
		name          string
		before, after User
		admins        int
		refused       bool
	}{
		{"the last admin deactivated", admin, inactive, 1, true},
		{"the last admin demoted", admin, demoted, 1, true},
		{"one of two admins deactivated", admin, inactive, 2, false},
		{"one of two admins demoted", admin, demoted, 2, false},
		{"the last admin renamed", admin, admin, 1, false},
		{"a manager promoted", manager, promoted, 1, false},
		{"an inactive admin stays inactive", inactive, inactive, 1, false},
	} {
		err := CheckKeepsAdmin(&tc.before, &tc.after, tc.admins)
		if (err != nil) != tc.refused || (err != nil && ErrorCode(err) != CodeFailedPrecondition) {
			t.Errorf("%s: %v, refused want %v", tc.name, err, tc.refused)
		}
	}
}

func TestPasswordChangesAndSessions(t *testing.T) {
	me, other, token := uuid.New(), uuid.New(), uuid.New()
	p := Principal{Role: RoleAdmin, UserID: me, TokenID: token}
	current := "old-password"
	empty := ""
	for _, tc := range []struct {
		name    string
		user    uuid.UUID
		current *string
		how     string
		keep    uuid.UUID
	}{
		{"own, without the current password", me, nil, "", uuid.Nil},
		{"own, with an empty current password", me, &empty, "", uuid.Nil},
		{"own, with the current password", me, &current, PasswordChanged, token},
		{"someone else's", other, nil, PasswordReset, uuid.Nil},
	} {
		how, err := p.CheckPasswordChange(tc.user, tc.current)
		if how != tc.how || (tc.how == "") != (ErrorCode(err) == CodeInvalid) {
			t.Errorf("%s: %q %v, want %q", tc.name, how, err, tc.how)
		}
		u := User{ID: tc.user, Active: true}
		if end, keep := p.EndedSessions(&u, &u, how); how != "" && (!end || keep != tc.keep) {
			t.Errorf("%s: sessions end=%v keep=%s, want all but %s", tc.name, end, keep, tc.keep)
		}
	}
	active := User{Active: true}
	inactive := User{}
	if end, keep := p.EndedSessions(&active, &inactive, ""); !end || keep != uuid.Nil {
		t.Errorf("a deactivation: end=%v keep=%s, want every session ended", end, keep)
	}
	if end, _ := p.EndedSessions(&active, &active, ""); end {
		t.Error("a change of phone number ended sessions")
	}
}

func TestUserChangesNameFieldsAndHideSecrets(t *testing.T) {
	a, b := uuid.MustParse("00000000-0000-0000-0000-00000000000a"), uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	before := User{DisplayName: "Ada", Role: RoleAdvisor, Active: true, SiteIDs: []uuid.UUID{b, a}}
	after := before
	after.Role, after.Active, after.SiteIDs = RoleManager, false, []uuid.UUID{a, b}
	raw, err := json.Marshal(UserChanges(&before, &after, PasswordReset))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"active":{"from":true,"to":false},"password":"reset","role":{"from":"advisor","to":"manager"}}`
	if string(raw) != want {
		t.Errorf("changes %s\nwant    %s", raw, want)
	}
	if c := UserChanges(&before, &before, ""); len(c) != 0 {
		t.Errorf("no change recorded %v", c)
	}
}
