package langid

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"winnow"
)

// FuzzLanguage runs the default language stage and Code on arbitrary
// text: no panic, a code of 2 or 3 letters (or "und"), a score in [0, 1].
func FuzzLanguage(f *testing.F) {
	for _, s := range []string{"", "Hello world", "Das ist gut.\nJa.", "日本語", "\xff\xfe", "__label__eng_Latn", "ру"} {
		f.Add(s, 3)
	}
	st, err := New(DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string, prefix int) {
		_ = Code(text)
		p := Prepare(text, prefix%4096)
		if utf8.ValidString(text) && !utf8.ValidString(p) {
			t.Fatalf("Prepare(%q, %d) cut a rune: %q", text, prefix%4096, p)
		}
		c := capTrigrams(text, 50)
		if !strings.HasPrefix(text, c) || utf8.ValidString(text) && !utf8.ValidString(c) {
			t.Fatalf("capTrigrams(%q, 50) = %q: not a prefix cut at a rune boundary", text, c)
		}
		d := &winnow.Doc{Text: text}
		if _, err := st.Process(context.Background(), []*winnow.Doc{d}); err != nil {
			t.Fatal(err)
		}
		code := d.Attributes["language"].(string)
		score := d.Attributes["language_score"].(float64)
		if len(code) < 2 || len(code) > 3 || score < 0 || score > 1 {
			t.Fatalf("text %q: language %q score %v", text, code, score)
		}
	})
}
