package fixtext

import (
	"fmt"
	"regexp"
	"strings"
)

// The badness heuristic follows ftfy 6 (rspeer/python-ftfy, ftfy/badness.py):
// the few hundred characters that UTF-8 decoded with a single-byte code
// page produces are sorted into categories, and a regular expression
// matches juxtapositions of them that are far likelier to be mojibake than
// intended text (an accented lowercase letter followed by a currency sign,
// say). Text with no match is left alone, which is what keeps correct text
// unchanged.
//
// In the category strings a '-' between two characters is a range; no
// category holds a literal hyphen.
var categories = map[string]string{
	// Characters common in many contexts.
	"common": "\u00a0\u00ad\u00b7\u00b4\u2013\u2014\u2015\u2026\u2019",
	// C1 control characters: no use left outside mojibake.
	"c1": "\u0080-\u009f",
	// Characters almost only seen in mojibake.
	"bad":               "\u00a6\u00a4\u00a8\u00ac\u00af\u00b8\u0192\u02c6\u02c7\u02d8\u02db\u02dc\u2020\u2021\u2030\u2310\u25ca\ufffd\u00aa\u00ba",
	"law":               "\u00b6\u00a7",
	"currency":          "\u00a2\u00a3\u00a5\u20a7\u20ac",
	"start_punctuation": "\u00a1\u00ab\u00bf\u00a9\u0384\u0385\u2018\u201a\u201c\u201e\u2022\u2039\uf8ff",
	"end_punctuation":   "\u00ae\u00bb\u02dd\u201d\u203a\u2122",
	"numeric":           "\u00b2\u00b3\u00b9\u00b1\u00bc\u00bd\u00be\u00d7\u00b5\u00f7\u2044\u2202\u2206\u220f\u2211\u221a\u221e\u2229\u222b\u2248\u2260\u2261\u2264\u2265\u2116",
	// Letters used in kaomoji faces, which need more context to judge.
	"kaomoji":        "\u00d2-\u00d6\u00d9-\u00dc\u00f2-\u00f6\u00f8-\u00fc\u0150\u014c\u016a\u0172\u00b0",
	"upper_accented": "\u00c0-\u00d1\u00d8\u00dc\u00dd\u0102\u0100\u0104\u0106\u010c\u010e\u0110\u0118\u011a\u0112\u0116\u011e\u0122\u0130\u012a\u0136\u0139\u013d\u0141\u013b\u0143\u0147\u0145\u0152\u0158\u015a\u015e\u0160\u0162\u0164\u016e\u0170\u0178\u0179\u017b\u017d\u0490",
	"lower_accented": "\u00df\u00e0-\u00f1\u0103\u0105\u0101\u0107\u010d\u010f\u0111\u0119\u011b\u0113\u0117\u011f\u0123\u012f\u012b\u0137\u013a\u013e\u0142\u013c\u0153\u0155\u015b\u015f\u0161\u0165\u00fc\u017a\u017c\u017e\u0491\ufb01\ufb02",
	"upper_common":   "\u00de\u0391-\u03a9\u0386\u0388\u0389\u038a\u038c\u038e\u038f\u03aa\u03ab\u0401-\u042f",
	"lower_common":   "\u03b1-\u03c9\u03ac\u03ad\u03ae\u03af\u03b0\u0430-\u045f",
	"box":            "\u2502\u250c\u2510\u2518\u251c\u2524\u252c\u253c\u2550-\u256c\u2580\u2584\u2588\u258c\u2590\u2591\u2592\u2593",
}

// badnessPatterns lists the alternatives of the badness expression;
// {name} stands for the characters of a category.
var badnessPatterns = []string{
	`[{c1}]`,
	`[{bad}{lower_accented}{upper_accented}{box}{start_punctuation}{end_punctuation}{currency}{numeric}{law}][{bad}]`,
	`[a-zA-Z][{lower_common}{upper_common}][{bad}]`,
	`[{bad}][{lower_accented}{upper_accented}{box}{start_punctuation}{end_punctuation}{currency}{numeric}{law}]`,
	`[{lower_accented}{lower_common}{box}{end_punctuation}{currency}{numeric}][{upper_accented}]`,
	`[{box}{end_punctuation}{currency}{numeric}][{lower_accented}]`,
	`[{lower_accented}{box}{end_punctuation}][{currency}]`,
	`[\s\p{Z}][{upper_accented}][{currency}]`,
	`[{upper_accented}{box}][{numeric}{law}]`,
	`[{lower_accented}{upper_accented}{box}{currency}{end_punctuation}][{start_punctuation}][{numeric}]`,
	`[{lower_accented}{upper_accented}{currency}{numeric}{box}{law}][{end_punctuation}][{start_punctuation}]`,
	`[{currency}{numeric}{box}][{start_punctuation}]`,
	`[a-z][{upper_accented}][{start_punctuation}{currency}]`,
	`[{box}][{kaomoji}]`,
	`[{lower_accented}{upper_accented}{currency}{numeric}{start_punctuation}{end_punctuation}{law}][{box}]`,
	`[{box}][{end_punctuation}]`,
	`[{lower_accented}{upper_accented}][{start_punctuation}{end_punctuation}][\p{L}\p{N}_]`,
	// The ligature œ not followed by an unaccented Latin letter.
	`[Œœ][^A-Za-z]`,
	// A degree sign after a capital letter.
	`[{upper_accented}]°`,
	// Common two-character Windows-1252 mojibake not covered above.
	`[ÂÃÎÐ][€œŠš¢£Ÿž\x{a0}\x{ad}®©°·»{start_punctuation}{end_punctuation}–—´]`,
	`×[²³]`,
	// Windows-1252 mojibake of Arabic needs four characters.
	`[ØÙ][{common}{currency}{bad}{numeric}{start_punctuation}ŸŠ®°µ»][ØÙ][{common}{currency}{bad}{numeric}{start_punctuation}ŸŠ®°µ»]`,
	// Starts of three-byte sequences of some South Asian scripts.
	`à[²µ¹¼½¾]`,
	// MacRoman mojibake.
	`√[±∂†≠®™´≤≥¥µø]`,
	`≈[°¢]`,
	`‚Ä[ìîïòôúùû†°¢π]`,
	`‚[âó][àä°ê]`,
	// Windows-1251 mojibake of the U+2000 range.
	`вЂ`,
	// Windows-1251 mojibake of Latin-1 or Cyrillic: three characters.
	`[ВГРС][{c1}{bad}{start_punctuation}{end_punctuation}{currency}°µ][ВГРС]`,
	`ГўВЂВ.[A-Za-z ]`,
	// Windows-1252 encodings of 'à' and 'á', and of U+00A0 itself.
	`Ã[\x{a0}¡]`,
	`[a-z][\s\p{Z}]?[ÃÂ] `,
	`^[ÃÂ] `,
	// Â before a character it encodes together with.
	`[a-z.,?!{end_punctuation}]Â[ {start_punctuation}{end_punctuation}]`,
	// Windows-1253 mojibake of the U+2000 range and of Greek.
	`β€[™\x{a0}Ά\x{ad}®°]`,
	`[ΒΓΞΟ][{c1}{bad}{start_punctuation}{end_punctuation}{currency}°][ΒΓΞΟ]`,
	// Windows-1257 mojibake of the U+2000 range.
	`ā€`,
}

// classBody escapes a category for use inside a character class.
func classBody(cat string) string {
	var b strings.Builder
	for _, r := range cat {
		if r == '-' {
			b.WriteByte('-')
			continue
		}
		fmt.Fprintf(&b, `\x{%x}`, r)
	}
	return b.String()
}

func expand(pattern string) string {
	for name, chars := range categories {
		pattern = strings.ReplaceAll(pattern, "{"+name+"}", classBody(chars))
	}
	return pattern
}

var badnessRE = func() *regexp.Regexp {
	alts := make([]string, len(badnessPatterns))
	for i, p := range badnessPatterns {
		alts[i] = "(?:" + expand(p) + ")"
	}
	return regexp.MustCompile(strings.Join(alts, "|"))
}()

// IsBad reports whether s holds a character sequence that looks like
// mojibake (see the badness heuristic above). It is true for almost all
// mojibake and false for almost all correct text in any script.
func IsBad(s string) bool { return mayBeBad(s) && badnessRE.MatchString(s) }

// mayBeBad is a fast necessary condition for a badness match: every
// alternative of the expression holds a C1 control, Ã, Â, Œ or œ, or two
// adjacent non-ASCII characters. Measured on the dolma sample it skips the
// expression for most lines of Latin-script text.
func mayBeBad(s string) bool {
	prevNonASCII := false
	for _, r := range s {
		if r < 0x80 {
			prevNonASCII = false
			continue
		}
		if r <= 0x9f || r == 'Ã' || r == 'Â' || r == 'Œ' || r == 'œ' || prevNonASCII {
			return true
		}
		prevNonASCII = true
	}
	return false
}

// Badness counts the mojibake-like sequences in s (non-overlapping).
func Badness(s string) int { return len(badnessRE.FindAllStringIndex(s, -1)) }
