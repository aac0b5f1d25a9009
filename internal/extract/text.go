package extract

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
)

// blockTags start and end a line of output. The set covers both HTML and
// the XML-like names go-trafilatura converts tags to in its content tree
// (head, list, item, quote, row, lb, ...), mirroring python trafilatura's
// xmltotxt, which writes one line per block: the layout Common Crawl's WET
// and dolma use and that line-based quality rules downstream expect.
var blockTags = map[string]bool{
	"p": true, "div": true, "section": true, "article": true, "main": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "head": true,
	"ul": true, "ol": true, "li": true, "list": true, "item": true, "dl": true, "dt": true, "dd": true,
	"blockquote": true, "quote": true, "pre": true, "table": true, "tr": true, "row": true,
	"thead": true, "tbody": true, "tfoot": true, "caption": true, "figure": true, "figcaption": true,
	"header": true, "footer": true, "nav": true, "aside": true, "address": true, "details": true,
	"summary": true, "hr": true, "body": true, "html": true, "form": true, "fieldset": true,
}

// cellTags are table cells, joined on one line with " | " as python
// trafilatura's txt output does for cells.
var cellTags = map[string]bool{"td": true, "th": true, "cell": true}

// skipTags never contribute text, whatever the extractor kept.
var skipTags = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true,
	"svg": true, "math": true, "iframe": true, "object": true, "head_meta": true,
}

// renderText turns an extracted content tree into plain text: one line per
// block, inline whitespace collapsed to single spaces (inside <pre> kept as
// is), lines right-trimmed, empty lines removed.
func renderText(n *xhtml.Node) string {
	var r renderer
	r.walk(n, false)
	return finishText(r.b.String())
}

type renderer struct {
	b         strings.Builder
	cellCount int
	// depth is the tree depth of the node being walked and textDepth
	// that of the last text node written.
	depth, textDepth int
}

func (r *renderer) newline() {
	r.b.WriteByte('\n')
	r.cellCount = 0
}

func (r *renderer) walk(n *xhtml.Node, pre bool) {
	switch n.Type {
	case xhtml.TextNode:
		if !pre && r.depth != r.textDepth && gluesWords(r.b.String(), n.Data) {
			// go-trafilatura's content tree often loses the white
			// space between an inline element and its neighbour text
			// ("for<ref>Larry</ref>", "<hi>Summary</hi>Studies").
			// Its own text output (etree.IterText) puts a space at
			// every change of depth; here a space goes only where two
			// letters or digits would otherwise be glued together, so
			// "Garrett</ref>)." keeps its punctuation in place.
			// Measured on Scrapinghub's benchmark: see docs/bench.md.
			r.b.WriteByte(' ')
		}
		r.textDepth = r.depth
		if pre {
			r.b.WriteString(n.Data)
		} else {
			writeCollapsed(&r.b, n.Data)
		}
		return
	case xhtml.ElementNode:
		tag := n.Data
		if skipTags[tag] {
			return
		}
		if tag == "br" || tag == "lb" {
			r.newline()
			return
		}
		if cellTags[tag] {
			if r.cellCount > 0 {
				r.b.WriteString(" | ")
			}
			r.cellCount++
		}
		block := blockTags[tag]
		if block {
			r.newline()
		}
		inPre := pre || tag == "pre"
		r.depth++
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			r.walk(c, inPre)
		}
		r.depth--
		if block {
			r.newline()
		} else if cellTags[tag] {
			r.b.WriteByte(' ')
		}
		return
	case xhtml.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			r.walk(c, pre)
		}
	}
}

// gluesWords reports whether appending next to out would join two word
// characters (letters or digits) with nothing between them.
func gluesWords(out, next string) bool {
	if out == "" || next == "" {
		return false
	}
	a, _ := utf8.DecodeLastRuneInString(out)
	b, _ := utf8.DecodeRuneInString(next)
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }
	return isWord(a) && isWord(b)
}

// writeCollapsed writes s with every run of white space as one space.
func writeCollapsed(b *strings.Builder, s string) {
	space := false
	for _, c := range s {
		if unicode.IsSpace(c) && c != '\u00a0' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(c)
	}
	if space {
		b.WriteByte(' ')
	}
}

// finishText right-trims every line, left-trims collapsed spaces, drops
// empty lines, and unescapes entities that survived parsing (see
// unescapeOnce).
func finishText(s string) string {
	var out strings.Builder
	out.Grow(len(s))
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		line = strings.TrimLeft(line, " ")
		if line == "" {
			continue
		}
		if out.Len() > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(unescapeOnce(line))
	}
	return out.String()
}

// unescapeOnce decodes character references that are still in the text
// after the HTML parser decoded the markup once: pages that escape twice
// ("&amp;eacute;" in the source) otherwise leave "&eacute;" in the text.
// Only complete references ending in ';' are decoded (so "AT&T" and
// "&copy 2019" stay as they are), and only once: "&amp;amp;" becomes
// "&amp;", not "&".
func unescapeOnce(s string) string {
	i := strings.IndexByte(s, '&')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		s = s[i:]
		n := refLen(s)
		if n > 0 {
			dec := html.UnescapeString(s[:n])
			if dec != s[:n] && utf8.ValidString(dec) {
				b.WriteString(dec)
				s = s[n:]
				i = strings.IndexByte(s, '&')
				continue
			}
		}
		b.WriteByte('&')
		s = s[1:]
		i = strings.IndexByte(s, '&')
	}
	b.WriteString(s)
	return b.String()
}

// refLen returns the length of a character reference "&name;", "&#123;"
// or "&#x1F;" at the start of s, or 0.
func refLen(s string) int {
	if len(s) < 3 || s[0] != '&' {
		return 0
	}
	j := 1
	if s[1] == '#' {
		j = 2
		hex := false
		if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
			hex = true
			j++
		}
		start := j
		for j < len(s) && j-start < 8 && (isDigit(s[j]) || hex && isHex(s[j])) {
			j++
		}
		if j == start || j >= len(s) || s[j] != ';' {
			return 0
		}
		return j + 1
	}
	for j < len(s) && j < 33 && (isAlpha(s[j]) || j > 1 && isDigit(s[j])) {
		j++
	}
	if j == 1 || j >= len(s) || s[j] != ';' {
		return 0
	}
	return j + 1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
