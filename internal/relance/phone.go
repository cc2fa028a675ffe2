package relance

import (
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Phone numbers are read by libphonenumber's rules (the nyaruka port) and stored in E.164. A
// number written in international form ("+33 6 12 34 56 78", or "0033 …" where 00 is the
// country's international prefix) stands alone; a national one ("06 12 34 56 78") is read in a
// country: the site's, for a lead or a call.

// Country is an ISO 3166-1 alpha-2 code, such as "FR", that libphonenumber knows.
type Country string

// CheckCountry reports whether c is a country whose numbers can be read, naming field.
func CheckCountry(field string, c Country) error {
	if !phonenumbers.GetSupportedRegions()[string(c)] {
		return Invalid(field, "must be an ISO 3166-1 alpha-2 country code, such as FR")
	}
	return nil
}

// PhoneE164 reads raw, in country when it is written in national form, and returns it in E.164;
// an invalid number is invalid_argument on field. country may be empty when the number can
// only be international.
func PhoneE164(field, raw string, country Country) (string, error) {
	raw = strings.TrimSpace(raw)
	region := string(country)
	if region == "" {
		region = "ZZ" // unknown: only a number with its country code parses
	}
	n, err := phonenumbers.Parse(raw, region)
	switch {
	case len(raw) > 40 || strings.ContainsAny(raw, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"):
		// libphonenumber reads vanity letters ("1-800-FLOWERS"); contacts never write them.
		return "", Invalid(field, "is not a phone number")
	case err != nil && country == "" && !strings.HasPrefix(raw, "+"):
		return "", Invalid(field, "must be in international form, such as +33612345678, where no country is known to read it in")
	case err != nil || !phonenumbers.IsValidNumber(n):
		return "", Invalid(field, "is not a valid phone number")
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// Textable reports whether an E.164 number can receive an SMS: libphonenumber calls it mobile,
// or cannot tell mobile from fixed line (as in the United States).
func Textable(e164 string) bool {
	n, err := phonenumbers.Parse(e164, "ZZ")
	if err != nil {
		return false
	}
	return slices.Contains([]phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE},
		phonenumbers.GetNumberType(n))
}

// IsInternational reports whether raw is written with its country code, so that it reads the
// same in every country.
func IsInternational(raw string) bool {
	raw = strings.TrimSpace(raw)
	return strings.HasPrefix(raw, "+")
}
