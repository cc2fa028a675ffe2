// Package adf reads ADF 1.0 (Auto-lead Data Format) documents, the automotive industry's lead
// format, into plain prospects: strict where it matters (no DTD, bounded size and depth), lenient
// where real feeds deviate from the specification.
package adf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds on a document.
const (
	MaxBytes     = 1 << 20 // a document (or an email carrying one) beyond this is refused
	MaxDepth     = 32      // elements nested deeper than this are refused
	MaxElements  = 20000   // elements in one document
	MaxProspects = 100     // prospects in one document
)

// Errors of Parse. Each is wrapped with details; test with errors.Is.
var (
	ErrTooLarge    = errors.New("document too large")
	ErrDeclaration = errors.New("DOCTYPE and ENTITY declarations are not accepted")
	ErrTooDeep     = errors.New("document nested too deeply or with too many elements")
	ErrMalformed   = errors.New("malformed XML")
	ErrNotADF      = errors.New("not an ADF document")
)

// Status says whether a provider sends a prospect for the first time or again.
type Status string

// Prospect statuses.
const (
	StatusNew    Status = "new"
	StatusResend Status = "resend"
)

// Document is one parsed ADF document.
type Document struct {
	Prospects []Prospect
}

// Prospect is one lead in a document.
type Prospect struct {
	// RequestDate is when the customer asked; zero when absent or unreadable. When Zoned is
	// false the document gave no usable offset: the wall clock is in RequestDate's UTC fields and
	// is the site's local time, which the caller applies.
	RequestDate time.Time
	Zoned       bool
	ID          ID // the provider's identifier of the prospect (dedup key)
	Status      Status
	Customer    Customer
	Vehicle     Vehicle // the first vehicle of interest; zero when none
	Vendor      Vendor
	Provider    Provider
	Comments    string // the customer's comments, then the vehicle's
}

// ID is an ADF <id>: a value, the source that issued it, and its sequence.
type ID struct {
	Value    string
	Source   string
	Sequence string
}

// Customer is the person behind a prospect.
type Customer struct {
	Name       string
	FirstName  string
	LastName   string
	Phones     []Phone
	Email      string
	Address    string // street lines, city and region, on one line
	PostalCode string
	Country    string
}

// Phone types, normalised from the variants feeds use.
const (
	PhoneVoice  = "voice"
	PhoneHome   = "home"
	PhoneWork   = "work"
	PhoneMobile = "mobile"
	PhoneFax    = "fax"
)

// Phone is a customer's phone number and its type.
type Phone struct {
	Type   string // one of the Phone… constants
	Number string
}

// BestPhone returns the number to call: a mobile, else a voice, home or work number, never a
// fax; "" when none.
func (c Customer) BestPhone() string {
	for _, want := range []string{PhoneMobile, PhoneVoice, PhoneHome, PhoneWork} {
		for _, p := range c.Phones {
			if p.Type == want && p.Number != "" {
				return p.Number
			}
		}
	}
	return ""
}

// Vehicle is a vehicle of interest.
type Vehicle struct {
	Interest string // buy, lease, trade-in, test-drive (or "" when not given)
	Status   string // new, used (or "")
	Year     string
	Make     string
	Model    string
	Trim     string
	VIN      string
	Stock    string
}

// IsZero reports whether no field of v is set.
func (v Vehicle) IsZero() bool { return v == Vehicle{} }

// Vendor is the dealer a prospect is for.
type Vendor struct {
	ID     string
	Source string // the source of ID
	Name   string
}

// Provider is who sent the prospect (a lead provider, a manufacturer's site…).
type Provider struct {
	ID      string
	Name    string
	Service string
	URL     string
}

// Parse reads one ADF document from r. It returns ErrTooLarge beyond MaxBytes, ErrDeclaration
// for any DOCTYPE (hence any entity declaration), ErrTooDeep beyond MaxDepth or MaxElements,
// ErrMalformed for XML it cannot read, and ErrNotADF when the root is not <adf> or holds no
// prospect.
func Parse(r io.Reader) (Document, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return Document{}, err
	}
	if len(data) > MaxBytes {
		return Document{}, fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxBytes)
	}
	return ParseBytes(data)
}

// ParseBytes is Parse over a document already in memory.
func ParseBytes(data []byte) (Document, error) {
	if len(data) > MaxBytes {
		return Document{}, fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxBytes)
	}
	root, err := readTree(data)
	if err != nil {
		return Document{}, err
	}
	if root.name != "adf" {
		return Document{}, fmt.Errorf("%w: the root element is <%s>, not <adf>", ErrNotADF, root.name)
	}
	var doc Document
	for _, p := range root.all("prospect") {
		if len(doc.Prospects) == MaxProspects {
			return Document{}, fmt.Errorf("%w: over %d prospects", ErrTooDeep, MaxProspects)
		}
		doc.Prospects = append(doc.Prospects, prospect(p))
	}
	if len(doc.Prospects) == 0 {
		return Document{}, fmt.Errorf("%w: no <prospect>", ErrNotADF)
	}
	return doc, nil
}

// node is an element: its lower-case name, attributes (lower-case names), text and children.
type node struct {
	name     string
	attrs    map[string]string
	text     strings.Builder
	children []*node
}

func (n *node) attr(name string) string {
	return strings.TrimSpace(n.attrs[name])
}

// first returns the first child named name, or an empty node.
func (n *node) first(name string) *node {
	if n != nil {
		for _, c := range n.children {
			if c.name == name {
				return c
			}
		}
	}
	return &node{}
}

func (n *node) all(name string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// value returns the trimmed text of the first child named name, whitespace runs folded.
func (n *node) value(name string) string { return n.first(name).str() }

func (n *node) str() string { return strings.Join(strings.Fields(n.text.String()), " ") }

// readTree reads data into a tree of elements, refusing any DTD and bounding depth and size.
func readTree(data []byte) (*node, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	// Feeds put <?adf version="1.0"?> before <?xml …?>, which XML forbids (the declaration must
	// come first); the processing instruction means nothing to us, so it goes.
	data = dropLeadingPI(data)
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = charsetReader
	d.Entity = nil // only the five predefined entities; a DTD is refused below anyway
	var root *node
	var stack []*node
	elements := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, ErrDeclaration
		case xml.StartElement:
			elements++
			if len(stack) >= MaxDepth || elements > MaxElements {
				return nil, ErrTooDeep
			}
			n := &node{name: strings.ToLower(t.Name.Local), attrs: map[string]string{}}
			for _, a := range t.Attr {
				n.attrs[strings.ToLower(a.Name.Local)] = a.Value
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("%w: more than one root element", ErrMalformed)
				}
				root = n
			} else {
				top := stack[len(stack)-1]
				top.children = append(top.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].name != strings.ToLower(t.Name.Local) {
				return nil, fmt.Errorf("%w: unexpected </%s>", ErrMalformed, t.Name.Local)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: no element", ErrMalformed)
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("%w: <%s> not closed", ErrMalformed, stack[len(stack)-1].name)
	}
	return root, nil
}

// dropLeadingPI removes processing instructions other than the XML declaration that come
// before it, with the whitespace around them.
func dropLeadingPI(data []byte) []byte {
	for {
		trimmed := bytes.TrimLeft(data, " \t\r\n")
		if !bytes.HasPrefix(trimmed, []byte("<?")) || bytes.HasPrefix(trimmed, []byte("<?xml ")) ||
			bytes.HasPrefix(trimmed, []byte("<?xml?")) {
			return trimmed
		}
		end := bytes.Index(trimmed, []byte("?>"))
		if end < 0 {
			return trimmed
		}
		data = trimmed[end+2:]
	}
}

// charsetReader reads the single-byte encodings feeds declare besides UTF-8.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(b)+len(b)/8)
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

func prospect(p *node) Prospect {
	out := Prospect{Status: StatusNew}
	if strings.EqualFold(p.attr("status"), "resend") {
		out.Status = StatusResend
	}
	id := p.first("id")
	out.ID = ID{Value: id.str(), Source: id.attr("source"), Sequence: id.attr("sequence")}
	out.RequestDate, out.Zoned = ParseDate(p.value("requestdate"))

	contact := p.first("customer").first("contact")
	c := &out.Customer
	for _, n := range contact.all("name") {
		switch strings.ToLower(n.attr("part")) {
		case "first":
			c.FirstName = n.str()
		case "last":
			c.LastName = n.str()
		case "full", "":
			c.Name = n.str()
		}
	}
	if c.Name == "" {
		c.Name = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
	for _, ph := range contact.all("phone") {
		if num := ph.str(); num != "" {
			c.Phones = append(c.Phones, Phone{Type: phoneType(ph.attr("type")), Number: num})
		}
	}
	c.Email = contact.value("email")
	addr := contact.first("address")
	var parts []string
	for _, s := range addr.all("street") {
		parts = append(parts, s.str())
	}
	for _, f := range []string{"apartment", "city", "regioncode"} {
		parts = append(parts, addr.value(f))
	}
	c.Address = joinNonEmpty(parts, ", ")
	c.PostalCode = addr.value("postalcode")
	c.Country = addr.value("country")

	var comments []string
	comments = append(comments, p.first("customer").value("comments"))
	// The vehicle of interest: the first one that is not a trade-in, else the first one.
	vehicles := p.all("vehicle")
	for _, v := range vehicles {
		if veh := vehicle(v); out.Vehicle.IsZero() && veh.Interest != "trade-in" {
			out.Vehicle = veh
		}
		comments = append(comments, v.value("comments"))
	}
	if out.Vehicle.IsZero() && len(vehicles) > 0 {
		out.Vehicle = vehicle(vehicles[0])
	}
	out.Comments = joinNonEmpty(comments, "\n")

	vendor := p.first("vendor")
	vid := vendor.first("id")
	out.Vendor = Vendor{ID: vid.str(), Source: vid.attr("source"), Name: vendor.value("vendorname")}
	prov := p.first("provider")
	name := prov.value("name")
	for _, n := range prov.all("name") {
		if strings.EqualFold(n.attr("part"), "full") || n.attr("part") == "" {
			name = n.str()
			break
		}
	}
	out.Provider = Provider{ID: prov.value("id"), Name: name, Service: prov.value("service"), URL: prov.value("url")}
	return out
}

func vehicle(v *node) Vehicle {
	return Vehicle{
		Interest: interest(v.attr("interest")), Status: strings.ToLower(v.attr("status")),
		Year: v.value("year"), Make: v.value("make"), Model: v.value("model"), Trim: v.value("trim"),
		VIN: v.value("vin"), Stock: v.value("stock"),
	}
}

func phoneType(t string) string {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "home", "evening":
		return PhoneHome
	case "work", "business", "office", "day":
		return PhoneWork
	case "mobile", "cellphone", "cell", "cellular", "pager":
		return PhoneMobile
	case "fax":
		return PhoneFax
	}
	return PhoneVoice
}

func interest(s string) string {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", "-")) {
	case "buy", "purchase":
		return "buy"
	case "lease":
		return "lease"
	case "trade-in", "tradein", "sell":
		return "trade-in"
	case "test-drive", "testdrive":
		return "test-drive"
	case "":
		return ""
	}
	return strings.ToLower(strings.TrimSpace(s))
}

func joinNonEmpty(parts []string, sep string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

// Text returns a document as UTF-8 text, for keeping: as it is when it is UTF-8, else read as
// ISO-8859-1 (the only other encoding Parse accepts that is not ASCII; its declaration is left
// as sent).
func Text(raw []byte) string {
	if utf8.Valid(raw) {
		return string(raw)
	}
	out := make([]byte, 0, len(raw)+len(raw)/8)
	for _, c := range raw {
		out = utf8.AppendRune(out, rune(c))
	}
	return string(out)
}
