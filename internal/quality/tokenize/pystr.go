package tokenize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The reference filters are written in Python; their statistics depend on
// Python's definitions of whitespace, letters and lines, which differ from
// Go's in a few code points. The helpers below reproduce CPython 3 str
// semantics so that counts match the reference implementations exactly.

// IsSpace reports whether r is whitespace for Python's str.isspace,
// str.split() and str.strip(): Go's unicode.IsSpace plus the ASCII
// information separators U+001C..U+001F.
func IsSpace(r rune) bool {
	if r < 0x80 {
		return r == ' ' || (r >= '\t' && r <= '\r') || (r >= 0x1c && r <= 0x1f)
	}
	return unicode.IsSpace(r)
}

// IsAlpha reports whether r is alphabetic for Python's str.isalpha: the
// Unicode letter categories Lu, Ll, Lt, Lm and Lo. It is true for Han,
// kana, Hangul and Thai letters.
func IsAlpha(r rune) bool {
	if r < 0x80 {
		return (r|0x20) >= 'a' && (r|0x20) <= 'z'
	}
	return unicode.IsLetter(r)
}

// IsWordChar reports whether r matches Python's Unicode \w: letters,
// numbers and the underscore (combining marks are not \w in Python).
func IsWordChar(r rune) bool {
	if r < 0x80 {
		return r == '_' || (r >= '0' && r <= '9') || (r|0x20) >= 'a' && (r|0x20) <= 'z'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// Fields splits s around runs of Python whitespace, like Python's
// str.split() with no arguments. It returns nil for a blank s.
func Fields(s string) []string {
	return strings.FieldsFunc(s, IsSpace)
}

// CountFields returns len(Fields(s)) without allocating.
func CountFields(s string) int {
	n := 0
	in := false
	for _, r := range s {
		if IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}

// TrimSpace strips leading and trailing Python whitespace, like str.strip().
func TrimSpace(s string) string { return strings.TrimFunc(s, IsSpace) }

// TrimLeftSpace is Python's str.lstrip().
func TrimLeftSpace(s string) string { return strings.TrimLeftFunc(s, IsSpace) }

// TrimRightSpace is Python's str.rstrip().
func TrimRightSpace(s string) string { return strings.TrimRightFunc(s, IsSpace) }

// Len returns the length of s in code points, Python's len(str).
func Len(s string) int { return utf8.RuneCountInString(s) }

// isLineBoundary reports the single-rune line boundaries of Python's
// str.splitlines: \n \r \v \f \x1c \x1d \x1e \x85 \u2028 \u2029 (\r\n is
// handled by the caller).
func isLineBoundary(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// SplitLines splits s like Python's str.splitlines(): on \n, \r, \r\n, \v,
// \f, \x1c, \x1d, \x1e, \x85, \u2028 and \u2029, without keeping the
// boundaries. A trailing boundary does not start an empty last line, and
// an empty s gives no lines.
func SplitLines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isLineBoundary(r) {
			i += size
			continue
		}
		lines = append(lines, s[start:i])
		i += size
		if r == '\r' && i < len(s) && s[i] == '\n' {
			i++
		}
		start = i
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

// HasAlpha reports whether any rune of s is alphabetic (IsAlpha).
func HasAlpha(s string) bool {
	for _, r := range s {
		if IsAlpha(r) {
			return true
		}
	}
	return false
}
