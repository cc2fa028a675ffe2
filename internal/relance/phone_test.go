package relance_test

import (
	"testing"

	"github.com/relancehq/relance/internal/relance"
)

func TestPhoneE164ReadsNationalNumbersInTheCountry(t *testing.T) {
	for _, tc := range []struct {
		raw     string
		country relance.Country
		want    string
	}{
		{"+33 6 12 34 56 78", "", "+33612345678"},
		{"+33 6 12 34 56 78", "CA", "+33612345678"}, // international form reads the same anywhere
		{"06.12.34.56.78", "FR", "+33612345678"},
		{"(06) 12-34-56-78", "FR", "+33612345678"},
		{"0033 6 12 34 56 78", "FR", "+33612345678"}, // France's international prefix
		{"514-555-0123", "CA", "+15145550123"},
		{"(514) 555-0123", "US", "+15145550123"},
		{"011 33 6 12 34 56 78", "CA", "+33612345678"}, // North America's international prefix
		{"8 (912) 345-67-89", "RU", "+79123456789"},
	} {
		got, err := relance.PhoneE164("phone", tc.raw, tc.country)
		if err != nil || got != tc.want {
			t.Errorf("PhoneE164(%q, %s) = %q, %v; want %q", tc.raw, tc.country, got, err, tc.want)
		}
	}
}

func TestPhoneE164RefusesWhatIsNotAValidNumber(t *testing.T) {
	for _, tc := range []struct {
		raw     string
		country relance.Country
	}{
		{"06 12 34 56 78", ""}, // national, and no country to read it in
		{"+33 6 12", "FR"},     // too short
		{"+33 6 12 34 56 78 9", "FR"},
		{"06 12 34 56 78", "US"}, // not a number of that country
		{"1-800-FLOWERS", "US"},  // letters
		{"call me", "FR"},
		{"+1 555 000 0001", ""}, // 555 is no area code
		{"", "FR"},
	} {
		_, err := relance.PhoneE164("contact.phone", tc.raw, tc.country)
		if !relance.HasViolation(err, "contact.phone") {
			t.Errorf("PhoneE164(%q, %s): %v, want invalid contact.phone", tc.raw, tc.country, err)
		}
	}
}

func TestCheckCountry(t *testing.T) {
	for _, c := range []relance.Country{"FR", "CA", "RU", "US"} {
		if err := relance.CheckCountry("country", c); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
	for _, c := range []relance.Country{"", "fr", "XX", "FRA", "ZZ"} {
		if err := relance.CheckCountry("country", c); err == nil {
			t.Errorf("%q accepted", c)
		}
	}
}

func TestTextable(t *testing.T) {
	for n, want := range map[string]bool{
		"+33612345678": true,  // French mobile
		"+33478000001": false, // French fixed line
		"+15145550123": true,  // North America: fixed line or mobile
		"0612345678":   false,
	} {
		if got := relance.Textable(n); got != want {
			t.Errorf("Textable(%s) = %v, want %v", n, got, want)
		}
	}
}
