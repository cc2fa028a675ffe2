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
