package eval

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"winnow/internal/testutil"
)

// TestScrapinghubPublished scores the tool outputs shipped with
// Scrapinghub's benchmark (output/*.json) with ShingleScore and compares
// with the figures upstream publishes for them in README.rst (commit
// 4a3bc979, "Results of the latest evaluation"; boilerpipe from "Results
// of the initial evaluation, done in November 2019"): F1, precision,
// recall and accuracy, each to 3 decimals.
func TestScrapinghubPublished(t *testing.T) {
	dir := testutil.Shared(t, "corpus/extraction/scrapinghub-aeb")
	b, err := Load(dir, Scrapinghub)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Pages) != 181 {
		t.Fatalf("%d pages, want 181", len(b.Pages))
	}
	published := []struct {
		tool, version       string
		f1, prec, rec, accu float64
	}{
		{"boilerpipe", "", 0.860, 0.850, 0.870, 0.006},
		{"go_readability", "9f5bf5c", 0.934, 0.900, 0.971, 0.188},
		{"go_trafilatura", "ae7ea06", 0.960, 0.940, 0.980, 0.287},
		{"html-text", "0.7.0", 0.665, 0.500, 0.994, 0.000},
		{"justext", "3.0.2", 0.804, 0.858, 0.756, 0.088},
		{"readability", "0.8.4.1", 0.922, 0.913, 0.931, 0.315},
		{"readability_js", "0.6.0", 0.947, 0.914, 0.982, 0.166},
		{"trafilatura", "2.0.0", 0.958, 0.938, 0.978, 0.293},
	}
	for _, pub := range published {
		t.Run(pub.tool, func(t *testing.T) {
			pred, version, err := LoadPredictions(filepath.Join(dir, "output", pub.tool+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if version != pub.version {
				t.Errorf("version %q, want %q", version, pub.version)
			}
			if len(pred) != len(b.Pages) {
				t.Fatalf("%d predictions for %d pages", len(pred), len(b.Pages))
			}
			var counts []Counts
			var equal []bool
			for _, p := range b.Pages {
				text, ok := pred[p.ID]
				if !ok {
					t.Fatalf("no prediction for %s", p.ID)
				}
				counts = append(counts, ShingleCounts(p.Truth, text))
				equal = append(equal, TokensEqual(p.Truth, text))
			}
			s := ShingleScore(counts, equal)
			got := fmt.Sprintf("F1 %.3f P %.3f R %.3f acc %.3f", s.F1, s.Precision, s.Recall, s.Accuracy)
			want := fmt.Sprintf("F1 %.3f P %.3f R %.3f acc %.3f", pub.f1, pub.prec, pub.rec, pub.accu)
			t.Logf("%s %s: %s (unrounded F1 %.5f)", pub.tool, version, got, s.F1)
			if got != want {
				t.Errorf("got %s, published %s", got, want)
			}
			if math.IsNaN(s.F1) {
				t.Error("NaN F1")
			}
		})
	}
}
