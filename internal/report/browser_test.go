package report_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"winnow/internal/config"
	"winnow/internal/report"
	"winnow/internal/run"
	"winnow/internal/testutil"
)

// runWithReport runs the pipeline of testdata/pipeline.yaml over the
// Common Crawl whirlwind WARC and the dolma JSONL samples with the
// report collector on, and writes OUTDIR/report.html.
func runWithReport(t *testing.T) (outDir string, st *run.Stats) {
	t.Helper()
	cfg, err := config.Load("testdata/pipeline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 2
	report.Enable(cfg)
	outDir = t.TempDir()
	st, err = run.Run(context.Background(), run.Options{
		Inputs: []string{
			testutil.Shared(t, "corpus/warc/cc-whirlwind/whirlwind.warc.gz"),
			testutil.Shared(t, "corpus/warc/dolma/jsonl"),
		},
		OutDir:   outDir,
		Config:   cfg,
		Added:    "2024-01-01T00:00:00Z",
		Observer: report.NewCollector(report.Options{SampleSize: 5}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Write(outDir, filepath.Join(outDir, "report.html")); err != nil {
		t.Fatal(err)
	}
	return outDir, st
}

// webDriver is a minimal client of the W3C WebDriver HTTP API.
type webDriver struct {
	t       *testing.T
	base    string
	session string
}

func (w *webDriver) call(method, path string, body any) json.RawMessage {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, w.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatalf("webdriver %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode != 200 {
		w.t.Fatalf("webdriver %s %s: status %d: %s", method, path, resp.StatusCode, b)
	}
	return out.Value
}

func startChrome(t *testing.T) *webDriver {
	t.Helper()
	driver, err := exec.LookPath("chromedriver")
	if err != nil {
		t.Fatal("chromedriver not found: install Debian's chromium and chromium-driver (.ci/run does)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(driver, "--port="+strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	w := &webDriver{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	for i := 0; ; i++ {
		resp, err := http.Get(w.base + "/status")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 100 {
			t.Fatalf("chromedriver did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	binary := "/usr/bin/chromium"
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": binary,
			"args": []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()},
		},
		"goog:loggingPrefs": map[string]any{"browser": "ALL"},
	}}}
	var sess struct {
		SessionID string `json:"sessionId"`
	}
	if err := json.Unmarshal(w.call("POST", "/session", caps), &sess); err != nil || sess.SessionID == "" {
		t.Fatalf("webdriver: no session: %v", err)
	}
	w.session = "/session/" + sess.SessionID
	t.Cleanup(func() { w.call("DELETE", w.session, nil) })
	return w
}

// domFigures reads the charts' numbers back from the rendered page.
const domFigures = `
const bars = c => [...document.querySelectorAll('svg[data-chart="'+c+'"] g.bar')].map(g => [g.dataset.label, +g.dataset.count]);
const hist = {};
document.querySelectorAll('svg[data-chart^="hist-"]').forEach(s => {
  hist[s.dataset.chart] = {kept: +s.dataset.kept, dropped: +s.dataset.dropped,
    bins: [...s.querySelectorAll('g.bin')].map(g => [+g.dataset.kept, +g.dataset.dropped]),
    thresholds: [...s.querySelectorAll('line.threshold')].map(l => [l.dataset.name, +l.dataset.value]),
    visible: s.getBoundingClientRect().width > 100};
});
const totals = {};
document.querySelectorAll('[data-total]').forEach(c => totals[c.dataset.total] = +c.querySelector('b').textContent);
return {drops: bars("drops"), funnel: bars("funnel"), languages: bars("languages"), hist, totals,
  dedup: document.querySelector('[data-dedup]').textContent.trim(),
  links: document.querySelectorAll('a[href^="#doc-"]').length,
  views: document.querySelectorAll('section.docview').length,
  marks: document.querySelectorAll('section.docview del').length};
`

// TestReportInBrowser opens the report of a run over the shared corpus
// in headless Chromium and checks the charts against stats.json and
// report/histograms.json, that the console has no error, and keeps a
// screenshot as an artifact.
func TestReportInBrowser(t *testing.T) {
	outDir, st := runWithReport(t)
	w := startChrome(t)
	w.call("POST", w.session+"/window/rect", map[string]any{"width": 1280, "height": 1800})
	w.call("POST", w.session+"/url", map[string]any{"url": "file://" + filepath.Join(outDir, "report.html")})

	var got struct {
		Drops, Funnel, Languages [][2]any
		Hist                     map[string]struct {
			Kept, Dropped int64
			Bins          [][2]int64
			Thresholds    [][2]any
			Visible       bool
		}
		Totals              map[string]int64
		Dedup               string
		Links, Views, Marks int
	}
	raw := w.call("POST", w.session+"/execute/sync", map[string]any{"script": domFigures, "args": []any{}})
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("dom figures: %v: %s", err, raw)
	}

	// Totals.
	for k, want := range map[string]int64{"read": st.Documents.Read, "kept": st.Documents.Kept,
		"dropped": st.Documents.Dropped, "rejected": st.Rejected.Total} {
		if got.Totals[k] != want {
			t.Errorf("total %s = %d, want %d", k, got.Totals[k], want)
		}
	}
	if st.Documents.Read < 500 || st.Documents.Dropped == 0 || st.Documents.Kept == 0 {
		t.Fatalf("run too small to check a report: %+v", st.Documents)
	}
	// Drops per rule: one bar per reason with its count from stats.json.
	if len(got.Drops) != len(st.Documents.DroppedByReason) {
		t.Errorf("%d drop bars, want %d", len(got.Drops), len(st.Documents.DroppedByReason))
	}
	for _, b := range got.Drops {
		if n := st.Documents.DroppedByReason[b[0].(string)]; float64(n) != b[1].(float64) {
			t.Errorf("drop bar %v, stats.json says %d", b, n)
		}
	}
	// Funnel: the last step's survivors are the kept documents.
	if len(got.Funnel) != 7 {
		t.Fatalf("funnel has %d steps, want the 7 of the config: %v", len(got.Funnel), got.Funnel)
	}
	if last := got.Funnel[len(got.Funnel)-1]; last[1].(float64) != float64(st.Documents.Kept) {
		t.Errorf("funnel ends at %v, want %d kept", last, st.Documents.Kept)
	}
	// Histograms: every signal drawn, its counts those of histograms.json,
	// thresholds from the config.
	var h report.Histograms
	b, err := os.ReadFile(filepath.Join(outDir, "report", "histograms.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	wantTh := map[string]int{"word_count": 2, "mean_word_length": 2, "stop_words": 1, "dup_line_frac": 1,
		"language_score": 1, "replacement_char_ratio": 1}
	for _, s := range h.Signals {
		g, ok := got.Hist["hist-"+s.Signal]
		if !ok || !g.Visible {
			t.Errorf("histogram %s missing or not visible", s.Signal)
			continue
		}
		var kept, dropped int64
		for i := range s.Edges {
			kept += s.Kept[i]
			dropped += s.Dropped[i]
			if g.Bins[i] != [2]int64{s.Kept[i], s.Dropped[i]} {
				t.Errorf("%s bin %d = %v, want [%d %d]", s.Signal, i, g.Bins[i], s.Kept[i], s.Dropped[i])
			}
		}
		if g.Kept != kept || g.Dropped != dropped || kept+dropped == 0 {
			t.Errorf("%s: %d kept %d dropped drawn, want %d %d (non-zero)", s.Signal, g.Kept, g.Dropped, kept, dropped)
		}
		// Every document that reached gopher_quality has a word count.
		if len(g.Thresholds) != wantTh[s.Signal] {
			t.Errorf("%s: thresholds %v, want %d", s.Signal, g.Thresholds, wantTh[s.Signal])
		}
	}
	if th := got.Hist["hist-word_count"].Thresholds; len(th) == 2 && (th[0][1] != 50.0 || th[1][1] != 100000.0) {
		t.Errorf("word count thresholds %v, want min_words 50 and max_words 100000 (datatrove GopherQualityFilter)", th)
	}
	if got.Hist["hist-language_score"].Kept != st.Documents.Kept {
		t.Errorf("language score histogram has %d kept, want every kept document (%d)", got.Hist["hist-language_score"].Kept, st.Documents.Kept)
	}
	// Languages of the kept documents: the config keeps only English.
	if len(got.Languages) != 1 || got.Languages[0][0] != "en" || got.Languages[0][1].(float64) != float64(st.Documents.Kept) {
		t.Errorf("languages %v, want [[en %d]]", got.Languages, st.Documents.Kept)
	}
	if got.Dedup != "no dedup in this run" {
		t.Errorf("dedup section %q", got.Dedup)
	}
	if got.Links == 0 || got.Views == 0 || got.Marks == 0 {
		t.Errorf("samples: %d links, %d views, %d highlighted removals; want some of each", got.Links, got.Views, got.Marks)
	}

	// No console errors.
	var logs []struct{ Level, Message string }
	if err := json.Unmarshal(w.call("POST", w.session+"/se/log", map[string]any{"type": "browser"}), &logs); err != nil {
		t.Fatal(err)
	}
	for _, l := range logs {
		if l.Level == "SEVERE" || l.Level == "WARNING" {
			t.Errorf("console %s: %s", l.Level, l.Message)
		}
	}

	// Screenshot of the top of the report.
	var shot string
	if err := json.Unmarshal(w.call("GET", w.session+"/screenshot", nil), &shot); err != nil {
		t.Fatal(err)
	}
	png, err := base64.StdEncoding.DecodeString(shot)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	dir := os.Getenv("WINNOW_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", filepath.Join(dir, "report.png"), len(png))
}
