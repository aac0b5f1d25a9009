package fixtext

import (
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// The badness heuristic follows ftfy 6 (rspeer/python-ftfy, ftfy/badness.py):
// the few hundred characters that UTF-8 decoded with a single-byte code
// page produces are sorted into categories, and a regular expression
// matches juxtapositions of them that are far likelier to be mojibake than
// intended text (an accented lowercase letter followed by a currency sign,
// say). Text with no match is left alone, which is what keeps correct text
// unchanged.
//
// ftfy states the heuristic as one regular expression. Here it is a
// hand-written scanner over the same alternatives (alternatives below),
// because Go's backtracking matcher spent half of the clean step's CPU on
// that expression (BenchmarkClean, 0.6 MB/s before, see docs/bench.md);
// badness_ref_test.go keeps the expression and checks that both agree on
// the ftfy test cases, real web text and fuzz input.
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

// Category bits, one per entry of categories.
const (
	catCommon uint16 = 1 << iota
	catC1
	catBad
	catLaw
	catCurrency
	catStartPunct
	catEndPunct
	catNumeric
	catKaomoji
	catUpperAccented
	catLowerAccented
	catUpperCommon
	catLowerCommon
	catBox
)

var catBits = map[string]uint16{
	"common": catCommon, "c1": catC1, "bad": catBad, "law": catLaw, "currency": catCurrency,
	"start_punctuation": catStartPunct, "end_punctuation": catEndPunct, "numeric": catNumeric,
	"kaomoji": catKaomoji, "upper_accented": catUpperAccented, "lower_accented": catLowerAccented,
	"upper_common": catUpperCommon, "lower_common": catLowerCommon, "box": catBox,
}

// Properties that the alternatives test besides categories and literal
// characters, with the regular expression class each stands for.
const (
	propLower   uint8 = 1 << iota // [a-z]
	propUpper                     // [A-Z]
	propSpace                     // \s: [\t\n\f\r ]
	propZ                         // \p{Z}
	propWord                      // [\p{L}\p{N}_]
	propNotNL                     // . (any character but \n)
	propNotAZaz                   // [^A-Za-z]
)

// charSet is one position of an alternative: a character matches when it
// is in one of the categories, is one of the literal characters, or has
// one of the properties. Literal strings are numbered (litSets), and lits
// holds one bit per literal string.
type charSet struct {
	cats  uint16
	props uint8
	lits  uint64
}

// litSets are the literal character strings of the alternatives; bit k of
// charSet.lits stands for litSets[k].
var litSets []string

func (c charSet) has(r rune) bool {
	if in := tableInfo(r); in != nil {
		return in.cats&c.cats != 0 || in.props&c.props != 0 || in.lits&c.lits != 0
	}
	// Outside the tables: no literal, categories only in catHigh.
	if c.cats != 0 && r >= 0xf8ff && catHigh[r]&c.cats != 0 {
		return true
	}
	return c.props != 0 && propsOf(r)&c.props != 0
}

func propsOf(r rune) uint8 {
	var p uint8
	switch {
	case r >= 'a' && r <= 'z':
		p = propLower | propWord
	case r >= 'A' && r <= 'Z':
		p = propUpper | propWord
	case r < 0x80:
		p = propNotAZaz
		switch r {
		case '\t', '\n', '\f', '\r', ' ':
			p |= propSpace
		case '_':
			p |= propWord
		}
		if r >= '0' && r <= '9' {
			p |= propWord
		}
		if r == ' ' {
			p |= propZ
		}
	default:
		p = propNotAZaz
		if unicode.In(r, unicode.Z) {
			p |= propZ
		}
		if unicode.In(r, unicode.L, unicode.N) {
			p |= propWord
		}
	}
	if r != '\n' {
		p |= propNotNL
	}
	return p
}

// set builds a charSet from categories, literal characters and properties.
func set(cats uint16, lits string, props uint8) charSet {
	c := charSet{cats: cats, props: props}
	if lits != "" {
		c.lits = 1 << len(litSets)
		litSets = append(litSets, lits)
	}
	return c
}

func cats(c uint16) charSet { return charSet{cats: c} }
func lit(s string) charSet  { return set(0, s, 0) }

// elem is one position of an alternative; an optional one may be skipped
// (the expression's "?", greedy).
type elem struct {
	set charSet
	opt bool
}

// alternative is a sequence of positions; anchored ones match only at the
// start of the text ("^").
type alternative struct {
	elems    []elem
	anchored bool
}

func alt(sets ...charSet) alternative {
	a := alternative{}
	for _, s := range sets {
		a.elems = append(a.elems, elem{set: s})
	}
	return a
}

// Shorthands for the category unions the alternatives use.
const (
	la, ua, lc, uc                 = catLowerAccented, catUpperAccented, catLowerCommon, catUpperCommon
	bad, box, sp, ep, cur, num, lw = catBad, catBox, catStartPunct, catEndPunct, catCurrency, catNumeric, catLaw
)

// alternatives are ftfy's badness expression (badness.py, BADNESS_RE), in
// its order: the leftmost match takes the first alternative that matches
// there, as for the expression.
var alternatives = func() []alternative {
	arabic := set(catCommon|cur|bad|num|sp, "ŸŠ®°µ»", 0)
	cyr := set(catC1|bad|sp|ep|cur, "°µ", 0)
	greek := set(catC1|bad|sp|ep|cur, "°", 0)
	spaceZ := set(0, "", propSpace|propZ)
	a := []alternative{
		alt(cats(catC1)),
		alt(cats(bad|la|ua|box|sp|ep|cur|num|lw), cats(bad)),
		alt(set(0, "", propLower|propUpper), cats(lc|uc), cats(bad)),
		alt(cats(bad), cats(la|ua|box|sp|ep|cur|num|lw)),
		alt(cats(la|lc|box|ep|cur|num), cats(ua)),
		alt(cats(box|ep|cur|num), cats(la)),
		alt(cats(la|box|ep), cats(cur)),
		alt(spaceZ, cats(ua), cats(cur)),
		alt(cats(ua|box), cats(num|lw)),
		alt(cats(la|ua|box|cur|ep), cats(sp), cats(num)),
		alt(cats(la|ua|cur|num|box|lw), cats(ep), cats(sp)),
		alt(cats(cur|num|box), cats(sp)),
		alt(set(0, "", propLower), cats(ua), cats(sp|cur)),
		alt(cats(box), cats(catKaomoji)),
		alt(cats(la|ua|cur|num|sp|ep|lw), cats(box)),
		alt(cats(box), cats(ep)),
		alt(cats(la|ua), cats(sp|ep), set(0, "", propWord)),
		// The ligature œ not followed by an unaccented Latin letter.
		alt(lit("Œœ"), set(0, "", propNotAZaz)),
		// A degree sign after a capital letter.
		alt(cats(ua), lit("°")),
		// Common two-character Windows-1252 mojibake not covered above.
		alt(lit("ÂÃÎÐ"), set(sp|ep, "€œŠš¢£Ÿž\u00a0\u00ad®©°·»–—´", 0)),
		alt(lit("×"), lit("²³")),
		// Windows-1252 mojibake of Arabic needs four characters.
		alt(lit("ØÙ"), arabic, lit("ØÙ"), arabic),
		// Starts of three-byte sequences of some South Asian scripts.
		alt(lit("à"), lit("²µ¹¼½¾")),
		// MacRoman mojibake.
		alt(lit("√"), lit("±∂†≠®™´≤≥¥µø")),
		alt(lit("≈"), lit("°¢")),
		alt(lit("‚"), lit("Ä"), lit("ìîïòôúùû†°¢π")),
		alt(lit("‚"), lit("âó"), lit("àä°ê")),
		// Windows-1251 mojibake of the U+2000 range.
		alt(lit("в"), lit("Ђ")),
		// Windows-1251 mojibake of Latin-1 or Cyrillic: three characters.
		alt(lit("ВГРС"), cyr, lit("ВГРС")),
		alt(lit("Г"), lit("ў"), lit("В"), lit("Ђ"), lit("В"), set(0, "", propNotNL), set(0, " ", propLower|propUpper)),
		// Windows-1252 encodings of 'à' and 'á', and of U+00A0 itself.
		alt(lit("Ã"), lit("\u00a0¡")),
		{elems: []elem{{set: set(0, "", propLower)}, {set: spaceZ, opt: true}, {set: lit("ÃÂ")}, {set: lit(" ")}}},
		{elems: []elem{{set: lit("ÃÂ")}, {set: lit(" ")}}, anchored: true},
		// Â before a character it encodes together with.
		alt(set(ep, ".,?!", propLower), lit("Â"), set(sp|ep, " ", 0)),
		// Windows-1253 mojibake of the U+2000 range and of Greek.
		alt(lit("β"), lit("€"), lit("™\u00a0Ά\u00ad®°")),
		alt(lit("ΒΓΞΟ"), greek, lit("ΒΓΞΟ")),
		// Windows-1257 mojibake of the U+2000 range.
		alt(lit("ā"), lit("€")),
	}
	return a
}()

// runeInfo is what the scanner needs to know of one character: its
// categories, properties, literal strings, and the alternatives (bit k for
// alternatives[k]) whose first position it matches.
type runeInfo struct {
	cats  uint16
	props uint8
	lits  uint64
	first uint64
}

// Every category and literal character lies below U+0600 (Latin, Greek,
// Cyrillic), in U+2000..U+25FF (punctuation, symbols, box drawing) or in
// catHigh, so two tables cover them; other characters have only
// properties. The tables are built once, from categories and alternatives.
const (
	lowEnd   = 0x600
	midStart = 0x2000
	midEnd   = 0x2600
)

var (
	lowInfo [lowEnd]runeInfo
	midInfo [midEnd - midStart]runeInfo
	catHigh = map[rune]uint16{}
	// firstByProps[p]: the alternatives whose first position matches a
	// character with properties p and no category or literal string.
	firstByProps [1 << 7]uint64
	// firstUsesWord: some first position tests propWord.
	firstUsesWord bool
)

func init() {
	if len(alternatives) > 64 || len(litSets) > 64 {
		panic("fixtext: more than 64 badness alternatives or literal sets")
	}
	slot := func(r rune) *runeInfo {
		switch {
		case r < lowEnd:
			return &lowInfo[r]
		case r >= midStart && r < midEnd:
			return &midInfo[r-midStart]
		}
		return nil
	}
	for r := rune(0); r < lowEnd; r++ {
		lowInfo[r].props = propsOf(r)
	}
	for r := rune(midStart); r < midEnd; r++ {
		midInfo[r-midStart].props = propsOf(r)
	}
	for name, chars := range categories {
		bit := catBits[name]
		rs := []rune(chars)
		for i := 0; i < len(rs); i++ {
			lo, hi := rs[i], rs[i]
			if i+2 < len(rs) && rs[i+1] == '-' {
				hi = rs[i+2]
				i += 2
			}
			for r := lo; r <= hi; r++ {
				if in := slot(r); in != nil {
					in.cats |= bit
				} else {
					catHigh[r] |= bit
				}
			}
		}
	}
	for k, chars := range litSets {
		for _, r := range chars {
			in := slot(r)
			if in == nil {
				panic("fixtext: badness literal outside the rune tables")
			}
			in.lits |= 1 << k
		}
	}
	fill := func(in *runeInfo) {
		for k, a := range alternatives {
			e := a.elems[0].set
			if e.cats&in.cats != 0 || e.props&in.props != 0 || e.lits&in.lits != 0 || a.elems[0].opt {
				in.first |= 1 << k
			}
		}
	}
	for r := range lowInfo {
		fill(&lowInfo[r])
	}
	for r := range midInfo {
		fill(&midInfo[r])
	}
	for _, a := range alternatives {
		firstUsesWord = firstUsesWord || a.elems[0].set.props&propWord != 0
	}
	for p := range firstByProps {
		in := runeInfo{props: uint8(p)}
		fill(&in)
		firstByProps[p] = in.first
	}
}

// tableInfo returns the table entry of r, or nil for a character outside
// the tables.
func tableInfo(r rune) *runeInfo {
	switch {
	case r < lowEnd:
		return &lowInfo[r]
	case r >= midStart && r < midEnd:
		return &midInfo[r-midStart]
	}
	return nil
}

// firstOf returns the alternatives whose first position matches r. Outside
// the tables only the properties that first positions test are computed:
// the Unicode property lookups are what a run of CJK text would pay for.
func firstOf(r rune) uint64 {
	if in := tableInfo(r); in != nil {
		return in.first
	}
	var first uint64
	if r >= 0xf8ff {
		if c := catHigh[r]; c != 0 {
			for k, a := range alternatives {
				if a.elems[0].set.cats&c != 0 {
					first |= 1 << k
				}
			}
		}
	}
	p := propNotAZaz | propNotNL
	if unicode.Is(unicode.Z, r) {
		p |= propZ
	}
	if firstUsesWord && unicode.In(r, unicode.L, unicode.N) {
		p |= propWord
	}
	return first | firstByProps[p]
}

// matchFrom reports where elems match s starting at byte i, trying an
// optional position first with and then without a character.
func matchFrom(elems []elem, s string, i int) (int, bool) {
	if len(elems) == 0 {
		return i, true
	}
	e := elems[0]
	if i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if e.set.has(r) {
			if end, ok := matchFrom(elems[1:], s, i+n); ok {
				return end, true
			}
		}
	}
	if e.opt {
		return matchFrom(elems[1:], s, i)
	}
	return 0, false
}

// matchAt returns the end of the badness match that starts at byte i of s
// (the first alternative that matches there), or -1.
func matchAt(s string, i int) int {
	r, n := utf8.DecodeRuneInString(s[i:])
	for m := firstOf(r); m != 0; m &= m - 1 {
		a := &alternatives[bits.TrailingZeros64(m)]
		if a.anchored && i != 0 {
			continue
		}
		if a.elems[0].opt {
			if end, ok := matchFrom(a.elems, s, i); ok {
				return end
			}
			continue
		}
		if end, ok := matchFrom(a.elems[1:], s, i+n); ok {
			return end
		}
	}
	return -1
}

// nextCandidate returns the first byte at or after i where a badness match
// may start, or len(s). Every alternative holds a non-ASCII character
// within its first three characters, so a position whose next three bytes
// are ASCII cannot start one: ASCII text is skipped byte by byte without
// decoding.
func nextCandidate(s string, i int) int {
	for ; i < len(s); i++ {
		if s[i] >= 0x80 || i+1 < len(s) && s[i+1] >= 0x80 || i+2 < len(s) && s[i+2] >= 0x80 {
			return i
		}
	}
	return i
}

// IsBad reports whether s holds a character sequence that looks like
// mojibake (see the badness heuristic above). It is true for almost all
// mojibake and false for almost all correct text in any script. It is the
// same as a match of ftfy's BADNESS_RE anywhere in s; invalid UTF-8 bytes
// count as U+FFFD.
func IsBad(s string) bool {
	for i := nextCandidate(s, 0); i < len(s); i = nextCandidate(s, i) {
		if matchAt(s, i) >= 0 {
			return true
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		i += n
	}
	return false
}

// Badness counts the mojibake-like sequences in s: the non-overlapping
// matches of ftfy's BADNESS_RE, leftmost first.
func Badness(s string) int {
	count := 0
	for i := nextCandidate(s, 0); i < len(s); i = nextCandidate(s, i) {
		if end := matchAt(s, i); end >= 0 {
			count++
			i = end
			continue
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		i += n
	}
	return count
}
