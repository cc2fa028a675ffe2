package postgres_test

import (
	"testing"
	"time"

	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

func TestPhoneNumbersAreReadInTheSitesCountryAndStoredInE164(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	w := testenv.NewWorld(t, db)
	admin := w.As(w.Admin)
	create := func(key, phone string) (relance.Lead, error) {
		l, _, err := db.CreateLead(ctx, admin, relance.NewLead{
			IdempotencyKey: key, SiteID: w.Lyon.ID, Source: "website", Contact: relance.Contact{Name: key, Phone: phone},
		})
		return l, err
	}

	// Lyon is in France: a national number is read there, and a retry written differently is
	// the same request.
	l, err := create("national", "06 12 34 56 79")
	if err != nil || l.Contact.Phone != "+33612345679" {
		t.Fatalf("national number: %+v, %v", l.Contact, err)
	}
	again, err := create("national", "+33 6 12 34 56 79")
	if err != nil || again.ID != l.ID {
		t.Fatalf("the same lead with its number in international form: %+v, %v", again, err)
	}
	for _, bad := range []string{"06 12 34", "514-555-0123", "+1 555 000 0001", "0800-FLOWERS"} {
		_, err := create("bad "+bad, bad)
		if !relance.HasViolation(err, "contact.phone") {
			t.Errorf("%q: %v, want a contact.phone violation", bad, err)
		}
	}
	leads, _, err := db.ListLeads(ctx, admin, relance.LeadFilter{})
	if err != nil || len(leads) != 1 {
		t.Fatalf("bad numbers wrote leads: %d, %v", len(leads), err)
	}

	// A telephony number finds the lead on its E.164 form, national or international.
	for i, phone := range []string{"06.12.34.56.79", "+33 6 12 34 56 79", "0033612345679"} {
		c, _, err := db.RecordCall(ctx, admin, relance.NewCall{Call: relance.Call{
			Direction: relance.Inbound, StartedAt: time.Now().Add(-time.Duration(i+1) * time.Minute),
			Outcome: relance.CallNoAnswer, Phone: phone,
		}})
		if err != nil || c.LeadID != l.ID {
			t.Errorf("call from %q: %+v, %v", phone, c, err)
		}
	}
	_, _, err = db.RecordCall(ctx, admin, relance.NewCall{Call: relance.Call{
		Direction: relance.Inbound, StartedAt: time.Now(), Outcome: relance.CallNoAnswer, Phone: "call me",
	}})
	if !relance.HasViolation(err, "phone") {
		t.Errorf("a call from no number: %v", err)
	}

	// Sites have a country; changing it is checked like the rest of the site.
	if w.Lyon.Country != "FR" {
		t.Errorf("Lyon's country = %q", w.Lyon.Country)
	}
	xx := relance.Country("XX")
	_, err = db.UpdateSite(ctx, admin, w.Lyon.ID, relance.SiteChange{Country: &xx})
	if !relance.HasViolation(err, "country") {
		t.Errorf("country XX: %v", err)
	}
	ca := relance.Country("CA")
	s, err := db.UpdateSite(ctx, admin, w.Lyon.ID, relance.SiteChange{Country: &ca})
	if err != nil || s.Country != "CA" {
		t.Fatalf("country CA: %+v, %v", s, err)
	}
	if l, err := create("montreal", "(514) 555-0123"); err != nil || l.Contact.Phone != "+15145550123" {
		t.Errorf("a national number in Canada: %+v, %v", l.Contact, err)
	}
}
