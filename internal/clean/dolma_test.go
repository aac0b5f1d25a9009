package clean

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"sort"
	"testing"

	"winnow/internal/testutil"
)

const dolmaSample = "corpus/warc/dolma/jsonl/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"

func loadDolma(t testing.TB, limit int) []string {
	t.Helper()
	f, err := os.Open(testutil.Shared(t, dolmaSample))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 64<<20)
	var texts []string
	for sc.Scan() && (limit <= 0 || len(texts) < limit) {
		var d struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, d.Text)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return texts
}

// TestDolmaRemovalShares runs the default rules over the 697 Common Crawl
// documents of the dolma sample and reports the share of characters each
// rule removes; it fails when cleaning eats an implausible share of real
// web text.
func TestDolmaRemovalShares(t *testing.T) {
	texts := loadDolma(t, 0)
	if len(texts) != 697 {
		t.Fatalf("%d documents, want 697", len(texts))
	}
	total := 0
	byRule := map[string]int{}
	drops := map[string]int{}
	for _, s := range texts {
		total += len(s)
		res := Clean(s, DefaultConfig())
		for _, e := range res.Edits {
			byRule[e.Rule] += e.End - e.Start
		}
		if res.Drop != nil {
			drops[res.Drop.Rule]++
		}
	}
	rules := make([]string, 0, len(byRule))
	removed := 0
	for r, n := range byRule {
		rules = append(rules, r)
		if r != RuleUnicode {
			removed += n
		}
	}
	sort.Strings(rules)
	for _, r := range rules {
		t.Logf("%-18s %8d bytes  %.3f%%", r, byRule[r], 100*float64(byRule[r])/float64(total))
	}
	t.Logf("documents dropped: %v of %d", drops, len(texts))
	share := float64(removed) / float64(total)
	t.Logf("removed in all: %.2f%% of %d bytes", 100*share, total)
	if share > 0.25 {
		t.Errorf("removed %.1f%% of real web text", 100*share)
	}
	if n := len(texts) - sumValues(drops); n < len(texts)*9/10 {
		t.Errorf("only %d of %d documents kept", n, len(texts))
	}
}

func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// BenchmarkClean measures the default clean step on the first 200
// documents of the dolma sample.
func BenchmarkClean(b *testing.B) {
	texts := loadDolma(b, 200)
	n := 0
	for _, s := range texts {
		n += len(s)
	}
	cfg := DefaultConfig()
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, s := range texts {
			Clean(s, cfg)
		}
	}
}
