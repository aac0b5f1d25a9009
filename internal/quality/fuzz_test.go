package quality

import (
	"math"
	"testing"

	"winnow"
)

// FuzzFilters runs every filter in both profiles on arbitrary text: no
// panic, no NaN or infinite signal, and tag-only never drops or edits.
func FuzzFilters(f *testing.F) {
	for _, s := range []string{"", "\n", goodText, "a\r\nb\r\n", "### ... …\n• -", "\xff\xfe\x00", "東京は日本の首都です。", "lorem ipsum {", "[1] [edit]"} {
		f.Add(s, "en")
		f.Add(s, "")
	}
	stages := map[Profile]map[string]winnow.Stage{}
	for _, p := range []Profile{Datatrove, Dolma} {
		stages[p] = newStages(f, p)
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		for p, ss := range stages {
			for name, st := range ss {
				d := &winnow.Doc{Text: text}
				d.SetAttr("language", lang)
				sigs, _, err := Measure(st, d)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range sigs {
					if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) || s.Value < 0 {
						t.Fatalf("%s/%s: %s = %v on %q", p, name, s.Name, s.Value, text)
					}
				}
				if _, err := st.Process(t.Context(), []*winnow.Doc{d}); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
