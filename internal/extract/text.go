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
// block, inline whitespace collapsed to single spaces, lines right-trimmed,
// empty lines removed. Preformatted text keeps its line breaks and leading
// indentation: <pre>, and a <code> that is a display block (go-trafilatura's
// tag for a code block, main-extractor.go handleCodeBlocks; an inline <code>
// inside a paragraph is ordinary inline text). Python trafilatura's
// xmltotxt likewise writes the text of a code block as is (trafilatura
// xml.py, replace_element_text).
func renderText(n *xhtml.Node) string {
	var r renderer
	r.walk(n, false)
	r.flush()
	return r.out.String()
}

type renderer struct {
	out  strings.Builder // finished lines
	line strings.Builder // the line being written
	// pre is set when the line being written holds preformatted text,
	// whose leading white space is kept.
	pre       bool
	cellCount int
	// depth is the tree depth of the node being walked and textDepth
	// that of the last text node written.
	depth, textDepth int
}

func (r *renderer) newline() {
	r.flush()
	r.cellCount = 0
}

// flush ends the line being written: it is right-trimmed, left-trimmed of
// collapsed spaces unless preformatted, dropped if empty, and has entities
// that survived parsing unescaped (see unescapeOnce).
func (r *renderer) flush() {
	line := strings.TrimRightFunc(r.line.String(), unicode.IsSpace)
	if !r.pre {
		line = strings.TrimLeft(line, " ")
	}
	if strings.TrimSpace(line) != "" {
		if r.out.Len() > 0 {
			r.out.WriteByte('\n')
		}
		r.out.WriteString(unescapeOnce(line))
	}
	r.line.Reset()
	r.pre = false
}

// writePre writes preformatted text, one output line per line of s.
func (r *renderer) writePre(s string) {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		r.pre = true
		r.line.WriteString(s[:i])
		r.newline()
		s = s[i+1:]
	}
	if s != "" {
		r.pre = true
		r.line.WriteString(s)
	}
}

// codeBlock reports whether n, a <code>, is a display block rather than
// inline code: its parent is not an element that holds running text.
func codeBlock(n *xhtml.Node) bool {
	p := n.Parent
	if p == nil || p.Type != xhtml.ElementNode {
		return true
	}
	switch p.Data {
	case "pre", "code", "body", "html", "div", "section", "article", "main",
		"blockquote", "quote", "figure", "details", "doc", "main-content", "comments":
		return true
	}
	return false
}

func (r *renderer) walk(n *xhtml.Node, pre bool) {
	switch n.Type {
	case xhtml.TextNode:
		if !pre && r.depth != r.textDepth && gluesWords(r.line.String(), n.Data) {
			// go-trafilatura's content tree often loses the white
			// space between an inline element and its neighbour text
			// ("for<ref>Larry</ref>", "<hi>Summary</hi>Studies").
			// Its own text output (etree.IterText) puts a space at
			// every change of depth; here a space goes only where two
			// letters or digits would otherwise be glued together, so
			// "Garrett</ref>)." keeps its punctuation in place.
			// Measured on Scrapinghub's benchmark: see docs/bench.md.
			r.line.WriteByte(' ')
		}
		r.textDepth = r.depth
		if pre {
			r.writePre(n.Data)
		} else {
			writeCollapsed(&r.line, n.Data)
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
				r.line.WriteString(" | ")
			}
			r.cellCount++
		}
		block := blockTags[tag]
		if tag == "code" && !pre && codeBlock(n) {
			block = true
		}
		if block {
			r.newline()
		}
		inPre := pre || tag == "pre" || tag == "code" && block
		r.depth++
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			r.walk(c, inPre)
		}
		r.depth--
		if block {
			r.newline()
		} else if cellTags[tag] {
			r.line.WriteByte(' ')
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
