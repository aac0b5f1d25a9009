// Package fixtext repairs broken Unicode text: UTF-8 mojibake (including
// double encoding and text that is only partly mojibake), C1 control
// characters, HTML entities left in text, terminal escapes, lone
// surrogates, control and zero-width characters.
//
// The repair follows ftfy 6 (rspeer/python-ftfy, ftfy/__init__.py,
// fixes.py, badness.py, chardata.py), re-implemented: nothing is changed in
// text that does not look like mojibake. Fix works line by line, as ftfy's
// fix_text does, so one broken line does not decide for its neighbours.
package fixtext

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Options switches the individual fixes. The defaults (DefaultOptions)
// match datatrove's FTFYFormatter (huggingface/datatrove,
// src/datatrove/pipeline/formatters/ftfy.py): width folding, quote
// uncurling and ligature splitting are off because they damage CJK and
// typographic text.
type Options struct {
	UnescapeHTML          bool // &amp; &eacute; &#233; to characters, unless the line holds '<'
	RemoveTerminalEscapes bool // ANSI escape sequences such as ESC[31m
	FixEncoding           bool // UTF-8 mojibake, restore_byte_a0, lossy sequences, inconsistent UTF-8
	FixC1Controls         bool // U+0080..U+009F read as Windows-1252
	FixSurrogates         bool // CESU-8 surrogate pairs joined; lone surrogates and invalid UTF-8 to U+FFFD
	RemoveControlChars    bool // C0 controls but \t \n \f \r, DEL, BOM, U+200B, U+2060, deprecated format chars, U+FFF9..U+FFFC; ZWJ/ZWNJ kept inside words
	FixLineBreaks         bool // \r\n, \r, U+2028, U+2029, U+0085 to \n
	FixLatinLigatures     bool // ﬁ to fi and the like
	FixCharacterWidth     bool // full-width and half-width forms to normal width
	UncurlQuotes          bool // ‘ ’ “ ” to ' and "
	NFC                   bool // Unicode normalisation form C
}

// DefaultOptions returns the fixes on by default.
func DefaultOptions() Options {
	return Options{
		UnescapeHTML:          true,
		RemoveTerminalEscapes: true,
		FixEncoding:           true,
		FixC1Controls:         true,
		FixSurrogates:         true,
		RemoveControlChars:    true,
		FixLineBreaks:         true,
	}
}

// FTFYOptions returns the fixes that ftfy's fix_text applies by default,
// for comparing with ftfy's expected output.
func FTFYOptions() Options {
	o := DefaultOptions()
	o.FixLatinLigatures = true
	o.FixCharacterWidth = true
	o.UncurlQuotes = true
	o.NFC = true
	return o
}

// Fix applies the fixes in opts to s, line by line, until the text stops
// changing. The result is valid UTF-8.
func Fix(s string, opts Options) string {
	out, _ := fix(s, opts, false)
	return out
}

// fix is Fix; with keep it also returns the output line by line (each
// with its '\n'), one for each line of the text after line-break repair.
func fix(s string, opts Options, keep bool) (string, []string) {
	if opts.FixSurrogates {
		s = fixSurrogates(s)
	} else if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if opts.FixLineBreaks {
		s = fixLineBreaks(s, opts.FixC1Controls)
	}
	var lines []string
	if isASCII(s) && !strings.ContainsAny(s, "&\x1b") && !hasControl(s) {
		if keep {
			for line := range strings.SplitAfterSeq(s, "\n") {
				if line != "" {
					lines = append(lines, line)
				}
			}
		}
		return s, lines
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		line := s
		if i >= 0 {
			line, s = s[:i+1], s[i+1:]
		} else {
			s = ""
		}
		out := FixLine(line, opts)
		if keep {
			lines = append(lines, out)
		}
		sb.WriteString(out)
	}
	return sb.String(), lines
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' && c != '\t' && c != '\r' && c != '\f' || c == 0x7f {
			return true
		}
	}
	return false
}

// FixLine applies the fixes to one line (or any segment) until it stops
// changing.
func FixLine(s string, opts Options) string {
	unescape := opts.UnescapeHTML && !strings.Contains(s, "<")
	for range maxEncodingSteps {
		orig := s
		if unescape {
			s = unescapeHTML(s)
		}
		if opts.FixEncoding {
			s = FixEncoding(s)
		}
		if opts.FixC1Controls {
			s = fixC1Controls(s)
		}
		if opts.FixLatinLigatures {
			s = ligatures.Replace(s)
		}
		if opts.FixCharacterWidth {
			s = fixWidth(s)
		}
		if opts.UncurlQuotes {
			s = quotes.Replace(s)
		}
		if opts.RemoveTerminalEscapes && strings.IndexByte(s, 0x1b) >= 0 {
			s = terminalEscapeRE.ReplaceAllString(s, "")
		}
		if opts.RemoveControlChars {
			s = removeControlChars(s)
		}
		if opts.NFC && !norm.NFC.IsNormalString(s) {
			s = norm.NFC.String(s)
		}
		if s == orig {
			break
		}
	}
	return s
}

var htmlEntityRE = regexp.MustCompile(`&#?[0-9A-Za-z]{1,24};`)

// unescapeHTML decodes HTML entities that end in ';' (ftfy
// fixes.unescape_html). An all-capitals named entity of a single lowercase
// letter (&NTILDE;) is decoded to the capital letter.
func unescapeHTML(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return htmlEntityRE.ReplaceAllStringFunc(s, func(m string) string {
		u := html.UnescapeString(m)
		if u != m {
			if strings.HasPrefix(m, "&#") && strings.Contains(u, ";") {
				return m
			}
			return u
		}
		if m[1] != '#' && strings.ToUpper(m) == m {
			lower := html.UnescapeString(strings.ToLower(m))
			if lower != strings.ToLower(m) && utf8.RuneCountInString(lower) == 1 {
				return strings.ToUpper(lower)
			}
		}
		return m
	})
}

var terminalEscapeRE = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

var ligatures = strings.NewReplacer(
	"Ĳ", "IJ", "ĳ", "ij", "ŉ", "ʼn", "Ǳ", "DZ", "ǲ", "Dz", "ǳ", "dz",
	"Ǆ", "DŽ", "ǅ", "Dž", "ǆ", "dž", "Ǉ", "LJ", "ǈ", "Lj", "ǉ", "lj",
	"Ǌ", "NJ", "ǋ", "Nj", "ǌ", "nj", "ﬀ", "ff", "ﬁ", "fi", "ﬂ", "fl",
	"ﬃ", "ffi", "ﬄ", "ffl", "ﬅ", "ſt", "ﬆ", "st",
)

var quotes = strings.NewReplacer(
	"\u02bc", "'", "\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'",
	"\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u201f", `"`,
)

// fixWidth folds U+FF01..U+FFEF to their NFKC forms and U+3000 to a space.
func fixWidth(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == 0x3000 || r >= 0xff01 && r < 0xfff0 }) {
		return s
	}
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r == 0x3000:
			sb.WriteByte(' ')
		case r >= 0xff01 && r < 0xfff0:
			sb.WriteString(norm.NFKC.String(string(r)))
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

var (
	lineBreaks     = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n", "\u0085", "\n")
	lineBreaksNoC1 = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n")
)

// fixLineBreaks turns every line break into \n. U+0085 counts as one only
// when C1 controls are not being read as Windows-1252 (where it is "…").
func fixLineBreaks(s string, c1 bool) string {
	if !hasBreak(s, c1) {
		return s
	}
	if c1 {
		return lineBreaksNoC1.Replace(s)
	}
	return lineBreaks.Replace(s)
}

// hasBreak reports whether s holds '\r', U+2028, U+2029 or (unless c1)
// U+0085. It looks at bytes, because strings.ContainsAny with non-ASCII
// characters decodes every rune; a lead byte is never part of an earlier
// character, so a byte match is a character match even in invalid UTF-8.
func hasBreak(s string, c1 bool) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r':
			return true
		case 0xe2: // U+2028, U+2029: E2 80 A8, E2 80 A9
			if i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9) {
				return true
			}
		case 0xc2: // U+0085: C2 85
			if !c1 && i+1 < len(s) && s[i+1] == 0x85 {
				return true
			}
		}
	}
	return false
}

// fixSurrogates makes s valid UTF-8: CESU-8 encoded surrogate pairs become
// the character they encode; lone surrogates and other invalid bytes
// become U+FFFD.
func fixSurrogates(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || n > 1 {
			sb.WriteString(s[i : i+n])
			i += n
			continue
		}
		if out, ok := decodeUTF8Variants([]byte(s[i:min(i+6, len(s))])); ok && s[i] == 0xed && len(s)-i >= 6 {
			sb.WriteString(out)
			i += 6
			continue
		}
		if s[i] == 0xed && len(s)-i >= 3 && s[i+1] >= 0xa0 && s[i+1] <= 0xbf && s[i+2] >= 0x80 && s[i+2] <= 0xbf {
			sb.WriteRune(utf8.RuneError)
			i += 3
			continue
		}
		sb.WriteRune(utf8.RuneError)
		i++
	}
	return sb.String()
}

// isControl reports the characters removeControlChars drops (ftfy
// chardata.CONTROL_CHARS plus U+200B ZERO WIDTH SPACE and U+2060 WORD
// JOINER).
func isControl(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\t' && r != '\n' && r != '\f' && r != '\r'
	case r == 0x7f, r == 0xfeff, r == 0x200b, r == 0x2060:
		return true
	case r >= 0x206a && r <= 0x206f, r >= 0xfff9 && r <= 0xfffc:
		return true
	}
	return false
}

// removeControlChars drops control, zero-width and BOM characters. ZWJ
// (U+200D) and ZWNJ (U+200C) stay between two non-ASCII letters, marks or
// symbols (Persian and Indic words, emoji sequences) and go elsewhere.
func removeControlChars(s string) string {
	if !hasControlOrJoiner(s) {
		return s
	}
	var sb strings.Builder
	var prev rune = -1
	for i, r := range s {
		if isControl(r) {
			continue
		}
		if r == 0x200c || r == 0x200d {
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			if !joinable(prev) || !joinable(next) {
				continue
			}
		}
		sb.WriteRune(r)
		prev = r
	}
	return sb.String()
}

// hasControlOrJoiner reports whether s holds a character isControl
// accepts, ZWNJ or ZWJ. It looks at bytes (see hasBreak): C0 controls but
// \t \n \f \r, DEL, and the UTF-8 forms E2 80 8B..8D (U+200B..U+200D),
// E2 81 A0 (U+2060), E2 81 AA..AF (U+206A..U+206F), EF BB BF (U+FEFF) and
// EF BF B9..BC (U+FFF9..U+FFFC).
func hasControlOrJoiner(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20:
			if c != '\t' && c != '\n' && c != '\f' && c != '\r' {
				return true
			}
		case c == 0x7f:
			return true
		case c == 0xe2 && i+2 < len(s):
			b1, b2 := s[i+1], s[i+2]
			if b1 == 0x80 && b2 >= 0x8b && b2 <= 0x8d || b1 == 0x81 && (b2 == 0xa0 || b2 >= 0xaa && b2 <= 0xaf) {
				return true
			}
		case c == 0xef && i+2 < len(s):
			b1, b2 := s[i+1], s[i+2]
			if b1 == 0xbb && b2 == 0xbf || b1 == 0xbf && b2 >= 0xb9 && b2 <= 0xbc {
				return true
			}
		}
	}
	return false
}

func joinable(r rune) bool {
	return r >= 0x80 && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.So, r) || r == 0xfe0f)
}
