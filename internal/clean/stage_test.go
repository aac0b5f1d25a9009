package clean

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"winnow"
)

func TestStage(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Explain = true
	st, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Name() != "clean" {
		t.Errorf("name %q", st.Name())
	}
	docs := []*winnow.Doc{
		{ID: "a", Text: "Share on Facebook\nThe storm passed overnight.\n"},
		{ID: "b", Text: strings.Repeat("\uFFFD\uFFFD word ", 10)},
		{ID: "c", Text: "Plain text stays the same.\n"},
	}
	out, err := st.Process(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 {
		t.Fatalf("%d docs", len(out))
	}
	if out[0].Text != "The storm passed overnight.\n" || out[0].Drop != nil {
		t.Errorf("a: %q %+v", out[0].Text, out[0].Drop)
	}
	if len(out[0].Edits) != 1 || out[0].Edits[0].Rule != RuleBoilerplate || out[0].Edits[0].Start != 0 || out[0].Edits[0].End != 18 {
		t.Errorf("a edits %+v", out[0].Edits)
	}
	ed, ok := out[0].Attributes["clean/edits"].([][]any)
	if !ok || len(ed) != 1 || ed[0][0] != 0 || ed[0][1] != 18 || ed[0][2] != RuleBoilerplate {
		t.Errorf("a clean/edits %#v", out[0].Attributes["clean/edits"])
	}
	if out[1].Drop == nil || out[1].Drop.Reason() != "clean/replacement_char_ratio" {
		t.Errorf("b drop %+v", out[1].Drop)
	}
	if out[2].Text != "Plain text stays the same.\n" || len(out[2].Edits) != 0 || out[2].Attributes["clean/replacement_char_ratio"] != 0.0 {
		t.Errorf("c: %q %+v %v", out[2].Text, out[2].Edits, out[2].Attributes)
	}
	if err := st.Close(); err != nil {
		t.Error(err)
	}
}

func TestExplain(t *testing.T) {
	in := "The cafÃ© is open.[3]\nShare on Facebook\n"
	res := Clean(in, DefaultConfig())
	var b bytes.Buffer
	if err := Explain(&b, in, res); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"== input (", in,
		"== after unicode repair",
		"== output (19 bytes)\nThe café is open.\n\n",
		"The café is open.[-[3]-]{citation}\n[-Share on Facebook\n-]{boilerplate}",
		"unicode_repair\t[7,11)\t\"Ã©\" -> \"é\"",
		"== repairs\nThe caf[-Ã©-]{+é+} is open.[3]\n",
		"citation\t[18,21)\t\"[3]\"",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("explain lacks %q:\n%s", want, got)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{
		"", "\n\n\n", "The cafÃ© is open.[3]\n", "var x = function(a) { [2] Text here.",
		"\xed\xa0\xbd\xed\xb8\x80 \xff\xfe", "• a • b •", "{{{}}}", "Lorem ipsum {", "&amp;&#0;&#x110000;",
		strings.Repeat("word ", 300), "a\u200d\u200cb", "\uFFFD",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, cfg := range []Config{DefaultConfig(), C4Config()} {
			for _, mode := range []string{"lines", "sentences"} {
				if cfg.Compat == "c4" && mode == "sentences" {
					continue
				}
				cfg.Mode = mode
				res := Clean(s, cfg)
				if !utf8Valid(res.Text) {
					t.Fatalf("invalid UTF-8 out of %q", s)
				}
				if got := replay(t, s, res.Edits); got != res.Text {
					t.Fatalf("edits replayed on %q give %q, text %q", s, got, res.Text)
				}
				r := res.Repaired
				for _, e := range res.Edits {
					if e.Rule == RuleUnicode {
						continue
					}
					if e.Start < 0 || e.End > len(r) || e.Start > e.End || r[e.Start:e.End] != e.Text {
						t.Fatalf("bad edit %+v on %q", e, s)
					}
					r = r[:e.Start] + r[e.End:]
				}
				if r != res.Text {
					t.Fatalf("edits do not replay for %q", s)
				}
			}
		}
	})
}

// replay applies edits in order to s: each replaces s[Start:End], which
// must equal its Text, with its Repl.
func replay(t *testing.T, s string, edits []winnow.Edit) string {
	t.Helper()
	for _, e := range edits {
		if e.Start < 0 || e.End > len(s) || e.Start > e.End || s[e.Start:e.End] != e.Text {
			t.Fatalf("edit %+v does not fit %q", e, s)
		}
		s = s[:e.Start] + e.Repl + s[e.End:]
	}
	return s
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\x00") == s }
