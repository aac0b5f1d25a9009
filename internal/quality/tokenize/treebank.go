package tokenize

import (
	"strings"
	"unicode"
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
// Each rule is written out by hand rather than with package regexp: Go's
// RE2 has no look-around and an ASCII-only \b, \d and \s, and each regex
// pass cost more than the whole hand-written rule (on the dolma CC sample
// the regex version spent 60 % of the tokenizer's time in the regexp
// backtracker). Every function names the re.sub it implements; the
// golden tests compare the result with the Python regexes themselves.

// step is one re.sub of the reference, applied to the whole string.
type step func(string) string

// rule is a step and the bytes of which at least one must occur in the
// string for the step to match (UTF-8 bytes for non-ASCII characters).
type rule struct {
	f       step
	trigger string
}

type byteSet [256]bool

func (b *byteSet) anyOf(s string) bool {
	for i := 0; i < len(s); i++ {
		if b[s[i]] {
			return true
		}
	}
	return false
}

// pad puts a space on both sides of every rune of set: re.sub("[set]",
// r" \g<0> ").
func pad(set string) step {
	var ascii byteSet
	onlyASCII := true
	for _, r := range set {
		if r >= utf8.RuneSelf {
			onlyASCII = false
			break
		}
		ascii[r] = true
	}
	if onlyASCII {
		return func(s string) string {
			var b strings.Builder
			last := 0
			for i := 0; i < len(s); i++ {
				if !ascii[s[i]] {
					continue
				}
				if b.Len() == 0 {
					b.Grow(len(s) + 16)
				}
				b.WriteString(s[last:i])
				b.WriteByte(' ')
				b.WriteByte(s[i])
				b.WriteByte(' ')
				last = i + 1
			}
			if last == 0 {
				return s
			}
			b.WriteString(s[last:])
			return b.String()
		}
	}
	return func(s string) string {
		var b strings.Builder
		b.Grow(len(s) + 16)
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError && strings.ContainsRune(set, r) {
				b.WriteByte(' ')
				b.WriteString(s[i : i+size])
				b.WriteByte(' ')
			} else {
				b.WriteString(s[i : i+size])
			}
			i += size
		}
		return b.String()
	}
}

// padDots is re.sub(r"\.{2,}", r" \g<0> ").
func padDots(s string) string {
	if !strings.Contains(s, "..") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		if s[i] != '.' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '.' {
			j++
		}
		if j-i >= 2 {
			b.WriteByte(' ')
			b.WriteString(s[i:j])
			b.WriteByte(' ')
		} else {
			b.WriteByte('.')
		}
		i = j
	}
	return b.String()
}

// colonComma is re.sub(r"([:,])([^\d])", r" \1 \2") with Python's
// Unicode \d: a colon or comma followed by a non-digit (which the match
// consumes) gets a space on each side.
func colonComma(s string) string {
	if !strings.ContainsAny(s, ":,") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c := s[i]
		if c == ':' || c == ',' {
			if r, size := utf8.DecodeRuneInString(s[i+1:]); size > 0 && !unicode.Is(unicode.Nd, r) {
				b.WriteByte(' ')
				b.WriteByte(c)
				b.WriteByte(' ')
				b.WriteString(s[i+1 : i+1+size])
				i += 1 + size
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// colonCommaEnd is re.sub(r"([:,])$", r" \1 "); Python's $ also matches
// before a final newline.
func colonCommaEnd(s string) string {
	t := strings.TrimSuffix(s, "\n")
	if t == "" || (t[len(t)-1] != ':' && t[len(t)-1] != ',') {
		return s
	}
	return t[:len(t)-1] + " " + t[len(t)-1:] + " " + s[len(t):]
}

// finalPeriod is re.sub(r'([^\.])(\.)([<closers>]*)\s*$', repl): the
// period ending the string, after optional closing marks and whitespace,
// when not part of an ellipsis. The closing marks are kept; the trailing
// whitespace becomes one space. spaced selects the first rule's
// replacement r"\1 \2 \3 " over the second's r"\1 \2\3 ".
func finalPeriod(closers string, spaced bool) step {
	return func(s string) string {
		if !strings.Contains(s, ".") {
			return s
		}
		// The match is the only period p for which s[p+1:] is a run of
		// closers followed by a run of whitespace.
		e := len(strings.TrimRightFunc(s, IsSpace))
		p := len(strings.TrimRight(s[:e], closers)) - 1
		if p < 1 || s[p] != '.' || s[p-1] == '.' {
			return s
		}
		// The closers run is greedy from p+1: it may extend over spaces
		// that were trimmed as whitespace.
		x := p + 1
		for x < len(s) {
			r, size := utf8.DecodeRuneInString(s[x:])
			if !strings.ContainsRune(closers, r) {
				break
			}
			x += size
		}
		var b strings.Builder
		b.Grow(len(s) + 4)
		b.WriteString(s[:p])
		b.WriteByte(' ')
		b.WriteByte('.')
		if spaced {
			b.WriteByte(' ')
		}
		b.WriteString(s[p+1 : x])
		b.WriteByte(' ')
		return b.String()
	}
}

// openQuotes is re.sub("([«“‘„]|[`]+)", r" \1 "): each of « “ ‘ „ and
// each run of backticks gets a space on both sides.
func openQuotes(s string) string {
	if !strings.ContainsAny(s, "«“‘„`") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		if s[i] == '`' {
			j := i
			for j < len(s) && s[j] == '`' {
				j++
			}
			b.WriteByte(' ')
			b.WriteString(s[i:j])
			b.WriteByte(' ')
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '«', '“', '‘', '„':
			b.WriteByte(' ')
			b.WriteString(s[i : i+size])
			b.WriteByte(' ')
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// openingDoubleQuote is re.sub(r"([ \(\[{<])(\"|\'{2})", r"\1 “ "): a
// double quote or two apostrophes after a space or an opening bracket
// become an opening quote token.
func openingDoubleQuote(s string) string {
	if !strings.Contains(s, `"`) && !strings.Contains(s, "''") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c := s[i]
		if strings.IndexByte(" ([{<", c) >= 0 {
			q := 0
			if strings.HasPrefix(s[i+1:], `"`) {
				q = 1
			} else if strings.HasPrefix(s[i+1:], "''") {
				q = 2
			}
			if q > 0 {
				b.WriteByte(c)
				b.WriteString(" `` ")
				i += 1 + q
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// afterRune rewrites, scanning left to right without overlaps like
// re.sub, every match of a rune accepted by ok followed by a suffix that
// match recognises at that point; match returns the suffix length (0 for
// none) and the text to write after the rune.
func afterRune(s string, ok func(rune) bool, match func(rest string) (int, string)) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if ok(r) {
			if n, repl := match(s[i+size:]); n > 0 {
				if b.Len() == 0 {
					b.Grow(len(s) + 16)
				}
				b.WriteString(s[last : i+size])
				b.WriteString(repl)
				i += size + n
				last = i
				continue
			}
		}
		i += size
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func notQuote(r rune) bool        { return r != '\'' }
func notQuoteOrSpace(r rune) bool { return r != '\'' && r != ' ' }
func replaceAll(old, repl string) step {
	return func(s string) string { return strings.ReplaceAll(s, old, repl) }
}

// quoteSpace is re.sub(r"([^'])' ", r"\1 ' ").
func quoteSpace(s string) string {
	if !strings.Contains(s, "' ") {
		return s
	}
	return afterRune(s, notQuote, func(rest string) (int, string) {
		if strings.HasPrefix(rest, "' ") {
			return 2, " ' "
		}
		return 0, ""
	})
}

// clitics1 is re.sub(r"([^' ])('[sS]|'[mM]|'[dD]|') ", r"\1 \2 ").
func clitics1(s string) string {
	if strings.IndexByte(s, '\'') < 0 {
		return s
	}
	return afterRune(s, notQuoteOrSpace, func(rest string) (int, string) {
		if len(rest) >= 3 && rest[0] == '\'' && strings.IndexByte("sSmMdD", rest[1]) >= 0 && rest[2] == ' ' {
			return 3, " " + rest[:2] + " "
		}
		if strings.HasPrefix(rest, "' ") {
			return 2, " ' "
		}
		return 0, ""
	})
}

// clitics2 is re.sub(r"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", r"\1 \2 ").
func clitics2(s string) string {
	if strings.IndexByte(s, '\'') < 0 {
		return s
	}
	return afterRune(s, notQuoteOrSpace, func(rest string) (int, string) {
		if len(rest) < 4 || rest[3] != ' ' {
			return 0, ""
		}
		switch rest[:3] {
		case "'ll", "'LL", "'re", "'RE", "'ve", "'VE", "n't", "N'T":
			return 4, " " + rest[:3] + " "
		}
		return 0, ""
	})
}

var (
	startingQuotes = []rule{
		{openQuotes, "«“‘„`"},
		{func(s string) string {
			if strings.HasPrefix(s, `"`) {
				return "``" + s[1:]
			}
			return s
		}, `"`},
		{replaceAll("``", " `` "), "`"},
		{openingDoubleQuote, `"'`},
		{apostropheSplit, "'"},
	}
	punctuation = []rule{
		{finalPeriod("])}>\"'»”’ ", true), "."},
		{colonComma, ":,"},
		{colonCommaEnd, ":,"},
		{padDots, "."},
		{pad(";@#$%&"), ";@#$%&"},
		{finalPeriod("])}>\"'", false), "."},
		{pad("?!"), "?!"},
		{quoteSpace, "'"},
		{pad("*"), "*"},
	}
	parensBrackets = rule{pad("[](){}<>"), "[](){}<>"}
	doubleDashes   = rule{replaceAll("--", " -- "), "-"}
	endingQuotes   = []rule{
		{pad("»”’"), "»”’"},
		{replaceAll("''", " '' "), "'"},
		{replaceAll(`"`, " '' "), `"`},
		{clitics1, "'"},
		{clitics2, "'"},
	}
)

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
	// The rules only insert spaces and turn double quotes into `` or '',
	// so the bytes present at the start, plus those, bound the bytes
	// present at every step: a rule whose trigger bytes are all absent
	// cannot match and is skipped without scanning the string.
	var seen byteSet
	for i := 0; i < len(s); i++ {
		seen[s[i]] = true
	}
	seen[' '] = true
	if seen['"'] || seen['\''] {
		seen['`'], seen['\''] = true, true
	}
	apply := func(rs ...rule) {
		for _, r := range rs {
			if seen.anyOf(r.trigger) {
				s = r.f(s)
			}
		}
	}
	apply(startingQuotes...)
	apply(punctuation...)
	apply(parensBrackets, doubleDashes)
	s = " " + s + " "
	apply(endingQuotes...)
	lower := asciiLower(s)
	for _, c := range contractions {
		if strings.Contains(lower, c.a+c.b) {
			s = c.apply(s)
			lower = asciiLower(s)
		}
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

// asciiLower lowercases ASCII letters only, keeping byte offsets.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 32
				}
			}
			return string(b)
		}
	}
	return s
}
