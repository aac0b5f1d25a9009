package fixtext

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxEncodingSteps bounds the re-decoding loop. Each step shortens the text
// (a multi-byte sequence becomes one character), so the loop ends anyway;
// the bound keeps adversarial input cheap.
const maxEncodingSteps = 16

// FixEncoding undoes UTF-8 that was decoded with a single-byte code page
// (Latin-1, Windows-1250 to 1257, ISO 8859-2, MacRoman, CP437), repeating
// while the text still looks like mojibake, so double encoding is undone
// too. Text that does not look like mojibake (IsBad false) is returned
// unchanged.
//
// One step follows ftfy's fix_one_step_and_explain (rspeer/python-ftfy,
// ftfy/__init__.py): for each candidate code page that can encode the whole
// text, encode it, put back 0xA0 bytes that became spaces (restore_byte_a0),
// turn sequences that lost a byte into U+FFFD (sloppy code pages only), and
// accept the first result that decodes as UTF-8 (or CESU-8 / Java's
// modified UTF-8). Failing that, mojibake embedded in otherwise correct text
// is fixed piecewise (decode_inconsistent_utf8), and C1 control characters
// are read as Windows-1252.
func FixEncoding(s string) string {
	for range maxEncodingSteps {
		next := fixEncodingStep(s)
		if next == s {
			return s
		}
		s = next
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func fixEncodingStep(s string) string {
	if s == "" || isASCII(s) || !IsBad(s) {
		return s
	}
	var buf []byte
	for _, c := range candidates {
		var ok bool
		buf, ok = c.encodeString(s, buf)
		if !ok {
			continue
		}
		b := buf
		// Not for MacRoman, where an en dash and a space would match.
		if c.name != "macroman" && alteredUTF8RE.Match(b) {
			b = restoreByteA0(b)
		}
		if strings.HasPrefix(c.name, "sloppy") {
			b = lossyUTF8RE.ReplaceAll(b, []byte("\x1a"))
		}
		if fixed, ok := decodeUTF8Variants(b); ok {
			return fixed
		}
	}
	if utf8DetectorRE.MatchString(s) {
		if fixed := decodeInconsistentUTF8(s); fixed != s {
			return fixed
		}
	}
	// What remains with C1 control characters is Latin-1 meant as
	// Windows-1252: nobody means C1 controls.
	return fixC1Controls(s)
}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

// fixC1Controls replaces each C1 control character with the character its
// byte has in Windows-1252; bytes Windows-1252 leaves undefined stay.
func fixC1Controls(s string) string {
	if !hasC1(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isC1(r) {
			return windows1252.decode[r]
		}
		return r
	}, s)
}

// hasC1 reports whether s holds a C1 control character (C2 80..C2 9F in
// UTF-8), looking at bytes as hasBreak does.
func hasC1(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == 0xc2 && s[i+1] >= 0x80 && s[i+1] <= 0x9f {
			return true
		}
	}
	return false
}

// alteredUTF8RE finds UTF-8 sequences that would be valid but for a 0xA0
// byte that became a plain space (ftfy chardata.ALTERED_UTF8_RE). Only lead
// bytes that give likely characters are accepted.
var alteredUTF8RE = latin1Regexp(
	`[\xc2\xc3\xc5\xce\xd0\xd9] ` +
		`|[\xe2\xe3] [\x80-\x84\x86-\x9f\xa1-\xbf]` +
		`|[\xe0-\xe3][\x80-\x84\x86-\x9f\xa1-\xbf] ` +
		`|\xf0 [\x80-\xbf][\x80-\xbf]` +
		`|\xf0[\x80-\xbf] [\x80-\xbf]` +
		`|\xf0[\x80-\xbf][\x80-\xbf] `)

// Go's regexp matches runes of UTF-8 text, so the byte patterns here are
// applied to a Latin-1 view of the bytes (one rune per byte).

// byteRegexp matches a byte pattern against byte slices by mapping every
// byte to the rune of the same value.
type byteRegexp struct{ re *regexp.Regexp }

func latin1Regexp(pattern string) *byteRegexp {
	return &byteRegexp{re: regexp.MustCompile(pattern)}
}

func toRunes(b []byte) (string, []int) {
	var sb strings.Builder
	offs := make([]int, 0, len(b)+1)
	for _, c := range b {
		offs = append(offs, sb.Len())
		sb.WriteRune(rune(c))
	}
	offs = append(offs, sb.Len())
	return sb.String(), offs
}

func fromRunes(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = append(out, byte(r))
	}
	return out
}

func (r *byteRegexp) Match(b []byte) bool {
	s, _ := toRunes(b)
	return r.re.MatchString(s)
}

func (r *byteRegexp) ReplaceAllFunc(b []byte, f func([]byte) []byte) []byte {
	s, _ := toRunes(b)
	out := r.re.ReplaceAllStringFunc(s, func(m string) string {
		rep := f(fromRunes(m))
		var sb strings.Builder
		for _, c := range rep {
			sb.WriteRune(rune(c))
		}
		return sb.String()
	})
	return fromRunes(out)
}

func (r *byteRegexp) ReplaceAll(b []byte, rep []byte) []byte {
	return r.ReplaceAllFunc(b, func([]byte) []byte { return rep })
}

func (r *byteRegexp) String() string { return r.re.String() }

// lossyUTF8RE finds UTF-8 and CESU-8 sequences that lost continuation
// bytes; 0x1A marks a byte that had become U+FFFD, and '?' is accepted once
// in its place (ftfy chardata.LOSSY_UTF8_RE). Each match becomes U+FFFD.
var lossyUTF8RE = latin1Regexp(
	`[\xc2-\xdf]\x1a` +
		`|[\xc2-\xc3][?]` +
		`|\xed[\xa0-\xaf][\x1a?]\xed[\xb0-\xbf][\x1a?\x80-\xbf]` +
		`|\xed[\xa0-\xaf][\x1a?\x80-\xbf]\xed[\xb0-\xbf][\x1a?]` +
		`|[\xe0-\xef][\x1a?][\x1a\x80-\xbf]` +
		`|[\xe0-\xef][\x1a\x80-\xbf][\x1a?]` +
		`|[\xf0-\xf4][\x1a?][\x1a\x80-\xbf][\x1a\x80-\xbf]` +
		`|[\xf0-\xf4][\x1a\x80-\xbf][\x1a?][\x1a\x80-\xbf]` +
		`|[\xf0-\xf4][\x1a\x80-\xbf][\x1a\x80-\xbf][\x1a?]` +
		`|\x1a`)

// restoreByteA0 puts back 0xA0 bytes that became spaces inside UTF-8
// sequences (ftfy fixes.restore_byte_a0). "à" followed by a space is its
// own word in French and Portuguese, so "\xc3 " there becomes "\xc3\xa0 ",
// keeping the space, unless a common continuation follows.
func restoreByteA0(b []byte) []byte {
	b = aGraveWord(b)
	return alteredUTF8RE.ReplaceAllFunc(b, func(m []byte) []byte {
		out := append([]byte(nil), m...)
		for i, c := range out {
			if c == ' ' {
				out[i] = 0xa0
			}
		}
		return out
	})
}

// decodeUTF8Variants decodes b as UTF-8, also accepting CESU-8 surrogate
// pairs (ED A0-AF xx ED B0-BF xx) and Java's C0 80 for U+0000. A lone
// surrogate becomes U+FFFD. Byte 0x1A, which stands for a lost byte, decodes
// as U+FFFD. ok is false for anything else that is not UTF-8.
func decodeUTF8Variants(b []byte) (string, bool) {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0x1a {
			sb.WriteRune(0xFFFD)
			i++
			continue
		}
		if c < 0x80 {
			sb.WriteByte(c)
			i++
			continue
		}
		if c == 0xc0 && i+1 < len(b) && b[i+1] == 0x80 {
			sb.WriteByte(0)
			i += 2
			continue
		}
		if c == 0xed && i+2 < len(b) && b[i+1] >= 0xa0 && b[i+1] <= 0xbf && b[i+2] >= 0x80 && b[i+2] <= 0xbf {
			hi := rune(b[i+1]&0x3f)<<6 | rune(b[i+2]&0x3f) | 0xd000
			if hi < 0xdc00 && i+5 < len(b) && b[i+3] == 0xed && b[i+4] >= 0xb0 && b[i+4] <= 0xbf && b[i+5] >= 0x80 && b[i+5] <= 0xbf {
				lo := rune(b[i+4]&0x3f)<<6 | rune(b[i+5]&0x3f) | 0xd000
				sb.WriteRune(0x10000 + (hi-0xd800)<<10 + (lo - 0xdc00))
				i += 6
				continue
			}
			sb.WriteRune(0xFFFD)
			i += 3
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return "", false
		}
		sb.WriteRune(r)
		i += n
	}
	return sb.String(), true
}

// UTF-8 detection classes (ftfy chardata.UTF8_CLUES): the characters that
// lead bytes and continuation bytes of UTF-8 turn into under the Latin-1
// and Windows code pages. A space may stand for a continuation byte 0xA0.
var utf8DetectorRE, utf8ContinuationStrict = func() (*regexp.Regexp, map[rune]bool) {
	class := func(rs []rune, extra string) string {
		var sb strings.Builder
		sb.WriteByte('[')
		for _, r := range rs {
			sb.WriteString(`\x{` + strings.ToLower(strings.TrimLeft(hex(r), "0")) + `}`)
		}
		sb.WriteString(extra)
		sb.WriteByte(']')
		return sb.String()
	}
	cont := charsOf(0x80, 0xbf)
	first2 := class(charsOf(0xc2, 0xdf), "")
	first3 := class(charsOf(0xe0, 0xef), "")
	first4 := class(charsOf(0xf0, 0xf4), "")
	c := class(cont, " ")
	re := regexp.MustCompile(`(?:` + first2 + c + `|` + first3 + c + `{2}|` + first4 + c + `{3})+`)
	// Strict continuation characters exclude those that often stand for
	// themselves next to mojibake: spaces, dashes, bullets, quotation marks
	// and ellipses outside Latin-1.
	strict := map[rune]bool{}
	for _, r := range cont {
		if !strings.ContainsRune("\u2013\u2014\u2022\u2018\u2019\u201a\u201c\u201d\u201e\u2026", r) {
			strict[r] = true
		}
	}
	for r := rune(0x80); r <= 0xbf; r++ {
		strict[r] = true
	}
	return re, strict
}()

func hex(r rune) string {
	const digits = "0123456789abcdef"
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = digits[r&0xf]
		r >>= 4
	}
	s := strings.TrimLeft(string(b[:]), "0")
	if s == "" {
		return "0"
	}
	return s
}

// decodeInconsistentUTF8 fixes runs of UTF-8 mojibake inside text that is
// otherwise correct, each run on its own (ftfy fixes.decode_inconsistent_utf8).
// A run right after a continuation-like character is left alone, so a few
// characters are not "fixed" in the middle of a larger garble.
func decodeInconsistentUTF8(s string) string {
	locs := utf8DetectorRE.FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	var sb strings.Builder
	last := 0
	for _, loc := range locs {
		if loc[0] > 0 {
			prev, _ := utf8.DecodeLastRuneInString(s[:loc[0]])
			if utf8ContinuationStrict[prev] {
				continue
			}
		}
		sub := s[loc[0]:loc[1]]
		if len(sub) >= len(s) || !IsBad(sub) {
			continue
		}
		sb.WriteString(s[last:loc[0]])
		sb.WriteString(FixEncoding(sub))
		last = loc[1]
	}
	sb.WriteString(s[last:])
	return sb.String()
}

// aGraveWord rewrites "\xc3 " to "\xc3\xa0 " unless another space or
// "quele", "quela", "quilo", "s " follows (ftfy chardata.A_GRAVE_WORD_RE).
func aGraveWord(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i+1 < len(b); i++ {
		if b[i] != 0xc3 || b[i+1] != ' ' {
			continue
		}
		rest := b[i+2:]
		if len(rest) > 0 && rest[0] == ' ' ||
			bytes.HasPrefix(rest, []byte("quele")) || bytes.HasPrefix(rest, []byte("quela")) ||
			bytes.HasPrefix(rest, []byte("quilo")) || bytes.HasPrefix(rest, []byte("s ")) {
			continue
		}
		out = append(out, b[last:i]...)
		out = append(out, 0xc3, 0xa0, ' ')
		last = i + 2
		i++
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}
