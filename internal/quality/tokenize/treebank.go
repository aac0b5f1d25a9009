package tokenize

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// This file ports NLTK's NLTKWordTokenizer (nltk/tokenize/destructive.py,
// NLTK 3.8.1, the version nltk.word_tokenize used in 2023-2024 and so the
// one behind FineWeb's statistics): the Penn Treebank regexes with NLTK's
// improved starting quotes, punctuation, parentheses and brackets
// (convert_parentheses off), double dashes, ending quotes and the
// MacIntyre contractions. Rules are applied in the reference order, each
// to the whole string, like a chain of Python re.sub calls.
//
// Go's RE2 has no look-around and an ASCII-only \b, \d and \s, so the
// rules that need Python's Unicode semantics are written out by hand
// (apostropheSplit, contraction) or use explicit Unicode classes (pySpace,
// \p{Nd}).

// pySpace is Python's Unicode \s for str patterns.
const pySpace = `[\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]`

type rule struct {
	re   *regexp.Regexp
	repl string
	// need lists characters of which at least one must occur for the
	// rule to match; a cheap strings.ContainsAny check skips the regex.
	need string
}

func r(pattern, repl, need string) rule {
	return rule{re: regexp.MustCompile(pattern), repl: repl, need: need}
}

var (
	// STARTING_QUOTES[0:4]; [4] is apostropheSplit.
	startingQuotes = []rule{
		r("([«“‘„]|[`]+)", " ${1} ", "«“‘„`"),
		r(`^"`, "``", `"`),
		r("(``)", " ${1} ", "`"),
		r(`([ (\[{<])("|'')`, "${1} `` ", `"'`),
	}
	// PUNCTUATION, in order.
	punctuation = []rule{
		r(`([^.])(\.)([\])}>"'»”’ ]*)`+pySpace+`*\z`, "${1} ${2} ${3} ", "."),
		r(`([:,])([^\p{Nd}])`, " ${1} ${2}", ":,"),
		r(`([:,])(\n?)\z`, " ${1} ${2}", ":,"),
		r(`\.{2,}`, " ${0} ", "."),
		r(`[;@#$%&]`, " ${0} ", ";@#$%&"),
		r(`([^.])(\.)([\])}>"']*)`+pySpace+`*\z`, "${1} ${2}${3} ", "."),
		r(`[?!]`, " ${0} ", "?!"),
		r(`([^'])' `, "${1} ' ", "'"),
		r(`[*]`, " ${0} ", "*"),
	}
	parensBrackets = r(`[\]\[(){}<>]`, " ${0} ", "[](){}<>")
	doubleDashes   = r(`--`, " -- ", "-")
	endingQuotes   = []rule{
		r("([»”’])", " ${1} ", "»”’"),
		r(`''`, " '' ", "'"),
		r(`"`, " '' ", `"`),
		r(`([^' ])('[sS]|'[mM]|'[dD]|') `, "${1} ${2} ", "'"),
		r(`([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) `, "${1} ${2} ", "'"),
	}
)

func (ru rule) apply(s string) string {
	if !strings.ContainsAny(s, ru.need) {
		return s
	}
	return ru.re.ReplaceAllString(s, ru.repl)
}

// contraction describes one MacIntyre contraction: the two parts, split
// apart when they occur as a whole word (case-insensitive).
type contraction struct {
	a, b string
	// lead: the match must start with a space (CONTRACTIONS3) instead of
	// a word boundary.
	lead bool
	// spaceAfter: the match must be followed by whitespace, (?=\s),
	// instead of a word boundary.
	spaceAfter bool
}

var contractions = []contraction{
	// CONTRACTIONS2
	{a: "can", b: "not"},
	{a: "d", b: "'ye"},
	{a: "gim", b: "me"},
	{a: "gon", b: "na"},
	{a: "got", b: "ta"},
	{a: "lem", b: "me"},
	{a: "more", b: "'n"},
	{a: "wan", b: "na", spaceAfter: true},
	// CONTRACTIONS3
	{a: "'t", b: "is", lead: true},
	{a: "'t", b: "was", lead: true},
}

// Treebank tokenizes one sentence with NLTK's NLTKWordTokenizer.tokenize
// (convert_parentheses=False). Only a period at the very end of s is split
// from its word; a period inside s stays attached ("York." in "New York.
// Please"): that is why NLTK's word_tokenize splits sentences first (see
// Words).
func Treebank(s string) []string {
	return Fields(treebankString(s))
}

func treebankString(s string) string {
	for _, ru := range startingQuotes {
		s = ru.apply(s)
	}
	if strings.IndexByte(s, '\'') >= 0 {
		s = apostropheSplit(s)
	}
	for _, ru := range punctuation {
		s = ru.apply(s)
	}
	s = parensBrackets.apply(s)
	s = doubleDashes.apply(s)
	s = " " + s + " "
	for _, ru := range endingQuotes {
		s = ru.apply(s)
	}
	for _, c := range contractions {
		s = c.apply(s)
	}
	return s
}

// apostropheSplit is STARTING_QUOTES[4],
// (?i)(\')(?!re|ve|ll|m|t|s|d|n)(\w)\b -> "\1 \2": an apostrophe followed
// by a one-character word other than m, t, s, d or n gets a space after
// it ("'a " -> "' a "). (re, ve and ll can never be followed by a word
// boundary after one character, so only the one-letter exclusions matter.)
func apostropheSplit(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if s[i] != '\'' {
			i++
			continue
		}
		j := i + 1
		c, cs := utf8.DecodeRuneInString(s[j:])
		if cs == 0 || !IsWordChar(c) {
			i++
			continue
		}
		switch c {
		case 'm', 't', 's', 'd', 'n', 'M', 'T', 'S', 'D', 'N':
			i++
			continue
		}
		k := j + cs
		if k < len(s) {
			if n, _ := utf8.DecodeRuneInString(s[k:]); IsWordChar(n) {
				i++
				continue
			}
		}
		if b.Len() == 0 {
			b.Grow(len(s) + 8)
		}
		b.WriteString(s[last:j])
		b.WriteByte(' ')
		b.WriteString(s[j:k])
		last = k
		i = k
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// apply replaces each whole-word, case-insensitive occurrence of a+b by
// " a b " (keeping the original letters), scanning left to right without
// overlaps like re.sub. With lead the match is " a+b" and its leading
// space is replaced too, as in CONTRACTIONS3.
func (c contraction) apply(s string) string {
	word := c.a + c.b
	if !containsFold(s, word) {
		return s
	}
	var out strings.Builder
	last := 0
	for i := 0; i < len(s); {
		w := i // where the word starts
		if c.lead {
			if s[i] != ' ' {
				i++
				continue
			}
			w = i + 1
		}
		end := w + len(word)
		if end > len(s) || !strings.EqualFold(s[w:end], word) || !c.startOK(s, w) || !c.endOK(s, end) {
			i++
			continue
		}
		out.WriteString(s[last:i])
		out.WriteByte(' ')
		out.WriteString(s[w : w+len(c.a)])
		out.WriteByte(' ')
		out.WriteString(s[w+len(c.a) : end])
		out.WriteByte(' ')
		i = end
		last = end
	}
	if last == 0 {
		return s
	}
	out.WriteString(s[last:])
	return out.String()
}

func (c contraction) startOK(s string, i int) bool {
	if c.lead {
		return true // checked by the caller
	}
	if i == 0 {
		return true // \b before a word character at the start
	}
	p, _ := utf8.DecodeLastRuneInString(s[:i])
	// Every contraction without lead starts with a letter, so \b holds
	// when the previous rune is not a word character.
	return !IsWordChar(p)
}

func (c contraction) endOK(s string, j int) bool {
	if j >= len(s) {
		return !c.spaceAfter
	}
	n, _ := utf8.DecodeRuneInString(s[j:])
	if c.spaceAfter {
		return IsSpace(n)
	}
	return !IsWordChar(n)
}

// containsFold reports whether s contains the ASCII word w in any case.
func containsFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(w)], w) {
			return true
		}
	}
	return false
}
