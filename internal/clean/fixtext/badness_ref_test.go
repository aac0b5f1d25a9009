package fixtext

// The badness expression as it stood before the hand-written scanner of
// badness.go replaced it, kept here as the reference the scanner is
// checked against (TestBadnessScannerMatchesExpression). It follows ftfy 6
// (rspeer/python-ftfy, ftfy/badness.py).

import (
	"fmt"
	"regexp"
	"strings"
)

// refBadnessPatterns lists the alternatives of the badness expression;
// {name} stands for the characters of a category.
var refBadnessPatterns = []string{
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

var refBadnessRE = func() *regexp.Regexp {
	alts := make([]string, len(refBadnessPatterns))
	for i, p := range refBadnessPatterns {
		alts[i] = "(?:" + expand(p) + ")"
	}
	return regexp.MustCompile(strings.Join(alts, "|"))
}()

// refBadness is Badness by the expression.
func refBadness(s string) int { return len(refBadnessRE.FindAllStringIndex(s, -1)) }
