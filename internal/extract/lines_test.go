package extract

import (
	"strings"
	"testing"
)

// TestExtractLineBreaks pins the line layout of <br> and list items to
// python trafilatura's text output (trafilatura/xml.py, xmltotxt and
// sanitize): <br> becomes <lb/>, which ends a line (NEWLINE_ELEMS); every
// <li> becomes an <item> written on its own line; empty lines, as from
// two <br> in a row, are dropped by sanitize.
func TestExtractLineBreaks(t *testing.T) {
	tests := []struct {
		name, block string
		want        []string
	}{
		{"br in paragraph", "<p>First line<br>second line<br/>third</p>", []string{"First line", "second line", "third"}},
		{"br with newline after", "<p>Line a<br>\nLine b</p>", []string{"Line a", "Line b"}},
		{"two br", "<p>First line<br><br>after two</p>", []string{"First line", "after two"}},
		{"list items", "<ul><li>one</li><li>two<br>two b</li><li><p>three para</p></li></ul>", []string{"one", "two", "two b", "three para"}},
		{"inline markup in item", "<ol><li>alpha <b>bold</b> end</li><li>beta<ul><li>nested</li></ul></li></ol>", []string{"alpha bold end", "beta", "nested"}},
		{"inline code in paragraph", "<p>Inline <code>x  y</code> and text</p>", []string{"Inline x y and text"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page := "<html><body><article><h1>Title</h1>" + articleBody + tc.block + articleBody + "</article></body></html>"
			res, err := Extract([]byte(page), "text/html; charset=utf-8", "", DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range strings.Split(res.Text, "\n") {
				if l != "Title" && !strings.HasPrefix(l, "This is a long paragraph") {
					got = append(got, l)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("lines = %q, want %q", got, tc.want)
			}
		})
	}
}
