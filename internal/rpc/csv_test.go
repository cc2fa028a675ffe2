package rpc

import "testing"

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"":            "",
		"Jean Dupont": "Jean Dupont",
		`=HYPERLINK("http://evil.example","click")`: `'=HYPERLINK("http://evil.example","click")`,
		`=cmd|' /C calc'!A0`:                        `'=cmd|' /C calc'!A0`,
		"+33612345678":                              "+33612345678", // a phone number is a number
		"+1+cmd|' /C calc'!A0":                      "'+1+cmd|' /C calc'!A0",
		"-2+3":                                      "'-2+3",
		"@SUM(A1:A9)":                               "'@SUM(A1:A9)",
		"\t=1+1":                                    "'\t=1+1",
		"\r=1+1":                                    "'\r=1+1",
		"-5":                                        "-5",
		"-2,5":                                      "-2,5",
		"-2.5":                                      "-2.5",
		"+7":                                        "+7",
		"-":                                         "'-",
		"-.5":                                       "'-.5",
		"-5.":                                       "'-5.",
		"-1,000,000":                                "'-1,000,000",
		"--5":                                       "'--5",
		"-Inf":                                      "'-Inf",
		"-0x1p3":                                    "'-0x1p3",
		"42":                                        "42",
		"a=b":                                       "a=b",
		"'=already quoted":                          "'=already quoted",
	} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
}
