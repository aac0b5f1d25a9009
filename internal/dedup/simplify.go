package dedup

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// punctuation is datatrove's PUNCTUATION (utils/text.py): a literal string
// of ASCII and CJK/full-width symbols plus the C0 controls except tab and
// newline, and DEL through U+009F.
const punctuationLiteral = "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»"

var (
	asciiPunct [128]bool
	otherPunct = map[rune]bool{}
)

func init() {
	for _, r := range punctuationLiteral {
		if r < 128 {
			asciiPunct[r] = true
		} else {
			otherPunct[r] = true
		}
	}
	for r := rune(0); r < 32; r++ {
		if r != '\t' && r != '\n' {
			asciiPunct[r] = true
		}
	}
	asciiPunct[127] = true
	for r := rune(128); r < 160; r++ {
		otherPunct[r] = true
	}
}

// numberSeparators may join two digit runs into one number
// (datatrove NUMBERS_PATTERN `\p{Nd}+([.,،٫⎖⎗⎘]\p{Nd}+)?`).
func isNumberSeparator(r rune) bool {
	switch r {
	case '.', ',', '،', '٫', '⎖', '⎗', '⎘':
		return true
	}
	return false
}

func isSpace(r rune) bool {
	if r < 128 {
		return r == ' ' || (r >= '\t' && r <= '\r') || (r >= 0x1c && r <= 0x1f)
	}
	return unicode.IsSpace(r)
}

// Simplify returns datatrove's simplify_text(text) with the default
// TextNormConfig (huggingface/datatrove src/datatrove/utils/text.py; the
// order of the steps matters and is kept):
//
//  1. lowercase;
//  2. every number `\p{Nd}+([.,،٫⎖⎗⎘]\p{Nd}+)?` becomes "0";
//  3. every character of PUNCTUATION becomes a space;
//  4. runs of white space become one space, ends trimmed;
//  5. NFD, then characters of category Mn (diacritics) are removed;
//  6. ends trimmed.
func Simplify(text string) string {
	return string(appendSimplified(nil, text))
}

// appendSimplified appends Simplify(text) to dst in one pass without
// intermediate strings.
func appendSimplified(dst []byte, text string) []byte {
	start := len(dst)
	pending := false // a space is owed before the next non-space character
	var rb [utf8.UTFMax]byte
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= '0' && c <= '9':
				i = skipNumber(text, i)
				dst = flushSpace(dst, start, &pending)
				dst = append(dst, '0')
			case asciiPunct[c] || isSpace(rune(c)):
				pending = true
			default:
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				dst = flushSpace(dst, start, &pending)
				dst = append(dst, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		r = unicode.ToLower(r)
		switch {
		case unicode.IsDigit(r):
			i = skipNumber(text, i)
			dst = flushSpace(dst, start, &pending)
			dst = append(dst, '0')
		case otherPunct[r] || isSpace(r):
			pending = true
		default:
			// A diacritic still counts as a character when white space
			// is collapsed (step 4 runs before step 5), so it flushes a
			// pending space even though it is then removed.
			dst = flushSpace(dst, start, &pending)
			if r >= hangulBase && r < hangulBase+hangulCount {
				dst = appendHangul(dst, r)
				continue
			}
			n := utf8.EncodeRune(rb[:], r)
			dec := norm.NFD.Properties(rb[:n]).Decomposition()
			if dec == nil {
				if !unicode.Is(unicode.Mn, r) {
					dst = append(dst, rb[:n]...)
				}
				continue
			}
			for len(dec) > 0 {
				dr, ds := utf8.DecodeRune(dec)
				if !unicode.Is(unicode.Mn, dr) {
					dst = append(dst, dec[:ds]...)
				}
				dec = dec[ds:]
			}
		}
	}
	for len(dst) > start && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// flushSpace writes the owed space unless the output is still empty
// (leading white space is trimmed).
func flushSpace(dst []byte, start int, pending *bool) []byte {
	if *pending && len(dst) > start {
		dst = append(dst, ' ')
	}
	*pending = false
	return dst
}

// skipNumber returns the index after the number whose first digit ended
// at i: more digits, then optionally one separator and more digits.
func skipNumber(text string, i int) int {
	i = skipDigits(text, i)
	if i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if isNumberSeparator(r) && i+size < len(text) {
			d, _ := utf8.DecodeRuneInString(text[i+size:])
			if unicode.IsDigit(d) {
				i = skipDigits(text, i+size)
			}
		}
	}
	return i
}

func skipDigits(text string, i int) int {
	for i < len(text) {
		c := text[i]
		if c >= '0' && c <= '9' {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return i
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsDigit(r) {
			return i
		}
		i += size
	}
	return i
}

// unspaced reports whether r belongs to a script written without spaces
// between words; each such character is a word of its own.
func unspaced(r rune) bool {
	if r < 0x0E00 {
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana,
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar, unicode.Tibetan)
}

// Hangul syllables decompose algorithmically under NFD (Unicode §3.12);
// norm.Properties does not report it, so it is done here.
const (
	hangulBase  = 0xAC00
	hangulCount = 11172
	jamoL       = 0x1100
	jamoV       = 0x1161
	jamoT       = 0x11A7
)

func appendHangul(dst []byte, r rune) []byte {
	s := r - hangulBase
	dst = utf8.AppendRune(dst, jamoL+s/588)
	dst = utf8.AppendRune(dst, jamoV+(s%588)/28)
	if t := s % 28; t != 0 {
		dst = utf8.AppendRune(dst, jamoT+t)
	}
	return dst
}
