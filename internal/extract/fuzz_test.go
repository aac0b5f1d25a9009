package extract

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzExtract feeds arbitrary bytes and Content-Type headers to Extract:
// it must not panic, and whatever it returns is valid UTF-8 text of the
// documented shape.
func FuzzExtract(f *testing.F) {
	f.Add([]byte(page(`<article>`+article+`</article>`)), "text/html")
	f.Add([]byte("<meta charset=euc-jp><p>\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf</p>"), "")
	f.Add([]byte("\xff\xfe<\x00p\x00>\x00"), "text/html; charset=utf-16")
	f.Add([]byte("<p>Caf&amp;eacute; &#x1F600; &#0; &#xFFFFFF;</p>"), "text/html;; charset=")
	f.Add([]byte("<table><tr><td>a<td>b</table><pre>x\n  y</pre><br><script>x</script>"), "text/html; charset=iso-2022-kr")
	f.Add([]byte("<html><head><meta http-equiv=content-type content='charset=\"x-user-defined'></head>"), "")
	f.Fuzz(func(t *testing.T, b []byte, contentType string) {
		r, err := Extract(b, contentType, "https://example.com/a", DefaultConfig())
		if err != nil {
			return
		}
		if !utf8.ValidString(r.Text) {
			t.Fatalf("invalid UTF-8 text %q", r.Text)
		}
		for _, line := range strings.Split(r.Text, "\n") {
			if r.Text != "" && (line == "" || strings.TrimRight(line, " \t\r") != line) {
				t.Fatalf("badly shaped line %q in %q", line, r.Text)
			}
		}
	})
}
