package eval

import (
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Extractor turns one page's HTML bytes into text; url is the page's
// address ("" when unknown). An error counts as a failed extraction.
type Extractor func(html []byte, url string) (string, error)

// PageResult is one page's extraction and score.
type PageResult struct {
	ID, URL, Type string
	Text          string
	Err           error
	// Precision, Recall and F1 are the page's own scores: shingle scores
	// (Scrapinghub), word-bag scores (WCXB), snippet scores of this page
	// alone (trafilatura).
	Precision, Recall, F1 float64
	Shingles              Counts    // Scrapinghub
	Snippets              Confusion // trafilatura
	With, Without         float64   // WCXB snippet rates
	Time                  time.Duration
}

// TypeScore is the mean score of one WCXB page type.
type TypeScore struct {
	Type  string
	Pages int
	Score Score
}

// Report is the result of Run over one benchmark.
type Report struct {
	Benchmark string
	Pages     int
	Errors    int // extractions that returned an error
	Empty     int // extractions that returned no text
	Score     Score
	// Types is the score per page type, in WCXB's order (WCXB only).
	Types []TypeScore
	// With and Without are WCXB's mean snippet rates (WCXB only).
	With, Without float64
	// Wall is the wall time and CPU the process CPU time (user + system,
	// all threads, 0 where unsupported) spent in the extractor.
	Wall, CPU time.Duration
	Results   []PageResult
}

// PagesPerSecond is pages per second of wall time.
func (r *Report) PagesPerSecond() float64 { return rate(r.Pages, r.Wall) }

// PagesPerCPUSecond is pages per second of CPU time: the per-core
// throughput, independent of other load on the machine.
func (r *Report) PagesPerCPUSecond() float64 { return rate(r.Pages, r.CPU) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// wcxbTypes is evaluate.py's TYPE_ORDER.
var wcxbTypes = []string{"article", "forum", "product", "collection", "listing", "documentation", "service"}

// Run extracts pages (one at a time, in order) with ex and scores them by
// the benchmark's own method. Errors: a page whose HTML file cannot be
// read; extraction errors are counted, not returned.
func Run(name string, pages []Page, ex Extractor) (*Report, error) {
	rep := &Report{Benchmark: name, Pages: len(pages)}
	var shingles []Counts
	var equal []bool
	var conf Confusion
	for _, p := range pages {
		html, err := p.HTML()
		if err != nil {
			return nil, err
		}
		c0 := cpuTime()
		t0 := time.Now()
		text, xerr := ex(html, p.URL)
		d := time.Since(t0)
		rep.Wall += d
		rep.CPU += cpuTime() - c0
		pr := PageResult{ID: p.ID, URL: p.URL, Type: p.Type, Text: text, Err: xerr, Time: d}
		if xerr != nil {
			rep.Errors++
			pr.Text = ""
		} else if strings.TrimSpace(text) == "" {
			rep.Empty++
		}
		switch name {
		case Scrapinghub:
			c := ShingleCounts(p.Truth, pr.Text)
			shingles = append(shingles, c)
			equal = append(equal, TokensEqual(p.Truth, pr.Text))
			pr.Shingles, pr.Precision, pr.Recall, pr.F1 = c, c.Precision(), c.Recall(), c.F1()
		case Trafilatura:
			c := CountSnippets(p.With, p.Without, pr.Text, xerr == nil)
			conf.Add(c)
			s := c.Score()
			pr.Snippets, pr.Precision, pr.Recall, pr.F1 = c, s.Precision, s.Recall, s.F1
		case WCXB:
			pr.Precision, pr.Recall, pr.F1 = WordF1(pr.Text, p.Truth)
			pr.With, pr.Without = SnippetRate(pr.Text, p.With), SnippetRate(pr.Text, p.Without)
		default:
			return nil, fmt.Errorf("eval: unknown benchmark %q", name)
		}
		rep.Results = append(rep.Results, pr)
	}
	switch name {
	case Scrapinghub:
		rep.Score = ShingleScore(shingles, equal)
	case Trafilatura:
		rep.Score = conf.Score()
	case WCXB:
		rep.Score, rep.With, rep.Without = meanWCXB(rep.Results)
		for _, ty := range wcxbTypes {
			var rs []PageResult
			for _, r := range rep.Results {
				if r.Type == ty {
					rs = append(rs, r)
				}
			}
			if len(rs) > 0 {
				s, _, _ := meanWCXB(rs)
				rep.Types = append(rep.Types, TypeScore{Type: ty, Pages: len(rs), Score: s})
			}
		}
	}
	return rep, nil
}

// meanWCXB averages per-page P, R, F1 and snippet rates as WCXB's
// evaluate.py (evaluate_results): the F1 is the mean of per-page F1s, not
// the harmonic mean of mean P and mean R.
func meanWCXB(rs []PageResult) (s Score, with, without float64) {
	if len(rs) == 0 {
		return
	}
	for _, r := range rs {
		s.Precision += r.Precision
		s.Recall += r.Recall
		s.F1 += r.F1
		with += r.With
		without += r.Without
	}
	n := float64(len(rs))
	return Score{Precision: s.Precision / n, Recall: s.Recall / n, F1: s.F1 / n}, with / n, without / n
}

// WriteSummary prints the report: the benchmark's P, R, F1 (and accuracy
// or snippet rates), per page type for WCXB, and the speed.
func (r *Report) WriteSummary(w io.Writer) {
	fmt.Fprintf(w, "%-12s pages %4d  precision %.3f  recall %.3f  F1 %.3f", r.Benchmark, r.Pages, r.Score.Precision, r.Score.Recall, r.Score.F1)
	switch r.Benchmark {
	case Scrapinghub:
		fmt.Fprintf(w, "  accuracy %.3f", r.Score.Accuracy)
	case Trafilatura:
		fmt.Fprintf(w, "  accuracy %.3f", r.Score.Accuracy)
	case WCXB:
		fmt.Fprintf(w, "  with %.1f%%  without %.1f%%", 100*r.With, 100*r.Without)
	}
	fmt.Fprintf(w, "\n%-12s empty %d  errors %d  %.1f pages/s wall, %.1f pages/s per core (CPU %.1fs)\n", "", r.Empty, r.Errors,
		r.PagesPerSecond(), r.PagesPerCPUSecond(), r.CPU.Seconds())
	for _, t := range r.Types {
		fmt.Fprintf(w, "  %-14s %4d  precision %.3f  recall %.3f  F1 %.3f\n", t.Type, t.Pages, t.Score.Precision, t.Score.Recall, t.Score.F1)
	}
}

// WriteDiffs writes, for study, one file per page into dir/<benchmark>/
// (named by page ID, made file-system safe) with the page's scores, the
// ground-truth lines the text misses, the text's lines that are not in
// the ground truth, and the text itself; plus index.tsv listing the pages
// from the lowest F1 up. A line is missed (extra) when under half of its
// lower-cased words occur in the other side's text. For trafilatura, which
// has no full ground truth, the missed with snippets and the found
// without snippets are listed instead.
func (r *Report) WriteDiffs(dir string, pages []Page) error {
	out := filepath.Join(dir, r.Benchmark)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	byID := make(map[string]*Page, len(pages))
	for i := range pages {
		byID[pages[i].ID] = &pages[i]
	}
	order := make([]int, len(r.Results))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return r.Results[order[a]].F1 < r.Results[order[b]].F1 })
	var index strings.Builder
	index.WriteString("file\tf1\tprecision\trecall\ttype\turl\n")
	for _, i := range order {
		res := r.Results[i]
		p := byID[res.ID]
		if p == nil {
			continue
		}
		name := safeName(res.ID) + ".txt"
		fmt.Fprintf(&index, "%s\t%.3f\t%.3f\t%.3f\t%s\t%s\n", name, res.F1, res.Precision, res.Recall, res.Type, res.URL)
		var b strings.Builder
		fmt.Fprintf(&b, "url: %s\ntype: %s\nprecision %.3f  recall %.3f  F1 %.3f  time %v\n", res.URL, res.Type, res.Precision, res.Recall, res.F1, res.Time)
		if res.Err != nil {
			fmt.Fprintf(&b, "error: %v\n", res.Err)
		}
		if r.Benchmark == Trafilatura {
			t := normSpace(res.Text)
			b.WriteString("\n## missed (with snippets not found)\n")
			for _, s := range p.With {
				if !strings.Contains(t, normSpace(s)) {
					b.WriteString(s + "\n")
				}
			}
			b.WriteString("\n## extra (without snippets found)\n")
			for _, s := range p.Without {
				if strings.Contains(t, normSpace(s)) {
					b.WriteString(s + "\n")
				}
			}
		} else {
			b.WriteString("\n## missed (ground-truth lines not in the text)\n")
			writeUncovered(&b, p.Truth, res.Text)
			b.WriteString("\n## extra (text lines not in the ground truth)\n")
			writeUncovered(&b, res.Text, p.Truth)
		}
		b.WriteString("\n## text\n" + res.Text + "\n")
		if err := os.WriteFile(filepath.Join(out, name), []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("eval: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(out, "index.tsv"), []byte(index.String()), 0o644); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	return nil
}

// writeUncovered writes the lines of a whose lower-cased words are less
// than half present in other.
func writeUncovered(w *strings.Builder, a, other string) {
	have := map[string]bool{}
	for _, t := range Words(pyLower(other)) {
		have[t] = true
	}
	for line := range strings.SplitSeq(a, "\n") {
		ws := Words(pyLower(line))
		if len(ws) == 0 {
			continue
		}
		var n int
		for _, t := range ws {
			if have[t] {
				n++
			}
		}
		if 2*n < len(ws) {
			w.WriteString(strings.TrimSpace(line) + "\n")
		}
	}
}

// safeName maps a page ID (a URL for trafilatura) to a file name.
func safeName(id string) string {
	id = strings.TrimPrefix(strings.TrimPrefix(id, "https://"), "http://")
	b := []byte(id)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) > 100 {
		// Long URLs may share a prefix: keep them apart with a hash.
		h := fnv.New64a()
		h.Write([]byte(id))
		return fmt.Sprintf("%s_%016x", b[:100], h.Sum64())
	}
	return string(b)
}
