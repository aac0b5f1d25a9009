package fixtext

import (
	"bytes"
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
		if c.name != "macroman" && alteredUTF8.match(b) {
			b = restoreByteA0(b)
		}
		if strings.HasPrefix(c.name, "sloppy") {
			b = lossyUTF8.replaceAll(b, func([]byte) []byte { return []byte{0x1a} })
		}
		if fixed, ok := decodeUTF8Variants(b); ok {
			return fixed
		}
	}
	if findUTF8Runs(s, true) != nil {
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

// alteredUTF8Pattern finds UTF-8 sequences that would be valid but for a
// 0xA0 byte that became a plain space (ftfy chardata.ALTERED_UTF8_RE).
// Only lead bytes that give likely characters are accepted.
const alteredUTF8Pattern = `[\xc2\xc3\xc5\xce\xd0\xd9] ` +
	`|[\xe2\xe3] [\x80-\x84\x86-\x9f\xa1-\xbf]` +
	`|[\xe0-\xe3][\x80-\x84\x86-\x9f\xa1-\xbf] ` +
	`|\xf0 [\x80-\xbf][\x80-\xbf]` +
	`|\xf0[\x80-\xbf] [\x80-\xbf]` +
	`|\xf0[\x80-\xbf][\x80-\xbf] `

// lossyUTF8Pattern finds UTF-8 and CESU-8 sequences that lost continuation
// bytes; 0x1A marks a byte that had become U+FFFD, and '?' is accepted once
// in its place (ftfy chardata.LOSSY_UTF8_RE). Each match becomes U+FFFD.
const lossyUTF8Pattern = `[\xc2-\xdf]\x1a` +
	`|[\xc2-\xc3][?]` +
	`|\xed[\xa0-\xaf][\x1a?]\xed[\xb0-\xbf][\x1a?\x80-\xbf]` +
	`|\xed[\xa0-\xaf][\x1a?\x80-\xbf]\xed[\xb0-\xbf][\x1a?]` +
	`|[\xe0-\xef][\x1a?][\x1a\x80-\xbf]` +
	`|[\xe0-\xef][\x1a\x80-\xbf][\x1a?]` +
	`|[\xf0-\xf4][\x1a?][\x1a\x80-\xbf][\x1a\x80-\xbf]` +
	`|[\xf0-\xf4][\x1a\x80-\xbf][\x1a?][\x1a\x80-\xbf]` +
	`|[\xf0-\xf4][\x1a\x80-\xbf][\x1a\x80-\xbf][\x1a?]` +
	`|\x1a`

var (
	alteredUTF8 = parseBytePattern(alteredUTF8Pattern)
	lossyUTF8   = parseBytePattern(lossyUTF8Pattern)
)

// restoreByteA0 puts back 0xA0 bytes that became spaces inside UTF-8
// sequences (ftfy fixes.restore_byte_a0). "à" followed by a space is its
// own word in French and Portuguese, so "\xc3 " there becomes "\xc3\xa0 ",
// keeping the space, unless a common continuation follows.
func restoreByteA0(b []byte) []byte {
	b = aGraveWord(b)
	return alteredUTF8.replaceAll(b, func(m []byte) []byte {
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
// ftfy finds runs of them with the expression
// (?:first2 cont|first3 cont{2}|first4 cont{3})+; findUTF8Runs is a
// scanner for the same runs (checked against the expression in
// utf8runs_ref_test.go), as the expression was the larger part of the time
// of repairing a mojibake line.
const (
	clueFirst2 uint8 = 1 << iota // bytes C2..DF
	clueFirst3                   // bytes E0..EF
	clueFirst4                   // bytes F0..F4
	clueCont                     // bytes 80..BF, and space
)

var utf8Clues, utf8ContinuationStrict = func() (map[rune]uint8, map[rune]bool) {
	clues := map[rune]uint8{' ': clueCont}
	for _, c := range []struct {
		lo, hi int
		flag   uint8
	}{{0xc2, 0xdf, clueFirst2}, {0xe0, 0xef, clueFirst3}, {0xf0, 0xf4, clueFirst4}, {0x80, 0xbf, clueCont}} {
		for _, r := range charsOf(c.lo, c.hi) {
			clues[r] |= c.flag
		}
	}
	// Strict continuation characters exclude those that often stand for
	// themselves next to mojibake: spaces, dashes, bullets, quotation marks
	// and ellipses outside Latin-1.
	strict := map[rune]bool{}
	for _, r := range charsOf(0x80, 0xbf) {
		if !strings.ContainsRune("\u2013\u2014\u2022\u2018\u2019\u201a\u201c\u201d\u201e\u2026", r) {
			strict[r] = true
		}
	}
	for r := rune(0x80); r <= 0xbf; r++ {
		strict[r] = true
	}
	return clues, strict
}()

// clueOf returns the clue flags of r; ASCII other than space has none.
func clueOf(r rune) uint8 {
	if r < 0x80 && r != ' ' {
		return 0
	}
	return utf8Clues[r]
}

// utf8RunAt returns the end of the run of UTF-8 clues starting at byte i
// of s, or i when none starts there. Each step takes the first of a
// two-, three- or four-byte sequence that matches, as the expression's
// leftmost-first repetition does.
func utf8RunAt(s string, i int) int {
	pos := i
	for pos < len(s) {
		r, n := utf8.DecodeRuneInString(s[pos:])
		f := clueOf(r)
		next := -1
		if f&clueFirst2 != 0 {
			next = contRun(s, pos+n, 1)
		}
		if next < 0 && f&clueFirst3 != 0 {
			next = contRun(s, pos+n, 2)
		}
		if next < 0 && f&clueFirst4 != 0 {
			next = contRun(s, pos+n, 3)
		}
		if next < 0 {
			break
		}
		pos = next
	}
	return pos
}

// contRun returns the end of k continuation clues starting at byte i of s,
// or -1.
func contRun(s string, i, k int) int {
	for ; k > 0; k-- {
		if i >= len(s) {
			return -1
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if clueOf(r)&clueCont == 0 {
			return -1
		}
		i += n
	}
	return i
}

// findUTF8Runs returns the byte spans of the runs of UTF-8 clues in s,
// leftmost first and not overlapping; with first it stops after one.
func findUTF8Runs(s string, first bool) [][]int {
	var out [][]int
	for i := 0; i < len(s); {
		if s[i] < 0x80 && s[i] != ' ' {
			i++
			continue
		}
		if end := utf8RunAt(s, i); end > i {
			out = append(out, []int{i, end})
			if first {
				return out
			}
			i = end
			continue
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		i += n
	}
	return out
}

// decodeInconsistentUTF8 fixes runs of UTF-8 mojibake inside text that is
// otherwise correct, each run on its own (ftfy fixes.decode_inconsistent_utf8).
// A run right after a continuation-like character is left alone, so a few
// characters are not "fixed" in the middle of a larger garble.
func decodeInconsistentUTF8(s string) string {
	locs := findUTF8Runs(s, false)
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
