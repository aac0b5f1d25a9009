package eval

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"winnow/internal/clean"
	"winnow/internal/extract"
	"winnow/internal/testutil"
)

// subsetFloors are the F1 floors of the CI subset (30 pages spread over
// each benchmark, Benchmark.Sample), a little under the measured values
// recorded in docs/bench.md so that a real regression fails and noise
// does not. Measured with extract and clean defaults: Scrapinghub 0.963,
// trafilatura 0.872, WCXB 0.851 (0.841 before the go-readability rescue
// of internal/extract).
var subsetFloors = map[string]float64{
	Scrapinghub: 0.95,
	Trafilatura: 0.85,
	WCXB:        0.82,
}

func loadBench(t testing.TB, name string) *Benchmark {
	t.Helper()
	rel := map[string]string{Scrapinghub: "scrapinghub-aeb", Trafilatura: "trafilatura-eval", WCXB: "wcxb-test"}[name]
	b, err := Load(testutil.Shared(t, filepath.Join("corpus/extraction", rel)), name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestExtractionSubset runs winnow's HTML path (extract, then clean) over
// 30 pages of each benchmark and checks the F1 against floors; with
// WINNOW_EVAL_FULL=1 it runs every page and only logs (the full figures
// are recorded in docs/bench.md).
func TestExtractionSubset(t *testing.T) {
	full := os.Getenv("WINNOW_EVAL_FULL") == "1"
	ccfg := clean.DefaultConfig()
	ex := HTMLPath(extract.DefaultConfig(), &ccfg)
	wantPages := map[string]int{Scrapinghub: 181, Trafilatura: 990, WCXB: 511}
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			b := loadBench(t, name)
			if len(b.Pages) != wantPages[name] {
				t.Fatalf("%d pages, want %d", len(b.Pages), wantPages[name])
			}
			pages := b.Sample(30)
			if full {
				pages = b.Pages
			}
			rep, err := Run(name, pages, ex)
			if err != nil {
				t.Fatal(err)
			}
			var sb strings.Builder
			rep.WriteSummary(&sb)
			t.Logf("\n%s", sb.String())
			if rep.Errors > 0 {
				for _, r := range rep.Results {
					if r.Err != nil {
						t.Errorf("%s: %v", r.ID, r.Err)
					}
				}
			}
			if !full && rep.Score.F1 < subsetFloors[name] {
				t.Errorf("F1 %.3f below the floor %.3f", rep.Score.F1, subsetFloors[name])
			}
			if dir := os.Getenv("WINNOW_EVAL_DIFF"); dir != "" {
				if err := rep.WriteDiffs(dir, pages); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name  string
		types map[string]int
	}{
		{Scrapinghub, nil},
		{Trafilatura, nil},
		// Page types of the test split (SOURCES.md).
		{WCXB, map[string]int{"article": 257, "service": 59, "forum": 51, "documentation": 42, "listing": 40, "collection": 34, "product": 28}},
	} {
		b := loadBench(t, tc.name)
		if got := Detect(b.Dir); got != tc.name {
			t.Errorf("Detect(%s) = %q, want %q", b.Dir, got, tc.name)
		}
		var with, without int
		types := map[string]int{}
		for _, p := range b.Pages {
			with += len(p.With)
			without += len(p.Without)
			if p.Type != "" {
				types[p.Type]++
			}
		}
		if tc.name == Trafilatura && (with != 2951 || without != 2966) {
			t.Errorf("trafilatura: %d with and %d without snippets, want 2951 and 2966", with, without)
		}
		if tc.types != nil && fmt.Sprint(types) != fmt.Sprint(tc.types) {
			t.Errorf("wcxb page types %v, want %v", types, tc.types)
		}
		if html, err := b.Pages[0].HTML(); err != nil || len(html) < 100 {
			t.Errorf("%s: first page: %d bytes, %v", tc.name, len(html), err)
		}
	}
	all, err := Find(filepath.Dir(loadBench(t, WCXB).Dir))
	if err != nil || len(all) != 3 {
		t.Errorf("Find over the extraction folder: %v, %v", all, err)
	}
	if _, err := Load(t.TempDir(), ""); err == nil {
		t.Error("Load of an empty folder succeeded")
	}
}

func TestRunAndDiffs(t *testing.T) {
	pages := []Page{
		{ID: "a", Truth: "one two three four five", File: writeGz(t, "<p>one two three four five</p>")},
		{ID: "b", Truth: "alpha beta gamma delta\nsecond line here now", File: writeGz(t, "<p>alpha beta gamma delta</p>")},
	}
	ex := func(html []byte, url string) (string, error) {
		s := strings.TrimSuffix(strings.TrimPrefix(string(html), "<p>"), "</p>")
		if s == "alpha beta gamma delta" {
			s += "\nnavigation menu item"
		}
		return s, nil
	}
	rep, err := Run(Scrapinghub, pages, ex)
	if err != nil {
		t.Fatal(err)
	}
	// Page a perfect; page b: truth shingles 5 (alphabeta..., ... 8
	// tokens → 5), pred 7 tokens → 4 shingles, 1 shared.
	want := ShingleScore([]Counts{ShingleCounts(pages[0].Truth, "one two three four five"),
		ShingleCounts(pages[1].Truth, "alpha beta gamma delta\nnavigation menu item")}, []bool{true, false})
	if rep.Score != want || rep.Results[0].F1 != 1 {
		t.Errorf("score %+v, want %+v", rep.Score, want)
	}
	dir := t.TempDir()
	if err := rep.WriteDiffs(dir, pages); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, Scrapinghub, "b.txt"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, "## missed (ground-truth lines not in the text)\nsecond line here now\n") ||
		!strings.Contains(s, "## extra (text lines not in the ground truth)\nnavigation menu item\n") {
		t.Errorf("diff file:\n%s", s)
	}
	idx, _ := os.ReadFile(filepath.Join(dir, Scrapinghub, "index.tsv"))
	if lines := strings.Split(string(idx), "\n"); len(lines) < 3 || !strings.HasPrefix(lines[1], "b.txt") {
		t.Errorf("index does not list the worst page first:\n%s", idx)
	}
}
