package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"winnow"
)

// applyEdits applies edits forward, as the clean step does: each edit's
// offsets index the text as it was before that edit.
func applyEdits(text string, edits []winnow.Edit) string {
	for _, e := range edits {
		text = text[:e.Start] + e.Repl + text[e.End:]
	}
	return text
}

func TestBefore(t *testing.T) {
	tests := []struct {
		name   string
		before string
		edits  []winnow.Edit
		marked []string // texts of the marked segments, in order
	}{
		{"no edits", "abc", nil, nil},
		{"one removal", "keep\nMenu Home\nkeep", []winnow.Edit{{Rule: "boilerplate", Start: 5, End: 15, Text: "Menu Home\n"}}, []string{"Menu Home\n"}},
		{"two removals, second in shifted text", "a XX b YY c",
			[]winnow.Edit{{Rule: "r1", Start: 2, End: 5, Text: "XX "}, {Rule: "r2", Start: 4, End: 7, Text: "YY "}},
			[]string{"XX ", "YY "}},
		{"repair replaces", "caf\u00c3\u00a9 ok", []winnow.Edit{{Rule: "unicode_repair", Start: 3, End: 7, Text: "\u00c3\u00a9", Repl: "é"}}, []string{"\u00c3\u00a9"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			after := applyEdits(tc.before, tc.edits)
			segs, ok := Before(after, tc.edits)
			if !ok {
				t.Fatal("edits do not fit")
			}
			var all strings.Builder
			var marked []string
			for _, s := range segs {
				all.WriteString(s.Text)
				if s.Rule != "" {
					marked = append(marked, s.Text)
				}
			}
			if all.String() != tc.before {
				t.Errorf("rebuilt %q, want %q", all.String(), tc.before)
			}
			if fmt.Sprint(marked) != fmt.Sprint(tc.marked) {
				t.Errorf("marked %q, want %q", marked, tc.marked)
			}
		})
	}
	if _, ok := Before("short", []winnow.Edit{{Start: 10, End: 12, Text: "xx"}}); ok {
		t.Error("edits past the text accepted")
	}
}

func TestHistogramBins(t *testing.T) {
	h := &Histogram{Edges: []float64{0, 10, 50}, Kept: make([]int64, 3), Dropped: make([]int64, 3)}
	for _, v := range []float64{-1, 0, 9.9, 10, 49, 50, 1e9} {
		h.add(v, false)
	}
	h.add(10, true)
	if want := []int64{3, 2, 2}; fmt.Sprint(h.Kept) != fmt.Sprint(want) {
		t.Errorf("kept %v, want %v", h.Kept, want)
	}
	if want := []int64{0, 1, 0}; fmt.Sprint(h.Dropped) != fmt.Sprint(want) {
		t.Errorf("dropped %v, want %v", h.Dropped, want)
	}
}

func docs(n int) []*winnow.Doc {
	var out []*winnow.Doc
	for i := range n {
		d := &winnow.Doc{ID: fmt.Sprintf("doc-%04d", i), Text: strings.Repeat("w ", i%40)}
		switch i % 3 {
		case 0:
			d.SetDrop("gopher_quality", "min_words", float64(i%40), "")
		case 1:
			d.Edits = []winnow.Edit{{Rule: "boilerplate", Start: 0, End: 2, Text: "w "}}
		}
		d.SetAttr("gopher_quality/word_count", float64(i%40))
		out = append(out, d)
	}
	return out
}

// The sample holds the k smallest id hashes per reservoir, whatever the
// order the documents arrive in.
func TestReservoirOrderIndependent(t *testing.T) {
	ds := docs(300)
	ids := func(c *Collector) string {
		var b strings.Builder
		for _, s := range c.Samples() {
			fmt.Fprintf(&b, "%s%v ", s.ID, s.Reservoirs)
		}
		return b.String()
	}
	a := NewCollector(Options{SampleSize: 4})
	for _, d := range ds {
		in, _ := a.Input(d)
		a.Observe(d, in)
	}
	b := NewCollector(Options{SampleSize: 4})
	for i := len(ds) - 1; i >= 0; i-- {
		b.Observe(ds[i], "")
	}
	if ids(a) != ids(b) {
		t.Errorf("sample depends on order:\n%s\n%s", ids(a), ids(b))
	}
	for name, list := range a.res {
		if len(list) != 4 {
			t.Errorf("reservoir %s holds %d, want 4", name, len(list))
		}
		// the smallest hashes of all documents of that reservoir
		var min uint64 = ^uint64(0)
		for _, d := range ds {
			if (name == "kept" && d.Drop == nil) || (d.Drop != nil && d.Drop.Reason() == name) || (name == EditPrefix+"boilerplate" && len(d.Edits) > 0) {
				min = minU(min, idHash(d.ID))
			}
		}
		if list[0].hash != min {
			t.Errorf("reservoir %s starts at %x, want the smallest hash %x", name, list[0].hash, min)
		}
	}
	if n := a.h.Stages["gopher_quality"].Dropped; n != 100 {
		t.Errorf("gopher_quality dropped %d, want 100", n)
	}
	if n := a.h.EditDocs["boilerplate"]; n != 100 {
		t.Errorf("boilerplate edited %d documents, want 100", n)
	}
}

func minU(a, b uint64) uint64 {
	if a < b {
		return a
	}
	return b
}

func FuzzReadSamples(f *testing.F) {
	f.Add([]byte(`{"id":"a","reservoirs":["kept"],"reason":"kept","output":"x","edits":[{"rule":"r","start":0,"end":1,"text":"y"}]}` + "\n"))
	f.Add([]byte(`{"id":1}`))
	f.Add([]byte("{\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ss, err := readSamples(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, s := range ss {
			Before(s.Output, s.Edits) // must not panic on any edits
		}
	})
}

func BenchmarkObserve(b *testing.B) {
	ds := docs(1000)
	var size int64
	for _, d := range ds {
		size += int64(len(d.Text))
	}
	b.SetBytes(size)
	for b.Loop() {
		c := NewCollector(Options{})
		for _, d := range ds {
			in, _ := c.Input(d)
			c.Observe(d, in)
		}
	}
}
