package extract

import (
	"strings"
	"testing"

	"winnow/internal/testutil"
)

// articleBody is enough ordinary prose for go-trafilatura to take the
// <article> as the main content.
var articleBody = strings.Repeat("<p>This is a long paragraph of ordinary article text that the extractor keeps because it is the content of the page.</p>\n", 4)

// TestExtractKeepsPreformatted checks that the line breaks and leading
// indentation inside <pre> and <pre><code> survive extraction, as
// python trafilatura's xmltotxt keeps the text of a code block as is
// (trafilatura/xml.py, replace_element_text and process_element).
func TestExtractKeepsPreformatted(t *testing.T) {
	code := "for i in range(3):\n    # print the number\n    print(i)\nif done:\n    break"
	codeLines := "for i in range(3):\n    # print the number\n    print(i)\nif done:\n    break"
	tests := []struct {
		name, block, want string
	}{
		{"plain pre", "<pre>" + code + "</pre>", codeLines},
		{"pre code", "<pre><code>" + code + "</code></pre>", codeLines},
		{"pre code with class", `<pre class="language-python"><code class="language-python">` + code + "</code></pre>", codeLines},
		{"highlighted spans", `<pre><span class="k">for</span> i <span class="k">in</span> range(3):` + "\n" +
			`    <span class="c"># print the number</span>` + "\n" + `    print(i)</pre>`,
			"for i in range(3):\n    # print the number\n    print(i)"},
		{"tabs and blank line", "<pre>a = {\n\tb: 1,\n\n\tc: 2,\n}</pre>", "a = {\n\tb: 1,\n\tc: 2,\n}"},
		{"jsx in pre code", "<pre><code>function Example() {\n  const [count, setCount] = useState(0);\n  return (\n    &lt;div&gt;\n  );\n}</code></pre>",
			"function Example() {\n  const [count, setCount] = useState(0);\n  return (\n    <div>\n  );\n}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page := "<html><body><article><h1>Title</h1>" + articleBody + tc.block + articleBody + "</article></body></html>"
			res, err := Extract([]byte(page), "text/html; charset=utf-8", "", DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.Text, "\n"+tc.want+"\n") {
				t.Errorf("text does not hold the block as lines %q:\n%s", tc.want, res.Text)
			}
		})
	}
}

// TestRenderCode checks the writer of the content tree on the shapes
// go-trafilatura gives code: a display <code> (its tag for a code block)
// keeps line breaks and indentation, an inline <code> inside a paragraph
// is ordinary inline text.
func TestRenderCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<body><p>Intro</p><code><code>x = 1\n  y = 2</code></code><p>After</p></body>", "Intro\nx = 1\n  y = 2\nAfter"},
		{"<body><p>Intro</p><code>if a:\n    b()</code></body>", "Intro\nif a:\n    b()"},
		{"<body><pre>  indented\n    more</pre></body>", "  indented\n    more"},
		{"<body><p>Call <code>foo()</code> then\n  <code>bar()</code>.</p></body>", "Call foo() then bar()."},
		{"<body><p>Use <code>a\n  b</code> here</p></body>", "Use a b here"},
		// A line of spaces only is an empty line and is dropped.
		{"<body><pre>a\n   \nb</pre></body>", "a\nb"},
	}
	for _, tc := range tests {
		if got := renderText(parse(t, tc.in)); got != tc.want {
			t.Errorf("renderText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestExtractCodeRealPages checks code blocks of real pages from the WCXB
// test split: React's documentation of the Effect Hook (page 4400,
// <pre><code> with highlighted spans) keeps the lines of its examples as
// the ground truth has them (WCXB's ground truth strips the indentation,
// the page has it).
func TestExtractCodeRealPages(t *testing.T) {
	page := gunzipFile(t, testutil.Shared(t, "corpus/extraction/wcxb-test/html/4400.html.gz"))
	res, err := Extract(page, "text/html", "https://legacy.reactjs.org/docs/hooks-effect.html", DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"import React, { useState, useEffect } from 'react';\nfunction Example() {\n  const [count, setCount] = useState(0);\n",
		"\n  useEffect(() => {\n    document.title = `You clicked ${count} times`;\n  });\n",
		"\nuseEffect(() => {\n  document.title = `You clicked ${count} times`;\n}, [count]); // Only re-run the effect if count changes\n",
	} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("text lacks the code lines %q", want)
		}
	}
}
