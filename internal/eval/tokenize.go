package eval

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// isWordRune reports whether r matches Python 3's `\w` for str patterns:
// str.isalnum() or '_'. isalnum is isalpha (categories Lu, Ll, Lt, Lm, Lo)
// or isnumeric (Nd, Nl, No and a few Lo ideographs that are letters here
// anyway), so \p{L} ∪ \p{N} ∪ {_}. Combining marks (Mn, Mc) are not word
// characters in Python, and are not here.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// Words returns the tokens of Python's re.findall(r'\w+', s): maximal
// runs of word characters (see isWordRune). Invalid UTF-8 bytes are not
// word characters. The tokens are substrings of s.
func Words(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		w := r != utf8.RuneError && isWordRune(r)
		switch {
		case w && start < 0:
			start = i
		case !w && start >= 0:
			out = append(out, s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// pyLower lower-cases s as Python's str.lower does, for what matters to
// \w tokens: U+0130 (capital I with dot above) becomes "i\u0307" (Unicode
// SpecialCasing), which \w then splits, where Go's strings.ToLower gives a
// plain "i". Python's final-sigma rule (Σ → ς at the end of a word) is not
// reproduced: it maps a word to the same token on both sides of a
// comparison, so it changes no count.
func pyLower(s string) string {
	if strings.ContainsRune(s, '\u0130') {
		s = strings.ReplaceAll(s, "\u0130", "i\u0307")
	}
	return strings.ToLower(s)
}
