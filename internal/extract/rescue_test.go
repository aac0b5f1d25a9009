package extract

import (
	"golang.org/x/net/html"

	"strings"
	"testing"
)

// TestRescue: a page whose first paragraph trafilatura may settle on, with
// the rest of the article in sibling containers; and the guards that keep
// the main text.
func TestRescueGuards(t *testing.T) {
	tests := []struct {
		name      string
		alt, main string
		cover     float64
		repeated  float64
	}{
		{"superset", "a b c d\ne f g h", "a b c", 1, 0},
		{"other part of the page", "x y z w\nv u", "a b c d", 0, 0},
		{"half", "a b x y", "a b c d", 0.5, 0},
		{"repeated lines", "teaser one\nShare Tweet\nteaser two\nShare Tweet\nteaser three\nShare Tweet", "", 1, 2.0 / 6},
	}
	for _, tc := range tests {
		if got := covers(tc.alt, tc.main); got != tc.cover {
			t.Errorf("%s: covers = %v, want %v", tc.name, got, tc.cover)
		}
		if got := repeatedLines(tc.alt); got != tc.repeated {
			t.Errorf("%s: repeatedLines = %v, want %v", tc.name, got, tc.repeated)
		}
	}
}

func TestRescueText(t *testing.T) {
	var paras []string
	for _, s := range []string{
		"The committee met on Tuesday to discuss the new budget for the harbour district and its old warehouses.",
		"Members argued for two hours about the cost of repairing the sea wall, which storms damaged last winter.",
		"The chair proposed to split the work into three phases, the first of which would start in the spring.",
		"Residents who attended the meeting asked whether the fish market would stay open during the works.",
		"The engineers said the market could remain open, although its car park would close for some months.",
		"A final vote is expected next month, after the regional government confirms its share of the money.",
	} {
		paras = append(paras, "<p>"+s+"</p>")
	}
	short := "The committee met on Tuesday to discuss the new budget for the harbour district and its old warehouses."
	decoded := "<html><body><nav><a href=/>Home</a> <a href=/news>News</a></nav><article>" + strings.Join(paras, "") + "</article></body></html>"
	got := rescueText(decoded, "https://example.org/a", short)
	for _, w := range []string{"sea wall", "fish market", "final vote"} {
		if !strings.Contains(got, w) {
			t.Errorf("rescued text lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "Home") {
		t.Errorf("rescued text keeps the navigation:\n%s", got)
	}
	// A main text the second extraction does not contain is kept.
	other := "Completely different words about mountains and rivers that the article never mentions at all."
	if got := rescueText(decoded, "", other); got != other {
		t.Errorf("text replaced by a text that does not cover it:\n%s", got)
	}
	// A long main text is never replaced.
	long := strings.Repeat("word ", 300)
	if got := rescueText(decoded, "", long); got != long {
		t.Error("long text replaced")
	}
}

func TestRenderSpacesGluedInline(t *testing.T) {
	tests := []struct{ in, want string }{
		// Adjacent text at different depths: letters are kept apart.
		{`<p>tackle for<a href="/x">Larry Ogunjobi</a>, and<b>Summary</b>Studies</p>`, "tackle for Larry Ogunjobi, and Summary Studies"},
		// Punctuation stays attached; existing spaces are not doubled.
		{`<p>(well, <a href="/y">Garrett</a>). Next <i>word</i> here</p>`, "(well, Garrett). Next word here"},
		// Same depth: no change.
		{`<p>one two</p>`, "one two"},
	}
	for _, tc := range tests {
		doc := parse(t, tc.in)
		if got := renderText(doc); got != tc.want {
			t.Errorf("renderText(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func parse(t *testing.T, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
