package adf

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
)

// Bounds of the lead fields a prospect fills (as CreateLead's).
const (
	maxName       = 200
	maxSource     = 100
	maxExternalID = 128
	maxNotes      = 4000
	maxContact    = 254
)

// ErrUnreachable refuses a prospect whose customer has neither a phone number nor an email.
var ErrUnreachable = errors.New("the customer has neither a phone number nor an email")

// Source is the lead source of a prospect: the token's source when the document came through
// an intake token, else the provider's name, else the source of the prospect's id, else "adf".
func (p *Prospect) Source(tokenSource string) string {
	for _, s := range []string{tokenSource, p.Provider.Name, p.ID.Source} {
		if s = strings.TrimSpace(s); s != "" {
			return clip(s, maxSource)
		}
	}
	return "adf"
}

// ExternalID is the dedup key of a prospect within its source: the provider, the source of its
// id, the id and its sequence ("" when the prospect has no id, which then cannot be deduplicated).
// A key longer than the column allows is replaced by its SHA-256.
func (p *Prospect) ExternalID() string {
	if p.ID.Value == "" {
		return ""
	}
	id := "adf:" + p.Provider.Name + "/" + p.ID.Source + "/" + p.ID.Value + "#" + p.ID.Sequence
	if len(id) > maxExternalID {
		sum := sha256.Sum256([]byte(id))
		id = "adf:sha256:" + hex.EncodeToString(sum[:])
	}
	return id
}

// NewLead maps p to a lead of site (whose time zone is loc, for a request date without offset)
// with the given source; the vehicle of interest goes both to the lead's vehicle and, for people
// reading the notes, to their first line. It returns ErrUnreachable when the customer cannot be
// contacted.
func (p *Prospect) NewLead(site uuid.UUID, loc *time.Location, source string) (relance.NewLead, error) {
	c := p.Customer
	phone := clip(c.BestPhone(), maxContact)
	email := clip(c.Email, maxContact)
	if phone == "" && email == "" {
		return relance.NewLead{}, ErrUnreachable
	}
	name := c.Name
	if name == "" {
		name = strings.TrimSpace(email + " " + phone)
	}
	in := relance.NewLead{
		ExternalID: p.ExternalID(), SiteID: site, Source: source,
		SourceGroup: clip(p.Provider.Service, maxSource),
		Contact:     relance.Contact{Name: clip(name, maxName), Phone: phone, Email: email},
		Notes:       clip(p.Notes(), maxNotes),
	}
	if v := p.Vehicle; !v.IsZero() {
		in.Vehicle = &relance.Vehicle{Interest: clip(v.Interest, 20), Status: clip(v.Status, 20), Year: clip(v.Year, 10),
			Make: clip(v.Make, maxName), Model: clip(v.Model, maxName), VIN: clip(v.VIN, 40), Stock: clip(v.Stock, 100)}
	}
	if !p.RequestDate.IsZero() {
		in.ReceivedAt = p.RequestDate
		if !p.Zoned {
			in.ReceivedAt = InZone(p.RequestDate, loc)
		}
	}
	return in, nil
}

// Notes returns what a lead's notes say of a prospect besides its contact fields: the
// vehicle of interest on one line of "key: value" pairs, the customer's address and other
// phones, then the comments:
//
//	Vehicle: interest buy; status used; year 2021; make Peugeot; model 3008; VIN VF3…; stock P-17
//	Address: 12 rue des Lilas, Lyon, ARA, 69003, FR
//	Phones: fax +33 1 44 00 00 00
//	Is it still available?
func (p *Prospect) Notes() string {
	var lines []string
	v := p.Vehicle
	var pairs []string
	for _, kv := range [][2]string{{"interest", v.Interest}, {"status", v.Status}, {"year", v.Year},
		{"make", v.Make}, {"model", v.Model}, {"trim", v.Trim}, {"VIN", v.VIN}, {"stock", v.Stock}} {
		if kv[1] != "" {
			pairs = append(pairs, kv[0]+" "+strings.ReplaceAll(kv[1], ";", ","))
		}
	}
	if len(pairs) > 0 {
		lines = append(lines, "Vehicle: "+strings.Join(pairs, "; "))
	}
	if a := joinNonEmpty([]string{p.Customer.Address, p.Customer.PostalCode, p.Customer.Country}, ", "); a != "" {
		lines = append(lines, "Address: "+a)
	}
	best := p.Customer.BestPhone()
	var others []string
	for _, ph := range p.Customer.Phones {
		if ph.Number != best {
			others = append(others, ph.Type+" "+ph.Number)
		}
	}
	if len(others) > 0 {
		lines = append(lines, "Phones: "+strings.Join(others, "; "))
	}
	if p.Comments != "" {
		lines = append(lines, p.Comments)
	}
	return strings.Join(lines, "\n")
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}
