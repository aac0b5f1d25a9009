package decontam

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// punctuation is datatrove's PUNCTUATION (src/datatrove/utils/text.py):
// the listed characters plus the control characters 0-8, 11-12, 13-31
// and 127-159 (tab and newline are whitespace, not punctuation).
var punctuation = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»" {
		m[r] = true
	}
	for _, rg := range [][2]rune{{0, 9}, {11, 13}, {13, 32}, {127, 160}} {
		for r := rg[0]; r < rg[1]; r++ {
			m[r] = true
		}
	}
	return m
}()

// asciiPunct is punctuation for bytes below 0x80, as a lookup table.
var asciiPunct = func() (t [128]bool) {
	for r := range punctuation {
		if r < 128 {
			t[r] = true
		}
	}
	return t
}()

func isPunct(r rune) bool {
	if r < 128 {
		return asciiPunct[r]
	}
	return punctuation[r]
}

// decimalSeparators may join two digit runs into one number.
const decimalSeparators = ".,،٫⎖⎗⎘"

// Normalize is datatrove's simplify_text with its default TextNormConfig
// (src/datatrove/utils/text.py), step by step:
//
//  1. lowercase (Unicode);
//  2. every number — a run of decimal digits (Unicode Nd), optionally
//     one separator of ".,،٫⎖⎗⎘" and a second run — becomes "0";
//  3. every character of datatrove's PUNCTUATION becomes a space;
//  4. runs of white space become one space, and the ends are trimmed;
//  5. NFD decomposition, then every nonspacing mark (Mn) is removed.
//
// "The café costs 3.50€ — or 1,000,000 yen…" becomes
// "the cafe costs 0€ or 0 0 yen".
func Normalize(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	space := true // at start: drop leading space
	ascii := true
	emit := func(r rune) {
		if unicode.IsSpace(r) || isPunct(r) {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			return
		}
		if r >= utf8.RuneSelf {
			ascii = false
		}
		b.WriteRune(r)
		space = false
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		} else {
			r = unicode.ToLower(r)
		}
		if unicode.IsDigit(r) {
			i = skipDigits(text, i)
			if j := i; j < len(text) {
				sep, m := utf8.DecodeRuneInString(text[j:])
				if strings.ContainsRune(decimalSeparators, sep) && j+m < len(text) {
					if d, _ := utf8.DecodeRuneInString(text[j+m:]); unicode.IsDigit(d) {
						i = skipDigits(text, j+m)
					}
				}
			}
			emit('0')
			continue
		}
		emit(r)
		i += n
	}
	s := strings.TrimSuffix(b.String(), " ")
	if ascii {
		return s
	}
	// NFD, then drop nonspacing marks. Removing a mark can leave no
	// spaces to collapse: marks never stand between two spaces in a
	// well-formed text, and a lone one is trimmed below.
	d := norm.NFD.String(s)
	var o strings.Builder
	o.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			o.WriteRune(r)
		}
	}
	return strings.TrimSpace(o.String())
}

// skipDigits returns the end of the run of decimal digits at i.
func skipDigits(text string, i int) int {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsDigit(r) {
			break
		}
		i += n
	}
	return i
}
