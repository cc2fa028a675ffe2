package adf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
)

// corpus is every document in testdata with what reading it must give.
var corpus = map[string]struct {
	err       error                          // the error expected, or nil
	prospects int                            // how many prospects when it reads
	check     func(t *testing.T, d Document) // further checks
}{
	"spec.xml": {prospects: 1, check: func(t *testing.T, d Document) {
		p := d.Prospects[0]
		eq(t, "id", p.ID, ID{Value: "AL-1001", Source: "AutoLeads", Sequence: "1"})
		eq(t, "status", p.Status, StatusNew)
		eq(t, "date", p.RequestDate, time.Date(2026, 11, 30, 23, 30, 20, 0, time.UTC))
		eq(t, "zoned", p.Zoned, true)
		eq(t, "name", p.Customer.Name, "Marie Durand")
		eq(t, "phone", p.Customer.BestPhone(), "+33 6 12 34 56 78")
		eq(t, "phones", len(p.Customer.Phones), 2)
		eq(t, "fax", p.Customer.Phones[1].Type, PhoneFax)
		eq(t, "email", p.Customer.Email, "marie.durand@example.com")
		eq(t, "address", p.Customer.Address, "12 rue des Lilas, Lyon, ARA")
		eq(t, "postal code", p.Customer.PostalCode, "69003")
		eq(t, "vehicle", p.Vehicle, Vehicle{Interest: "buy", Status: "used", Year: "2021", Make: "Peugeot",
			Model: "3008", Trim: "Allure", VIN: "VF3MCYHZRMS123456", Stock: "P3008-17"})
		eq(t, "vendor", p.Vendor, Vendor{ID: "D-42", Source: "AutoLeads", Name: "Garage du Parc"})
		eq(t, "provider", p.Provider, Provider{ID: "AL", Name: "AutoLeads", Service: "Used car search", URL: "https://autoleads.example"})
		eq(t, "comments", p.Comments, "Is it still available?")
	}},
	"adf_pi_first.xml": {prospects: 1, check: func(t *testing.T, d Document) {
		p := d.Prospects[0]
		eq(t, "name", p.Customer.Name, "Jean Martin")
		eq(t, "phone type", p.Customer.Phones[0].Type, PhoneMobile)
		eq(t, "zone-less date", p.RequestDate, time.Date(2026, 11, 30, 9, 5, 0, 0, time.UTC))
		eq(t, "zoned", p.Zoned, false)
		eq(t, "interest", p.Vehicle.Interest, "test-drive")
		eq(t, "vendor name", p.Vendor.Name, "Garage du Parc")
	}},
	"adf_pi_before_decl.xml": {prospects: 1, check: func(t *testing.T, d Document) {
		p := d.Prospects[0]
		eq(t, "name from parts", p.Customer.Name, "Léa Petit")
		eq(t, "date", p.RequestDate, time.Date(2026, 11, 30, 8, 5, 0, 0, time.UTC))
		eq(t, "no vehicle", p.Vehicle.IsZero(), true)
	}},
	"latin1_offset.xml": {prospects: 1, check: func(t *testing.T, d Document) {
		p := d.Prospects[0]
		eq(t, "latin-1 name", p.Customer.Name, "François Lefèvre")
		eq(t, "one-digit offset", p.RequestDate, time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC))
		eq(t, "home", p.Customer.Phones[0].Type, PhoneHome)
	}},
	"bad_offset.xml": {prospects: 1, check: func(t *testing.T, d Document) {
		p := d.Prospects[0]
		eq(t, "resend", p.Status, StatusResend)
		eq(t, "malformed offset: wall clock", p.RequestDate, time.Date(2026, 11, 30, 15, 30, 20, 0, time.UTC))
		eq(t, "zoned", p.Zoned, false)
		eq(t, "sequence", p.ID.Sequence, "2")
	}},
	"several.xml": {prospects: 3, check: func(t *testing.T, d Document) {
		eq(t, "lease", d.Prospects[0].Vehicle.Interest, "lease")
		eq(t, "work phone", d.Prospects[0].Customer.BestPhone(), "+33 4 78 00 00 01")
		eq(t, "not the trade-in", d.Prospects[1].Vehicle.Make, "Dacia")
		eq(t, "unknown vendor read", d.Prospects[2].Vendor.Name, "Unknown Motors")
	}},
	"missing_contact.xml": {prospects: 1, check: func(t *testing.T, d Document) {
		eq(t, "no phone", d.Prospects[0].Customer.BestPhone(), "")
		eq(t, "no email", d.Prospects[0].Customer.Email, "")
	}},
	"unknown_vendor.xml": {prospects: 1, check: func(t *testing.T, d Document) {
		eq(t, "vendor", d.Prospects[0].Vendor, Vendor{ID: "ZZ-999", Name: "Nowhere Cars"})
	}},
	"no_id.xml": {prospects: 1, check: func(t *testing.T, d Document) {
		p := d.Prospects[0]
		eq(t, "id", p.ID, ID{})
		eq(t, "no date", p.RequestDate.IsZero(), true)
		eq(t, "last name alone", p.Customer.Name, "Moreau")
	}},
	"uppercase.xml": {prospects: 1, check: func(t *testing.T, d Document) {
		p := d.Prospects[0]
		eq(t, "name", p.Customer.Name, "Hugo Blanc")
		eq(t, "untyped phone", p.Customer.Phones[0].Type, PhoneVoice)
		eq(t, "date alone", p.RequestDate, time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC))
		eq(t, "comments trimmed", p.Comments, "Call me after 6pm")
	}},
	"billion_laughs.xml":    {err: ErrDeclaration},
	"external_entity.xml":   {err: ErrDeclaration},
	"undeclared_entity.xml": {err: ErrMalformed},
	"malformed.xml":         {err: ErrMalformed},
	"not_adf.xml":           {err: ErrNotADF},
	"empty_adf.xml":         {err: ErrNotADF},
	"deep.xml":              {err: ErrTooDeep},
	"oversized.xml":         {err: ErrTooLarge},
	"email_plain.eml": {prospects: 1, check: func(t *testing.T, d Document) {
		eq(t, "name", d.Prospects[0].Customer.Name, "Iris Noel")
	}},
	"email_multipart.eml": {prospects: 1, check: func(t *testing.T, d Document) {
		eq(t, "stock", d.Prospects[0].Vehicle.Stock, "Y-5")
		eq(t, "mobile", d.Prospects[0].Customer.BestPhone(), "+33 6 77 88 99 00")
	}},
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

// TestCorpus reads every document of testdata, each of which must have an expected outcome.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 15 || len(files) != len(corpus) {
		t.Fatalf("%d files in testdata, %d expected outcomes", len(files), len(corpus))
	}
	for _, f := range files {
		name := filepath.Base(f)
		want, ok := corpus[name]
		if !ok {
			t.Errorf("%s: no expected outcome", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var doc Document
			if strings.HasSuffix(name, ".eml") {
				_, doc, err = ParseEmail(bytes.NewReader(data))
			} else {
				doc, err = Parse(bytes.NewReader(data))
			}
			if want.err != nil {
				if !errors.Is(err, want.err) {
					t.Fatalf("got %v, want %v", err, want.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Prospects) != want.prospects {
				t.Fatalf("%d prospects, want %d", len(doc.Prospects), want.prospects)
			}
			if want.check != nil {
				want.check(t, doc)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	utc := func(y, mo, d, h, mi, s int) time.Time { return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC) }
	for in, want := range map[string]struct {
		at    time.Time
		zoned bool
	}{
		"2026-11-30T15:30:20-08:00":  {utc(2026, 11, 30, 23, 30, 20), true},
		"2026-11-30T15:30:20-0800":   {utc(2026, 11, 30, 23, 30, 20), true},
		"2026-11-30T15:30:20-08":     {utc(2026, 11, 30, 23, 30, 20), true},
		"2026-11-30T15:30:20+05:30":  {utc(2026, 11, 30, 10, 0, 20), true},
		"2026-11-30T15:30:20.123Z":   {utc(2026, 11, 30, 15, 30, 20), true},
		" 2026-11-30 15:30 ":         {utc(2026, 11, 30, 15, 30, 0), false},
		"2026-11-30T15:30:20 EST":    {utc(2026, 11, 30, 15, 30, 20), false},
		"2026-11-30T15:30:20-99:00":  {utc(2026, 11, 30, 15, 30, 20), false},
		"2026-11-30T15:30:20+01:00x": {utc(2026, 11, 30, 15, 30, 20), false},
		"2026-02-30T10:00:00Z":       {time.Time{}, false},
		"2026-11-30T25:00:00Z":       {time.Time{}, false},
		"30/11/2026":                 {time.Time{}, false},
		"":                           {time.Time{}, false},
	} {
		at, zoned := ParseDate(in)
		if !at.Equal(want.at) || zoned != want.zoned {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, %v", in, at, zoned, want.at, want.zoned)
		}
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "in zone", InZone(utc(2026, 11, 30, 9, 0, 0), paris).UTC(), utc(2026, 11, 30, 8, 0, 0))
}

// FuzzParse checks that no input makes Parse or ParseEmail panic, and that a document read
// holds prospects.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(bytes.NewReader(data))
		if err == nil && len(doc.Prospects) == 0 {
			t.Fatal("a document without prospects read without error")
		}
		_, _, _ = ParseEmail(bytes.NewReader(data))
	})
}

func TestNewLead(t *testing.T) {
	doc, err := Parse(strings.NewReader(mustRead(t, "testdata/spec.xml")))
	if err != nil {
		t.Fatal(err)
	}
	p := doc.Prospects[0]
	site := uuid.New()
	in, err := p.NewLead(site, time.UTC, p.Source(""))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "source", in.Source, "AutoLeads")
	eq(t, "token source wins", p.Source("Partner X"), "Partner X")
	eq(t, "group", in.SourceGroup, "Used car search")
	eq(t, "external id", in.ExternalID, "adf:AutoLeads/AutoLeads/AL-1001#1")
	eq(t, "received", in.ReceivedAt, time.Date(2026, 11, 30, 23, 30, 20, 0, time.UTC))
	eq(t, "contact", in.Contact, relance.Contact{Name: "Marie Durand", Phone: "+33 6 12 34 56 78", Email: "marie.durand@example.com"})
	eq(t, "notes", in.Notes, "Vehicle: interest buy; status used; year 2021; make Peugeot; model 3008; trim Allure; VIN VF3MCYHZRMS123456; stock P3008-17\n"+
		"Address: 12 rue des Lilas, Lyon, ARA, 69003, FR\nPhones: fax +33 1 44 00 00 00\nIs it still available?")

	if in.Vehicle == nil || in.Vehicle.Model != "3008" || in.Vehicle.Stock != "P3008-17" {
		t.Errorf("vehicle: %+v", in.Vehicle)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	doc, _ = Parse(strings.NewReader(mustRead(t, "testdata/adf_pi_first.xml")))
	in, _ = doc.Prospects[0].NewLead(site, paris, "x")
	eq(t, "site's local time", in.ReceivedAt.UTC(), time.Date(2026, 11, 30, 8, 5, 0, 0, time.UTC))

	doc, _ = Parse(strings.NewReader(mustRead(t, "testdata/missing_contact.xml")))
	if _, err := doc.Prospects[0].NewLead(site, paris, "x"); !errors.Is(err, ErrUnreachable) {
		t.Errorf("missing contact: %v", err)
	}
	long := Prospect{ID: ID{Value: strings.Repeat("x", 200)}}
	if id := long.ExternalID(); len(id) > maxExternalID || !strings.HasPrefix(id, "adf:sha256:") {
		t.Errorf("long external id %q", id)
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
