package relance

import "reflect"

// Changes lists what an update changed, for the details of its audit row: each changed field
// by name, with its old and new values, or only a word for a secret or a long text. It never
// holds a secret.
type Changes map[string]any

// FieldChange is a field's value before and after an update.
type FieldChange struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// Changed is what Mark records for a long text that changed.
const Changed = "changed"

// Diff records that field name went from old to new, when they differ.
func (c Changes) Diff(name string, old, new any) {
	if !reflect.DeepEqual(old, new) {
		c[name] = FieldChange{From: old, To: new}
	}
}

// Mark records that field name changed as how says ("changed", "reset"), without its values:
// a secret, or a text too long for the log. Equal values record nothing.
func (c Changes) Mark(name string, old, new any, how string) {
	if !reflect.DeepEqual(old, new) {
		c[name] = how
	}
}

// SiteChanges lists what turned site before into after; opening windows and closures are
// named, not copied.
func SiteChanges(before, after *Site) Changes {
	c := Changes{}
	c.Diff("name", before.Name, after.Name)
	c.Diff("time_zone", before.TimeZone, after.TimeZone)
	c.Mark("windows", before.Windows, after.Windows, Changed)
	c.Mark("closures", before.Closures, after.Closures, Changed)
	return c
}

// LeadChanges lists what turned lead before into after; notes are named, not copied.
func LeadChanges(before, after *Lead) Changes {
	c := Changes{}
	c.Diff("stage", before.Stage, after.Stage)
	c.Diff("category", before.Category, after.Category)
	c.Diff("status_id", before.StatusID, after.StatusID)
	c.Mark("notes", before.Notes, after.Notes, Changed)
	return c
}

// ActionChanges lists what turned action before into after; content and notes are named, not
// copied.
func ActionChanges(before, after *Action) Changes {
	c := Changes{}
	c.Diff("kind", before.Kind, after.Kind)
	c.Diff("subject", before.Subject, after.Subject)
	c.Mark("content", before.Content, after.Content, Changed)
	c.Diff("recipients", nonNilStrings(before.Recipients), nonNilStrings(after.Recipients))
	c.Mark("notes", before.Notes, after.Notes, Changed)
	return c
}

// CounterpartyChanges lists what turned counterparty before into after; notes are named, not
// copied.
func CounterpartyChanges(before, after *Counterparty) Changes {
	c := Changes{}
	c.Diff("kind", before.Kind, after.Kind)
	c.Diff("name", before.Name, after.Name)
	c.Diff("category", before.Category, after.Category)
	c.Diff("phone", before.Phone, after.Phone)
	c.Diff("email", before.Email, after.Email)
	c.Diff("responsible_id", before.ResponsibleID, after.ResponsibleID)
	c.Diff("status_id", before.StatusID, after.StatusID)
	c.Mark("notes", before.Notes, after.Notes, Changed)
	return c
}

// StatusChanges lists what turned status before into after.
func StatusChanges(before, after *Status) Changes {
	c := Changes{}
	c.Diff("name", before.Name, after.Name)
	c.Diff("sort_order", before.SortOrder, after.SortOrder)
	c.Diff("for", before.For, after.For)
	c.Diff("schedules_call", before.SchedulesCall, after.SchedulesCall)
	c.Diff("call_after_days", before.CallAfterDays, after.CallAfterDays)
	c.Diff("terminal", before.Terminal, after.Terminal)
	return c
}

// PlanChanges lists what turned plan before into after. An update rewrites every step, so the
// number of steps before and after is always recorded.
func PlanChanges(before, after *Plan) Changes {
	c := Changes{}
	c.Diff("name", before.Name, after.Name)
	c.Diff("enrol_sources", nonNilStrings(before.EnrolSources), nonNilStrings(after.EnrolSources))
	c.Diff("enrol_status_id", before.EnrolStatusID, after.EnrolStatusID)
	c.Diff("partner_leads_allowed", before.PartnerLeadsAllowed, after.PartnerLeadsAllowed)
	c["steps"] = FieldChange{From: len(before.Steps), To: len(after.Steps)}
	return c
}

// OrganizationChanges lists what turned organisation before into after.
func OrganizationChanges(before, after *Organization) Changes {
	c := Changes{}
	c.Diff("name", before.Name, after.Name)
	c.Diff("digest_time", FormatClock(before.DigestMinute), FormatClock(after.DigestMinute))
	c.Diff("digest_enabled", before.DigestOn, after.DigestOn)
	c.Diff("send_time", FormatClock(before.SendMinute), FormatClock(after.SendMinute))
	c.Diff("sms_daily_cap", before.Caps.SMSPerDay, after.Caps.SMSPerDay)
	c.Diff("email_daily_cap", before.Caps.EmailsPerDay, after.Caps.EmailsPerDay)
	c.Diff("recipient_daily_cap", before.Caps.PerRecipientPerDay, after.Caps.PerRecipientPerDay)
	c.Diff("repeat_days", before.RepeatDays, after.RepeatDays)
	c.Diff("sender_mode", before.SenderMode, after.SenderMode)
	return c
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
