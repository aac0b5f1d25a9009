package pii

import "regexp"

// Phone number patterns (Config.Phones).
//
// North American Numbering Plan: an optional "+1" or "1" country code, a
// three-digit area code in parentheses or not, a three-digit exchange and
// a four-digit line number, as in dolma's US phone tagger
// (allenai/dolma python/dolma/taggers/pii.py L56-60:
// `\(?(\d{3})\)?[-\. ]*(\d{3})[-. ]?(\d{4})`). winnow is stricter than
// dolma so that bare digit runs (order numbers, timestamps) are not
// phones: area code and exchange start with 2-9 (NANP rules) and the
// exchange and line number must be separated by '-', '.' or ' '.
//
// International: '+', a country code of 1-3 digits not starting with 0,
// then groups of 1-4 digits (a group may sit in parentheses) separated by single spaces, '-' or '.',
// 8 to 15 digits in all (ITU-T E.164 allows at most 15).
var (
	nanpRE = regexp.MustCompile(`^(?:\+?1[-. ]?)?(?:\([2-9][0-9]{2}\)[-. ]?|[2-9][0-9]{2}[-. ]?)[2-9][0-9]{2}[-. ][0-9]{4}`)
	intlRE = regexp.MustCompile(`^\+[1-9][0-9]{0,2}(?:[-. ]?\(?[0-9]{1,4}\)?){2,6}`)
)

// phoneStart checks the character before s.
func phoneStart(text string, s int) bool {
	if wordBefore(text, s) {
		return false
	}
	return s == 0 || (text[s-1] != '+' && text[s-1] != '.' && text[s-1] != '-' && text[s-1] != '/')
}

// maxPhone bounds the window the anchored patterns run on.
const maxPhone = 40

// findPhones returns the phone numbers of text, in order. A match must
// not touch a letter, digit, '_', '+' or '.'-digit on either side: the
// boundary checks are zero-width. The patterns run anchored at each
// position that can open a number ('+', '(' or a digit after a
// boundary), an international number first.
func findPhones(text string) []Match {
	if !hasDigits(text, 7) {
		return nil
	}
	var ms []Match
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '+' && c != '(' && !isDigit(c) {
			continue
		}
		if !phoneStart(text, i) {
			continue
		}
		w := text[i:min(len(text), i+maxPhone)]
		var loc []int
		if c == '+' {
			if l := intlRE.FindStringIndex(w); l != nil {
				if n := digits(w[:l[1]]); n >= 8 && n <= 15 && phoneBoundary(text, i, i+l[1]) {
					loc = l
				}
			}
		}
		if loc == nil {
			if l := nanpRE.FindStringIndex(w); l != nil && phoneBoundary(text, i, i+l[1]) {
				loc = l
			}
		}
		if loc != nil {
			ms = append(ms, Match{i, i + loc[1], Phone})
			i += loc[1] - 1
		}
	}
	return ms
}

// phoneBoundary checks the characters before s and after e.
func phoneBoundary(text string, s, e int) bool {
	if !phoneStart(text, s) || wordAfter(text, e) {
		return false
	}
	if e+1 < len(text) && (text[e] == '.' || text[e] == '-' || text[e] == '/') && isDigit(text[e+1]) {
		return false
	}
	return true
}

func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

// hasDigits is a cheap pre-check: at least min digits in the text.
func hasDigits(text string, min int) bool {
	n := 0
	for i := 0; i < len(text); i++ {
		if isDigit(text[i]) {
			n++
			if n >= min {
				return true
			}
		}
	}
	return false
}
