package rpc

import "strings"

// formulaStart lists the characters that make a spreadsheet read a cell as a formula (OWASP's
// CSV-injection rule): `=`, `+`, `-`, `@`, tab and carriage return.
const formulaStart = "=+-@\t\r"

// safeCell returns a CSV cell that a spreadsheet shows as the text it is: a cell starting with
// one of formulaStart gets a leading single quote, so `=HYPERLINK(…)` stays text. A plain
// number such as "-5" or "-2,5" is left alone: it is a number, not a formula, and columns of
// figures must stay figures. Every cell of an export goes through it, whoever wrote the text.
func safeCell(s string) string {
	if s == "" || !strings.ContainsRune(formulaStart, rune(s[0])) || plainNumber(s) {
		return s
	}
	return "'" + s
}

// plainNumber reports whether s is a sign, digits, and at most one decimal point or comma
// followed by digits.
func plainNumber(s string) bool {
	s = strings.TrimLeft(s[:1], "+-") + s[1:]
	digits, sep := 0, false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case (r == '.' || r == ',') && !sep && i > 0 && i < len(s)-1:
			sep = true
		default:
			return false
		}
	}
	return digits > 0
}
