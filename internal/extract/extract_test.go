package extract

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// article is a paragraph long enough (> 250 runes, trafilatura's
// MinExtractedSize) that trafilatura treats the page as an article.
const article = `<p>The river town kept its old stone bridge, which the council restored in 1998 with money from the regional fund. Every spring the water rises to within a metre of the arches, and the older residents still remember the flood of 1962 that carried away the mill.</p>
<p>Today the bridge carries only walkers and cyclists, and a small museum in the former toll house tells the story of the crossing from Roman times to the present day.</p>`

func page(body string) string {
	return "<!DOCTYPE html><html><head><title>River town</title></head><body>" + body + "</body></html>"
}

func TestExtractContent(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name      string
		html      string
		want      []string // substrings that must be in the text
		wantNot   []string // substrings that must not be in the text
		wantLines int      // exact number of lines, when > 0
	}{
		{
			name:    "script sibling of the content at body level",
			html:    page(`<article>` + article + `</article><script>var trackingSecret = "do-not-leak"; window.dataLayer.push({a: 1});</script>`),
			want:    []string{"old stone bridge", "toll house"},
			wantNot: []string{"trackingSecret", "dataLayer", "do-not-leak"},
		},
		{
			name:    "script between paragraphs",
			html:    page(`<div><p>The river town kept its old stone bridge, which the council restored in 1998 with money from the regional fund and a gift from a local family.</p><script>document.write("injectedScriptText")</script><p>Today the bridge carries only walkers and cyclists, and a small museum in the former toll house tells the story of the crossing.</p></div>`),
			want:    []string{"old stone bridge", "toll house"},
			wantNot: []string{"injectedScriptText", "document.write"},
		},
		{
			name:    "JSON-LD never in the text",
			html:    `<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"River town","author":{"@type":"Person","name":"Jsonld Author"}}</script></head><body><article>` + article + `</article><script type="application/ld+json">{"@type":"BreadcrumbList","itemListElement":[]}</script></body></html>`,
			want:    []string{"old stone bridge"},
			wantNot: []string{"@context", "schema.org", "BreadcrumbList", "{", "Jsonld Author"},
		},
		{
			name:    "style never in the text",
			html:    `<html><head><style>.hidden{display:none}</style></head><body><article><style>p.lead{color:red}</style>` + article + `</article></body></html>`,
			want:    []string{"old stone bridge"},
			wantNot: []string{"display:none", "color:red", "p.lead"},
		},
		{
			name:    "noscript never in the text",
			html:    page(`<article>` + article + `<noscript>Please enable JavaScript to view the comments.</noscript></article>`),
			want:    []string{"old stone bridge"},
			wantNot: []string{"enable JavaScript"},
		},
		{
			name:    "entities decoded",
			html:    page(`<article><p>Caf&eacute; owners &amp; bakers said the town&#8217;s market is the oldest in the region &mdash; older than the bridge itself, which the council restored in 1998 with money from the regional fund.</p>` + article + `</article>`),
			want:    []string{"Café owners & bakers said the town’s market", "region — older"},
			wantNot: []string{"&eacute;", "&amp;", "&#8217;", "&mdash;"},
		},
		{
			name:    "double-escaped entities decoded once",
			html:    page(`<article><p>Caf&amp;eacute; owners &amp;amp; bakers said the town&amp;#8217;s market is the oldest in the region, older than the bridge itself, which the council restored in 1998.</p>` + article + `</article>`),
			want:    []string{"Café owners & bakers said the town’s market"},
			wantNot: []string{"&eacute;", "&#8217;"},
		},
		{
			name:    "bare fragment with entities and inline code",
			html:    `<p>To compare two values use <code>a &lt; b</code> or <code>a &amp;&amp; b</code> in the condition; the compiler rejects &quot;a &lt;&gt; b&quot; since version 2.0 of the language, which the release notes explain at length for everyone who upgrades from the old series of the compiler and its tools.</p>`,
			want:    []string{"To compare two values use a < b or a && b in the condition", `"a <> b"`},
			wantNot: []string{"<code>", "&lt;", "&amp;", "&quot;"},
		},
		{
			name:      "one line per block",
			html:      page(`<article><h1>River town</h1>` + article + `<ul><li>First item of the list of sights</li><li>Second item of the list</li></ul></article>`),
			want:      []string{"\nFirst item of the list of sights\nSecond item of the list"},
			wantLines: 5,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Extract([]byte(tc.html), "", "", cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, r.Text)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(r.Text, w) {
					t.Errorf("text contains %q:\n%s", w, r.Text)
				}
			}
			checkTextShape(t, r.Text)
			if tc.wantLines > 0 {
				if n := strings.Count(r.Text, "\n") + 1; n != tc.wantLines {
					t.Errorf("got %d lines, want %d:\n%s", n, tc.wantLines, r.Text)
				}
			}
		})
	}
}

// checkTextShape asserts the invariants of every extracted text: no tags,
// no blank lines, no leading or trailing white space on a line.
func checkTextShape(t *testing.T, text string) {
	t.Helper()
	if text == "" {
		return
	}
	for i, line := range strings.Split(text, "\n") {
		if line == "" {
			t.Errorf("line %d is empty", i)
		}
		if strings.TrimSpace(line) != line {
			t.Errorf("line %d has surrounding white space: %q", i, line)
		}
	}
	for _, tag := range []string{"<p>", "<div", "<script", "<style", "</"} {
		if strings.Contains(text, tag) {
			t.Errorf("text contains markup %q", tag)
		}
	}
}

func TestExtractNavigationOnly(t *testing.T) {
	html := page(`<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/about">About us</a></li></ul></nav></header>
<footer><p>&copy; 2024 Example Media Ltd. All rights reserved.</p><ul><li><a href="/privacy">Privacy</a></li><li><a href="/terms">Terms</a></li></ul></footer>`)
	r, err := Extract([]byte(html), "", "", DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	// Measured: trafilatura's baseline fallback (pages under 100
	// characters of content) returns the whole document's text without
	// <footer> and <aside>, so the title and the menu entries remain:
	// "River town Home News Sport About us". Little text, no footer.
	if n := len([]rune(r.Text)); n > 40 {
		t.Errorf("navigation-only page gave %d characters of text, want at most 40: %q", n, r.Text)
	}
	if strings.Contains(r.Text, "rights reserved") || strings.Contains(r.Text, "Privacy") {
		t.Errorf("footer in the text: %q", r.Text)
	}
	for _, tc := range []struct {
		min      int
		wantDrop bool
	}{{1, false}, {50, true}} {
		cfg := DefaultConfig()
		cfg.MinTextChars = tc.min
		s, _ := New(cfg)
		d := docWith(html)
		if _, err := s.Process(t.Context(), docs(d)); err != nil {
			t.Fatal(err)
		}
		if got := d.Drop != nil && d.Drop.Reason() == "extract/empty"; got != tc.wantDrop {
			t.Errorf("min_text_chars %d: drop = %+v, want dropped %v", tc.min, d.Drop, tc.wantDrop)
		}
	}
}

func TestExtractGiantTextNode(t *testing.T) {
	// 5 MB of words in one text node without any tag.
	words := []string{"river", "bridge", "stone", "market", "town", "water", "mill", "arch"}
	var b strings.Builder
	for i := 0; b.Len() < 5<<20; i++ {
		b.WriteString(words[i%len(words)])
		b.WriteByte(' ')
	}
	in := b.String()
	cfg := DefaultConfig()
	start := time.Now()
	r, err := Extract([]byte(in), "", "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("5 MB text node: %v, %d bytes of text", time.Since(start), len(r.Text))
	// Measured: the whole text comes out, as one line.
	if want := strings.TrimSpace(in); r.Text != want {
		t.Errorf("got %d bytes of text, want all %d", len(r.Text), len(want))
	}
}

func TestExtractCookieNotice(t *testing.T) {
	cookie := `<div class="cookie-banner" id="cookie-consent"><p>We use cookies and similar technologies to recognise your repeat visits and preferences, to measure the effectiveness of campaigns and to analyse traffic. By clicking Accept all you consent to the use of cookies by us and by our partners. You can change your choice at any time in the privacy settings at the bottom of every page. Some cookies are necessary for the site to work and cannot be switched off. For more information about the cookies we use and how we process your personal data please read our cookie policy and our privacy notice.</p><button>Accept all</button></div>`
	short := `<article><h1>Bridge reopens</h1><p>The old stone bridge over the river reopened on Monday after a year of repairs, the council said. Walkers and cyclists may use it from dawn to dusk.</p></article>`
	r, err := Extract([]byte(page(cookie+short)), "", "", DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "reopened on Monday") {
		t.Errorf("article missing from text:\n%s", r.Text)
	}
	if strings.Contains(r.Text, "We use cookies") {
		t.Errorf("cookie notice in the text:\n%s", r.Text)
	}
	// The heading and the paragraph must not be glued together.
	if strings.Contains(r.Text, "reopensThe") {
		t.Errorf("heading glued to the paragraph:\n%s", r.Text)
	}
}

func TestUnescapeOnce(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"Caf&eacute;", "Café"},
		{"a &amp;amp; b", "a &amp; b"},
		{"&amp;", "&"},
		{"it&#8217;s", "it’s"},
		{"&#x41;&#X42;", "AB"},
		{"AT&T and R&D", "AT&T and R&D"},
		{"&copy 2019", "&copy 2019"},
		{"&nosuchentity;", "&nosuchentity;"},
		{"& ; &; &#; &#x;", "& ; &; &#; &#x;"},
		{"trailing &", "trailing &"},
		{"&lt;b&gt;", "<b>"},
	}
	for _, tc := range tests {
		if got := unescapeOnce(tc.in); got != tc.want {
			t.Errorf("unescapeOnce(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestConfig(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
	bad := Config{Timeout: -1, MaxPayloadBytes: -1, MinTextChars: -1, Favor: "speed"}
	err := bad.Validate()
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, w := range []string{"timeout", "max_payload_bytes", "min_text_chars", "favor"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %s", err, w)
		}
	}
	if _, err := New(bad); err == nil {
		t.Error("New accepted a bad config")
	}

	cfg := DefaultConfig()
	src := "timeout: 2s\nmax_payload_bytes: 1048576\nmin_text_chars: 200\ninclude_tables: false\ninclude_comments: true\nfavor: precision\n"
	if err := yaml.Unmarshal([]byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	want := Config{Timeout: 2 * time.Second, MaxPayloadBytes: 1 << 20, MinTextChars: 200, IncludeTables: false, IncludeComments: true, Favor: "precision"}
	if cfg != want {
		t.Errorf("decoded %+v, want %+v", cfg, want)
	}
}
