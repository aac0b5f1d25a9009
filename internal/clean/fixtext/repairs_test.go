package fixtext

import (
	"reflect"
	"strings"
	"testing"
)

// Expected repairs written by hand: byte offsets into the input.
func TestFixRepairs(t *testing.T) {
	for _, tc := range []struct {
		name, in, out string
		want          []Repair
	}{
		{"unchanged", "naïve café", "naïve café", nil},
		{"two mojibake words", "The cafÃ© and the naÃ¯ve dog", "The café and the naïve dog",
			[]Repair{{7, 11, "Ã©", "é"}, {22, 26, "Ã¯", "ï"}}},
		{"double encoding", "cafÃƒÂ© ok", "café ok", []Repair{{3, 11, "ÃƒÂ©", "é"}}},
		{"crlf", "a\r\nb\rc", "a\nb\nc", []Repair{{1, 2, "\r", ""}, {4, 5, "\r", "\n"}}},
		{"entity", "Fish &amp; chips", "Fish & chips", []Repair{{6, 10, "amp;", ""}}},
		{"control and bom", "\ufeffa\x00b", "ab", []Repair{{0, 3, "\ufeff", ""}, {4, 5, "\x00", ""}}},
		{"invalid byte", "x\xffy", "x\uFFFDy", []Repair{{1, 2, "\xff", "\uFFFD"}}},
		{"lines apart", "cafÃ©\nplain\nâ€œhiâ€\u009d", "café\nplain\n“hi”",
			[]Repair{{3, 7, "Ã©", "é"}, {14, 21, "â€œ", "“"}, {23, 30, "â€\u009d", "”"}}},
	} {
		out, reps := FixRepairs(tc.in, DefaultOptions())
		if out != tc.out {
			t.Errorf("%s: text %q, want %q", tc.name, out, tc.out)
		}
		if !reflect.DeepEqual(reps, tc.want) {
			t.Errorf("%s: repairs %+v, want %+v", tc.name, reps, tc.want)
		}
	}
}

// checkRepairs holds FixRepairs to Fix: same text, and the repairs,
// applied to the input, give it.
func checkRepairs(t *testing.T, s string, opts Options) {
	t.Helper()
	out, reps := FixRepairs(s, opts)
	if want := Fix(s, opts); out != want {
		t.Fatalf("FixRepairs(%q) text %q, Fix gives %q", s, out, want)
	}
	var sb strings.Builder
	last := 0
	for _, r := range reps {
		if r.Start < last || r.End < r.Start || r.End > len(s) || s[r.Start:r.End] != r.Old || r.Old == r.New {
			t.Fatalf("FixRepairs(%q): bad repair %+v after %d", s, r, last)
		}
		sb.WriteString(s[last:r.Start])
		sb.WriteString(r.New)
		last = r.End
	}
	sb.WriteString(s[last:])
	if sb.String() != out {
		t.Fatalf("FixRepairs(%q): repairs give %q, text is %q", s, sb.String(), out)
	}
}

// TestFixRepairsReplay checks the repairs on every ftfy case and dolma
// document, under both option sets.
func TestFixRepairsReplay(t *testing.T) {
	var inputs []string
	for _, name := range []string{"in-the-wild.json", "synthetic.json", "language-names.json", "known-failures.json", "negative.json"} {
		for _, c := range loadFTFY(t, name) {
			inputs = append(inputs, c.Original)
		}
	}
	inputs = append(inputs, loadDolma(t)...)
	n := 0
	for _, s := range inputs {
		for _, o := range []Options{DefaultOptions(), FTFYOptions()} {
			checkRepairs(t, s, o)
		}
		if _, reps := FixRepairs(s, DefaultOptions()); len(reps) > 0 {
			n++
		}
	}
	t.Logf("%d of %d texts repaired", n, len(inputs))
	if n < 100 {
		t.Errorf("only %d texts repaired: the check is weak", n)
	}
}

func FuzzFixRepairs(f *testing.F) {
	for _, s := range []string{"cafÃ©", "a\r\n\r\u2028b\u0085", "\xed\xa0\xbd\n\x1a", "&amp;&#10;x", "Ã \xff", "x\u200dy"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkRepairs(t, s, DefaultOptions())
		checkRepairs(t, s, FTFYOptions())
		o := DefaultOptions()
		o.FixLineBreaks = false
		o.FixSurrogates = false
		checkRepairs(t, s, o)
	})
}
