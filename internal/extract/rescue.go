package extract

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-shiori/go-readability"
	"golang.org/x/net/html"
)

// Parameters of the rescue extraction (rescueText), chosen on the three
// benchmarks of internal/eval (docs/bench.md, "extraction"): 1000, 2 and
// 0.8 raised trafilatura's evaluation set from F1 0.909 to 0.913 and
// WCXB from 0.814 to 0.827 and left Scrapinghub at 0.962; without the
// coverage and repeated-line guards Scrapinghub fell to 0.954.
const (
	// rescueMaxRunes: the rescue runs only when the main text is shorter
	// (runes).
	rescueMaxRunes = 1000
	// rescueFactor: the second text must be this many times longer.
	rescueFactor = 2
	// rescueCover: share of the main text's words the second text must
	// hold, so that it extends what was found rather than being another
	// part of the page.
	rescueCover = 0.8
	// rescueMaxRepeated: largest share of repeated lines in the second
	// text; more is a listing ("Share Tweet" under every teaser).
	rescueMaxRepeated = 0.1
)

// rescueText runs a second extractor, github.com/go-shiori/go-readability
// (a port of Mozilla's Readability.js), when go-trafilatura returned
// little: the main-content heuristics of trafilatura sometimes settle on
// the first paragraph of an article or the question of a forum thread.
// The readability text, rendered like the main one, replaces text when it
// is rescueFactor times longer, holds rescueCover of text's words and has
// few repeated lines. decoded is the page as UTF-8; it is parsed again,
// which costs time only on pages with short text.
func rescueText(decoded, pageURL, text string) string {
	n := utf8.RuneCountInString(text)
	if n >= rescueMaxRunes {
		return text
	}
	doc, err := html.Parse(strings.NewReader(decoded))
	if err != nil {
		return text
	}
	prepare(doc)
	var u *url.URL
	if p, err := url.Parse(pageURL); err == nil && p.IsAbs() {
		u = p
	}
	art, err := readability.FromDocument(doc, u)
	if err != nil || art.Node == nil {
		return text
	}
	alt := renderText(art.Node)
	if utf8.RuneCountInString(alt) > rescueFactor*n && covers(alt, text) >= rescueCover && repeatedLines(alt) <= rescueMaxRepeated {
		return alt
	}
	return text
}

// repeatedLines returns the share of s's lines that repeat an earlier
// line: share buttons under every teaser of a listing.
func repeatedLines(s string) float64 {
	seen := map[string]bool{}
	var n, rep int
	for line := range strings.SplitSeq(s, "\n") {
		n++
		if seen[line] {
			rep++
		}
		seen[line] = true
	}
	return float64(rep) / float64(n)
}

// covers returns the share of the words of b (lower-cased letter and digit
// runs, counted with multiplicity) that occur in a; 1 when b has none.
func covers(a, b string) float64 {
	bag := map[string]int{}
	for _, w := range words(a) {
		bag[w]++
	}
	var n, hit int
	for _, w := range words(b) {
		n++
		if bag[w] > 0 {
			bag[w]--
			hit++
		}
	}
	if n == 0 {
		return 1
	}
	return float64(hit) / float64(n)
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}
