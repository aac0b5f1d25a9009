package dedup

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"winnow"
	"winnow/internal/testutil"
)

// TestLinesAgainstDolma compares line dedup with dolma's paragraph dedup
// on its own test documents (corpus/neardup/dolma-paragraph-dedupe: 10
// Common Crawl documents, two from one site sharing navigation and
// footer). dolma marks `\n`-split paragraphs already seen, exactly, in
// file order (a Bloom filter at a 0.001 false-positive rate); winnow
// removes lines whose cc_net-normalised form an earlier document has. The
// spans are a tool's output, so the test asserts agreement on this
// material: the same documents lose text, and the text each keeps is the
// same once empty lines are ignored.
func TestLinesAgainstDolma(t *testing.T) {
	base := testutil.Shared(t, "corpus/neardup/dolma-paragraph-dedupe")
	var docs []*winnow.Doc
	readGz(t, filepath.Join(base, "documents-000.json.gz"), func(b []byte) {
		var d struct{ ID, Text string }
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, &winnow.Doc{ID: d.ID, Text: d.Text})
	})
	spans := map[string][][3]int{}
	readGz(t, filepath.Join(base, "expected-dedupe-paragraphs.json.gz"), func(b []byte) {
		var e struct {
			ID         string
			Attributes struct {
				Spans [][3]int `json:"bff_duplicate_paragraph_spans"`
			}
		}
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		spans[e.ID] = e.Attributes.Spans
	})
	want := map[string]string{}
	for _, d := range docs {
		// dolma's spans are code point offsets; the last paragraph's
		// span counts a newline that the text does not have
		r := []rune(d.Text)
		var kept []rune
		at := 0
		for _, s := range spans[d.ID] {
			kept = append(kept, r[at:s[0]]...)
			at = min(s[1], len(r))
		}
		kept = append(kept, r[at:]...)
		want[d.ID] = nonEmptyLines(string(kept))
	}
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Lines.Enabled = true
	writeOutput(t, dir, cfg, docs, 10, 10)
	res, err := Run(context.Background(), Options{Dir: dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := readDir(t, dir)
	if len(kept) != len(docs) {
		t.Fatalf("%d documents kept of %d", len(kept), len(docs))
	}
	changed := 0
	for i, d := range kept {
		if d.Text != docs[i].Text {
			changed++
		}
		if got := nonEmptyLines(d.Text); got != want[d.ID] {
			g, w := strings.Split(got, "\n"), strings.Split(want[d.ID], "\n")
			for k := 0; k < max(len(g), len(w)); k++ {
				if k >= len(g) || k >= len(w) || g[k] != w[k] {
					t.Errorf("%s: kept text differs from dolma's at line %d of %d/%d:\n got: %.200q\nwant: %.200q", d.ID, k, len(g), len(w), strings.Join(g[k:min(k+2, len(g))], "|"), strings.Join(w[k:min(k+2, len(w))], "|"))
					break
				}
			}
			have := map[string]bool{}
			for _, l := range g {
				have[l] = true
			}
			for _, l := range w {
				if !have[l] {
					t.Logf("dolma keeps, winnow removes: %q", l)
				}
			}
			wh := map[string]bool{}
			for _, l := range w {
				wh[l] = true
			}
			for _, l := range g {
				if !wh[l] {
					t.Logf("winnow keeps, dolma removes: %q", l)
				}
			}
		}
	}
	nspans := 0
	for _, sp := range spans {
		nspans += len(sp)
	}
	t.Logf("%d lines removed from %d documents; dolma marks %d paragraphs", res.LinesRemoved, changed, nspans)
	if res.LinesRemoved != int64(nspans) {
		t.Errorf("%d lines removed, dolma marks %d paragraphs", res.LinesRemoved, nspans)
	}
	if changed != 1 {
		t.Errorf("%d documents edited, dolma edits 1", changed)
	}
}

func nonEmptyLines(s string) string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func readGz(t *testing.T, path string, fn func([]byte)) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(z)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return
		}
		fn(raw)
	}
}
