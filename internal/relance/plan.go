package relance

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Plan is a follow-up plan: ordered steps a lead goes through, automatic (email, SMS sent by the
// system) or manual (an action in someone's inbox that the plan waits on).
type Plan struct {
	ID            uuid.UUID
	Name          string
	Paused        bool
	EnrolSources  []string  // leads created from one of these sources are enrolled
	EnrolStatusID uuid.UUID // leads given this status are enrolled; uuid.Nil for none
	// PartnerLeadsAllowed lets leads a partner key created enter the plan by its rules even
	// when it messages leads automatically (see AdmitsByRule).
	PartnerLeadsAllowed bool
	Steps               []Step
	ArchivedAt          *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Anchor is the reference date a step counts its days from.
type Anchor string

// The anchors.
const (
	AnchorReceived Anchor = "received" // the lead's receipt
	AnchorEnrolled Anchor = "enrolled" // the lead's enrolment in the plan
)

// StepAssignee says who carries out a manual step.
type StepAssignee string

// The assignee rules.
const (
	AssignAdvisor StepAssignee = "advisor" // the lead's advisor
	AssignManager StepAssignee = "manager" // the advisor's manager (the advisor without one)
)

// Step is one step of a plan.
type Step struct {
	Kind       ActivityKind
	Automatic  bool
	Anchor     Anchor
	AfterDays  int   // calendar days after the anchor's date
	MinGapDays int   // postponed until this many days after the last contact with the lead
	SendMinute *int  // local time; nil for the organisation's send time
	Weekdays   uint8 // bit d allows time.Weekday d; 0 means Monday to Friday
	Subject    string
	Body       string
	Assignee   StepAssignee
	// The files an automatic email step carries (their ActionID is uuid.Nil); not part of a
	// plan's input: AddPlanFile joins them.
	Files []Attachment
}

// MondayToFriday is the default weekday set of a step (bit d for time.Weekday d).
const MondayToFriday uint8 = 0b0111110

// Days returns the weekdays a step may fall on.
func (s *Step) Days() uint8 {
	if s.Weekdays == 0 {
		return MondayToFriday
	}
	return s.Weekdays
}

// MaxPlanSteps bounds the length of a plan.
const MaxPlanSteps = 50

// Validate checks a plan as a whole: a name, 1 to 50 steps, each of them sensible, with known
// template variables. Violations name the step, as in "steps[2].body".
func (p *Plan) Validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return Invalid("name", "must not be empty")
	}
	if len(p.Steps) == 0 || len(p.Steps) > MaxPlanSteps {
		return Invalid("steps", fmt.Sprintf("a plan has 1 to %d steps", MaxPlanSteps))
	}
	for i := range p.Steps {
		if err := p.Steps[i].validate(fmt.Sprintf("steps[%d].", i)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Step) validate(at string) error {
	switch {
	case !slices.Contains(ActionKinds, s.Kind):
		return Invalid(at+"kind", "must be call, email, sms, letter or task")
	case s.Automatic && s.Kind != KindEmail && s.Kind != KindSMS:
		return Invalid(at+"automatic", "only email and SMS steps are sent automatically")
	case s.Anchor != AnchorReceived && s.Anchor != AnchorEnrolled:
		return Invalid(at+"anchor", "must be received or enrolled")
	case s.AfterDays < 0 || s.AfterDays > 365:
		return Invalid(at+"after_days", "must be between 0 and 365")
	case s.MinGapDays < 0 || s.MinGapDays > 365:
		return Invalid(at+"min_gap_days", "must be between 0 and 365")
	case s.SendMinute != nil && (*s.SendMinute < 0 || *s.SendMinute >= 1440):
		return Invalid(at+"send_time", "must be between 00:00 and 23:59")
	case s.Weekdays&0x7f != s.Weekdays:
		return Invalid(at+"weekdays", "unknown weekday")
	case s.Assignee != AssignAdvisor && s.Assignee != AssignManager:
		return Invalid(at+"assignee", "must be advisor or manager")
	case s.Automatic && s.Kind == KindEmail && strings.TrimSpace(s.Subject) == "":
		return Invalid(at+"subject", "an automatic email needs a subject")
	case s.Automatic && strings.TrimSpace(s.Body) == "":
		return Invalid(at+"body", "an automatic message needs a body")
	}
	if err := CheckTemplate(s.Subject); err != nil {
		return Invalid(at+"subject", err.Error())
	}
	if err := CheckTemplate(s.Body); err != nil {
		return Invalid(at+"body", err.Error())
	}
	return nil
}

// MessagesLeads reports whether the plan sends messages to the lead with no person in the loop:
// it has an automatic (email or SMS) step.
func (p *Plan) MessagesLeads() bool {
	return slices.ContainsFunc(p.Steps, func(s Step) bool { return s.Automatic })
}

// AdmitsByRule decides whether lead l may enter the plan by its enrolment rules (its source or
// status). A lead created with a partner API key enters a plan that messages leads
// automatically only when the plan allows partner leads: the partner chooses the lead's
// source, name and number, and would otherwise choose whom the organisation's account
// messages. It returns nil, or why not. A person enrolling a lead by hand decides for themself.
func (p *Plan) AdmitsByRule(l *Lead) error {
	if l.PartnerKeyID != uuid.Nil && !p.PartnerLeadsAllowed && p.MessagesLeads() {
		return errors.New("the lead comes from a partner key and the plan does not take partner leads")
	}
	return nil
}

// SMSNumber returns the number an automatic SMS to phone goes to, or why it cannot go: the
// number must be a valid international number that can receive SMS (a mobile, or a number
// libphonenumber cannot tell from one).
func SMSNumber(phone string) (string, error) {
	n, err := PhoneE164("phone", phone, "")
	switch {
	case err != nil:
		return "", fmt.Errorf("the lead's phone number %q is not a valid international number", phone)
	case !Textable(n):
		return "", fmt.Errorf("the lead's phone number %s cannot receive SMS (not a mobile number)", n)
	}
	return n, nil
}

// TemplateVariables are the variables a step's subject and body may use, as {{lead.name}}.
var TemplateVariables = []string{
	"lead.name", "lead.phone", "lead.email", "lead.source",
	"advisor.name", "advisor.email", "advisor.phone", "site.name",
}

var templateVar = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// CheckTemplate reports the first unknown variable of text.
func CheckTemplate(text string) error {
	for _, m := range templateVar.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(TemplateVariables, m[1]) {
			return fmt.Errorf("unknown variable {{%s}}; known: %s", m[1], strings.Join(TemplateVariables, ", "))
		}
	}
	return nil
}

// RenderTemplate replaces the variables of text by their values in vars (TemplateVariables as
// keys); it is plain text substitution, with no logic a template author could abuse.
func RenderTemplate(text string, vars map[string]string) string {
	return templateVar.ReplaceAllStringFunc(text, func(m string) string {
		return vars[templateVar.FindStringSubmatch(m)[1]]
	})
}

// CheckManagePlans checks that p may create and change plans: admins and managers.
func (p Principal) CheckManagePlans() error {
	if p.Role == RoleAdmin || p.Role == RoleManager {
		return nil
	}
	return Errorf(CodePermissionDenied, "only managers and admins manage follow-up plans")
}

// EnrolmentState is where a lead stands in a plan.
type EnrolmentState string

// The enrolment states.
const (
	EnrolmentActive    EnrolmentState = "active"
	EnrolmentPaused    EnrolmentState = "paused"
	EnrolmentCompleted EnrolmentState = "completed"
	EnrolmentExited    EnrolmentState = "exited"
)

// Why a lead left a plan early.
const (
	ExitReplied  = "replied"  // the lead answered (an inbound activity)
	ExitWon      = "won"      // the lead was won
	ExitRejected = "rejected" // the lead was rejected
	ExitByHand   = "removed"  // someone took it out
	ExitArchived = "archived" // the plan was archived
)

// Enrolment is one lead running one plan.
type Enrolment struct {
	ID         uuid.UUID
	PlanID     uuid.UUID
	LeadID     uuid.UUID
	State      EnrolmentState
	ExitReason string
	Step       int // the step in progress, or next
	EnrolledAt time.Time
	EndedAt    *time.Time
}

// StepStats is what one step of a plan achieved.
type StepStats struct {
	Step      int
	Executed  int // done (sent, for automatic steps)
	Skipped   int
	Failed    int
	Pending   int
	Answered  int // executed, then answered by the lead within the window
	Won       int // executed on a lead since won
	Cancelled int
	// The messages of manual email and SMS steps, sent when carried out: delivered, failed for
	// good (or lost mid-send), still on their way.
	Sent, NotDelivered, Queued int
}
