// Package extract is winnow's extraction step: it turns the HTML payload of
// a document (a WARC response body) into clean main-content text.
//
// For each page it determines the charset (BOM, HTTP Content-Type, <meta>
// prescan, statistical detection; see [Extract]), decodes the bytes to
// UTF-8 with golang.org/x/text, parses them once with golang.org/x/net/html
// and runs github.com/markusmobius/go-trafilatura v1.12.2 with its fallback
// extractors off (F1 0.962 at 6.5 ms/page on Scrapinghub's article
// extraction benchmark, measured for winnow's dependency survey). When it
// returns little text, go-readability gets a second look at the page (see
// rescueText). The content tree is written out as one line per block, as
// Common Crawl's WET files and dolma do.
package extract

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Config is the extract step's configuration.
type Config struct {
	// Timeout is the time budget of one document (a Go duration such as
	// "2s"; 0 disables it). A page that takes longer is dropped as
	// extract/timeout. Default 5s: on the 181 pages of Scrapinghub's
	// benchmark the slowest page takes well under 100 ms on one core of
	// the reference machine, so 5 s only catches pathological input while
	// leaving room for a loaded machine. (datatrove's Trafilatura step uses
	// 0.1 s, which on 2 shared cores drops ordinary long pages.)
	Timeout time.Duration `yaml:"timeout"`

	// MaxPayloadBytes drops larger payloads as extract/too_large before
	// any parsing (0 disables the limit). Default 8 MiB: HTML pages above
	// that are almost never articles, and Common Crawl truncates response
	// payloads at 1 MiB anyway (WARC-Truncated: length).
	MaxPayloadBytes int `yaml:"max_payload_bytes"`

	// MinTextChars drops documents whose text has fewer characters
	// (runes) as extract/empty. Default 1: drop only empty text, as
	// datatrove's extractors do; length filtering belongs to the quality
	// step.
	MinTextChars int `yaml:"min_text_chars"`

	// IncludeTables keeps the text of <table> elements. Default true, as
	// trafilatura and datatrove.
	IncludeTables bool `yaml:"include_tables"`

	// IncludeComments keeps the comment section of a page. Default false,
	// as datatrove's Trafilatura step (include_comments=False).
	IncludeComments bool `yaml:"include_comments"`

	// Favor is "precision", "recall" or "" (balanced, the default):
	// trafilatura's favor_precision / favor_recall.
	Favor string `yaml:"favor"`
}

// DefaultConfig returns the defaults documented on Config.
func DefaultConfig() Config {
	return Config{
		Timeout:         5 * time.Second,
		MaxPayloadBytes: 8 << 20,
		MinTextChars:    1,
		IncludeTables:   true,
	}
}

// Validate reports every invalid field, joined.
func (c Config) Validate() error {
	var errs []error
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("extract: timeout %v is negative", c.Timeout))
	}
	if c.MaxPayloadBytes < 0 {
		errs = append(errs, fmt.Errorf("extract: max_payload_bytes %d is negative", c.MaxPayloadBytes))
	}
	if c.MinTextChars < 0 {
		errs = append(errs, fmt.Errorf("extract: min_text_chars %d is negative", c.MinTextChars))
	}
	switch c.Favor {
	case "", "precision", "recall":
	default:
		errs = append(errs, fmt.Errorf("extract: favor %q is not \"precision\", \"recall\" or \"\"", c.Favor))
	}
	return errors.Join(errs...)
}

// ErrTooLarge is returned (wrapped) by Extract for a payload above
// Config.MaxPayloadBytes.
var ErrTooLarge = errors.New("extract: payload too large")

// Result is what Extract finds in one page.
type Result struct {
	// Text is the main content, one line per block, no empty lines, no
	// trailing white space; "" when the page has no main content.
	Text string
	// Title is the page title from its metadata (<title>, og:title, JSON-LD).
	Title string
	// Charset is the WHATWG name of the encoding used, lower case
	// ("utf-8", "euc-jp", "windows-1252", "gbk").
	Charset string
	// CharsetSource says how Charset was chosen: "bom", "http", "meta",
	// "detected" or "default".
	CharsetSource string
}

// Extract decodes one HTML page and extracts its main content.
//
// contentType is the HTTP Content-Type header ("" when unknown) and url
// the page's address, used by trafilatura to resolve links and sitename
// ("" when unknown). The charset is chosen in the HTML Standard's order
// (§13.2.3.1): byte order mark, then the charset parameter of contentType,
// then a <meta charset> / <meta http-equiv="content-type"> in the head;
// without a declaration, valid UTF-8 is utf-8 and anything else goes to
// statistical detection (github.com/saintfish/chardet, the ICU
// detectors), defaulting to utf-8. A declared utf-8 that the bytes
// contradict in a large way is overruled by detection (see
// wrongUTF8Share for the measurement behind the rule). Bytes undefined in
// the chosen encoding become U+FFFD.
//
// Errors: ErrTooLarge and ErrCharset (wrapped) for pages that cannot be
// processed; any other error is a failure of the extractor. An empty Text
// with a nil error means the page has no main content. Extract does not
// enforce cfg.Timeout (the Stage does) and may panic if the extractor
// does; the Stage recovers.
func Extract(page []byte, contentType, url string, cfg Config) (Result, error) {
	if cfg.MaxPayloadBytes > 0 && len(page) > cfg.MaxPayloadBytes {
		return Result{}, fmt.Errorf("%w: %d bytes > %d", ErrTooLarge, len(page), cfg.MaxPayloadBytes)
	}
	cs, err := detectCharset(page, contentType)
	if err != nil {
		return Result{CharsetSource: cs.source, Charset: cs.name}, err
	}
	res := Result{Charset: cs.name, CharsetSource: cs.source}
	text, err := decode(page, cs)
	if err != nil {
		return res, err
	}
	// html.Parse reads from a string-backed reader and never fails on
	// malformed markup; an error here can only come from the reader.
	doc, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return res, fmt.Errorf("extract: parse html: %w", err)
	}
	prepare(doc)
	out, err := trafilatura.ExtractDocument(doc, options(cfg, url))
	if err != nil {
		return res, fmt.Errorf("extract: trafilatura: %w", err)
	}
	res.Title = out.Metadata.Title
	res.Text = renderText(out.ContentNode)
	if cfg.Favor != "precision" {
		res.Text = rescueText(text, url, res.Text)
	}
	if cfg.IncludeComments && out.CommentsNode != nil {
		if c := renderText(out.CommentsNode); c != "" {
			if res.Text != "" {
				res.Text += "\n"
			}
			res.Text += c
		}
	}
	return res, nil
}

// options maps Config to go-trafilatura's options. Fallback extractors
// (readability, dom-distiller) are off: measured best F1 and half the
// time. Date extraction is off: winnow does not use the publication date
// and go-htmldate is the slowest part of go-trafilatura's metadata pass.
// MinOutputSize 0 makes an empty page an empty result instead of an
// error, so that errors mean failures.
func options(cfg Config, pageURL string) trafilatura.Options {
	tc := trafilatura.DefaultConfig()
	tc.MinOutputSize = 0
	tc.MinOutputCommentSize = 0
	opts := trafilatura.Options{
		Config:          tc,
		EnableFallback:  false,
		ExcludeComments: !cfg.IncludeComments,
		ExcludeTables:   !cfg.IncludeTables,
		HtmlDateMode:    trafilatura.Disabled,
	}
	switch cfg.Favor {
	case "precision":
		opts.Focus = trafilatura.FavorPrecision
	case "recall":
		opts.Focus = trafilatura.FavorRecall
	}
	if pageURL != "" {
		if u, err := url.Parse(pageURL); err == nil && u.IsAbs() {
			opts.OriginalURL = u
		}
	}
	return opts
}

// prepare edits the parsed page before go-trafilatura sees it:
//
//   - it removes <script> (except JSON-LD, which trafilatura reads for
//     metadata and, in its baseline, for articleBody), <style>,
//     <noscript> and <template>. trafilatura's own cleaning removes them
//     too, but its baseline fallback ("take the text of the whole
//     document" for pages under 100 characters) runs on a less cleaned
//     copy and would let <noscript> text through;
//   - it puts a newline between a block element and an adjacent sibling
//     when the markup has no white space there. trafilatura's baseline
//     takes the concatenated text content of <article> or <body>, which
//     otherwise glues "<h1>Title</h1><p>Text" into "TitleText";
//   - it wraps the content of a <pre> in a <code> unless its one child
//     element already is a <code>. go-trafilatura keeps the text of a code
//     block as is (isCodeBlockElement, handleCodeBlocks: a <pre> whose
//     one child is a <code>) but trims and collapses the text of any
//     other <pre> as a quote, which turns a program into one line.
//
// Pretty-printed HTML already has such white space between blocks, so the
// main extractor sees nothing unusual.
func prepare(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode {
			if dropTag(c) {
				n.RemoveChild(c)
				c = next
				continue
			}
			if c.Data == "pre" {
				wrapPre(c)
			}
			if blockTags[c.Data] || cellTags[c.Data] || c.Data == "br" {
				if p := c.PrevSibling; p != nil && !endsSpace(p) {
					n.InsertBefore(&html.Node{Type: html.TextNode, Data: "\n"}, c)
				}
				if next != nil && !startsSpace(next) {
					n.InsertBefore(&html.Node{Type: html.TextNode, Data: "\n"}, next)
				}
			}
			prepare(c)
		}
		c = next
	}
}

// wrapPre moves the children of pre into one <code> child, unless its one
// child element is a <code> already.
func wrapPre(pre *html.Node) {
	var elems int
	var first *html.Node
	for c := pre.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			elems++
			first = c
		}
	}
	if pre.FirstChild == nil || elems == 1 && first.Data == "code" {
		return
	}
	code := &html.Node{Type: html.ElementNode, Data: "code", DataAtom: atom.Code}
	for c := pre.FirstChild; c != nil; {
		next := c.NextSibling
		pre.RemoveChild(c)
		code.AppendChild(c)
		c = next
	}
	pre.AppendChild(code)
}

func dropTag(n *html.Node) bool {
	switch n.Data {
	case "style", "noscript", "template":
		return true
	case "script":
		for _, a := range n.Attr {
			if a.Key == "type" && strings.EqualFold(strings.TrimSpace(a.Val), "application/ld+json") {
				return false
			}
		}
		return true
	}
	return false
}

func endsSpace(n *html.Node) bool {
	return n.Type == html.TextNode && n.Data != "" && isSpaceByte(n.Data[len(n.Data)-1])
}

func startsSpace(n *html.Node) bool {
	return n.Type == html.TextNode && n.Data != "" && isSpaceByte(n.Data[0])
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' }
