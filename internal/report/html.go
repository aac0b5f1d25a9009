package report

import (
	_ "embed"
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

//go:embed report.html.tmpl
var pageTemplate string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"bytes": humanBytes,
	"pct":   pct,
}).Parse(pageTemplate))

// thresholdSpecs names, per signal, the config options drawn as
// thresholds on its histogram: step name and YAML key.
var thresholdSpecs = map[string][][2]string{
	"word_count":             {{"gopher_quality", "min_words"}, {"gopher_quality", "max_words"}},
	"mean_word_length":       {{"gopher_quality", "min_word_length"}, {"gopher_quality", "max_word_length"}},
	"stop_words":             {{"gopher_quality", "min_stop_words"}},
	"dup_line_frac":          {{"gopher_repetition", "dup_line_frac"}},
	"language_score":         {{"language", "threshold"}},
	"replacement_char_ratio": {{"clean", "max_replacement_ratio"}},
}

// Bar is one bar of a bar chart.
type Bar struct {
	Label string
	Count int64
}

// Threshold is a config option drawn on a histogram.
type Threshold struct {
	Name  string
	Value float64
}

type funnelRow struct {
	Step              string
	In, Dropped, Out  int64
	BytesOut          int64
	DroppedBytes      int64
	HasBytes, Unknown bool
}

type docView struct {
	N       int
	S       *Sample
	Before  []Segment
	Rebuilt bool
}

type ruleSample struct {
	Reason string
	Count  int64
	Docs   []*docView
}

type spanRow struct {
	Doc  *docView
	Text string
	Repl string
}

type editSample struct {
	Rule        string
	Docs, Bytes int64
	Spans       []spanRow
}

type view struct {
	D          *Data
	Steps      []funnelRow
	Funnel     template.HTML
	Drops      template.HTML
	Languages  template.HTML
	Histograms []template.HTML
	Rules      []ruleSample
	Kept       ruleSample
	Edits      []editSample
	Docs       []*docView
}

// Write reads the data under outDir (see Load) and writes the report as
// one self-contained HTML file at path: inline CSS and SVG, no script,
// nothing fetched from the network.
func Write(outDir, path string) error {
	d, err := Load(outDir)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".report-*.html")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	err = Render(f, d)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// Render writes the report of d as HTML to w.
func Render(w io.Writer, d *Data) error {
	v := &view{D: d}
	v.Steps = funnel(d)
	var fb []Bar
	for _, r := range v.Steps {
		fb = append(fb, Bar{r.Step, r.Out})
	}
	v.Funnel = hbars("funnel", fb, "#3b7dd8")

	reasons := sortedByCount(d.Stats.Documents.DroppedByReason)
	var db []Bar
	for _, r := range reasons {
		db = append(db, Bar{r, d.Stats.Documents.DroppedByReason[r]})
	}
	v.Drops = hbars("drops", db, "#d8573b")

	langs := map[string]int64{}
	for l, f := range d.Histograms.Languages {
		langs[l] = f.Kept
	}
	var lb []Bar
	for _, l := range sortedByCount(langs) {
		if langs[l] > 0 {
			lb = append(lb, Bar{l, langs[l]})
		}
	}
	v.Languages = hbars("languages", lb, "#3ba55c")

	for _, h := range d.Histograms.Signals {
		v.Histograms = append(v.Histograms, histogram(h, thresholds(d.Stats.Config, h.Signal)))
	}

	byID := map[string]*docView{}
	for i, s := range d.Samples {
		dv := &docView{N: i + 1, S: s}
		if len(s.Edits) > 0 && !s.OutputTrunc {
			dv.Before, dv.Rebuilt = Before(s.Output, s.Edits)
		}
		v.Docs = append(v.Docs, dv)
		byID[s.ID] = dv
	}
	inRes := func(name string) []*docView {
		var out []*docView
		for _, dv := range v.Docs {
			for _, r := range dv.S.Reservoirs {
				if r == name {
					out = append(out, dv)
				}
			}
		}
		return out
	}
	for _, r := range reasons {
		v.Rules = append(v.Rules, ruleSample{Reason: r, Count: d.Stats.Documents.DroppedByReason[r], Docs: inRes(r)})
	}
	v.Kept = ruleSample{Reason: KeptReason, Count: d.Stats.Documents.Kept, Docs: inRes(KeptReason)}
	for _, rule := range sortedByCount(d.Histograms.EditDocs) {
		es := editSample{Rule: rule, Docs: d.Histograms.EditDocs[rule], Bytes: d.Histograms.EditBytes[rule]}
		for _, dv := range inRes(EditPrefix + rule) {
			for _, e := range dv.S.Edits {
				if e.Rule == rule {
					es.Spans = append(es.Spans, spanRow{Doc: dv, Text: e.Text, Repl: e.Repl})
					break
				}
			}
		}
		v.Edits = append(v.Edits, es)
	}
	return page.Execute(w, v)
}

// funnel follows the documents through the configured steps in order:
// the documents entering each step, those it dropped and those leaving
// it. Text bytes are counted at the size each document had when it left
// the pipeline (written, or dropped). Drops by a stage that is not a
// configured step (a later phase) follow the steps.
func funnel(d *Data) []funnelRow {
	byStage := map[string]int64{}
	for r, n := range d.Stats.Documents.DroppedByReason {
		st, _, _ := strings.Cut(r, "/")
		byStage[st] += n
	}
	names := stepNames(d.Stats.Config)
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	var extra []string
	for st := range byStage {
		if !seen[st] {
			extra = append(extra, st)
		}
	}
	sort.Strings(extra)
	names = append(names, extra...)

	var rows []funnelRow
	in := d.Stats.Documents.Read
	// Bytes leaving step i: kept bytes plus bytes of documents dropped
	// by later steps.
	later := make([]int64, len(names)+1)
	for i := len(names) - 1; i >= 0; i-- {
		later[i] = later[i+1]
		if f := d.Histograms.Stages[names[i]]; f != nil {
			later[i] += f.DroppedBytes
		}
	}
	for i, n := range names {
		r := funnelRow{Step: n, In: in, Dropped: byStage[n], HasBytes: true}
		r.Out = in - r.Dropped
		r.BytesOut = d.Histograms.KeptBytes + later[i+1]
		if f := d.Histograms.Stages[n]; f != nil {
			r.DroppedBytes = f.DroppedBytes
		}
		rows = append(rows, r)
		in = r.Out
	}
	return rows
}

// stepNames lists the step names of the effective config in order.
func stepNames(cfg map[string]any) []string {
	var out []string
	list, _ := cfg["steps"].([]any)
	for _, s := range list {
		switch x := s.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			for k := range x {
				out = append(out, k)
			}
		}
	}
	return out
}

// thresholds reads the options of thresholdSpecs[signal] from the
// effective config; an option that is absent or not a number is left out.
func thresholds(cfg map[string]any, signal string) []Threshold {
	var out []Threshold
	list, _ := cfg["steps"].([]any)
	for _, spec := range thresholdSpecs[signal] {
		for _, s := range list {
			m, _ := s.(map[string]any)
			opts, _ := m[spec[0]].(map[string]any)
			if v, ok := number(opts[spec[1]]); ok {
				out = append(out, Threshold{spec[0] + "." + spec[1], v})
			}
		}
	}
	return out
}

func sortedByCount(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

const (
	chartW   = 720
	labelW   = 260
	barH     = 20
	barGap   = 4
	histH    = 160
	histPadB = 34
)

// hbars draws a horizontal bar chart as inline SVG. Each bar is a
// <g class="bar"> with data-label and data-count.
func hbars(name string, bars []Bar, color string) template.HTML {
	if len(bars) == 0 {
		return template.HTML(`<p class="none" data-chart="` + name + `">nothing to show</p>`)
	}
	var top int64 = 1
	for _, b := range bars {
		top = max(top, b.Count)
	}
	h := len(bars)*(barH+barGap) + barGap
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" data-chart="%s" width="%d" height="%d" viewBox="0 0 %d %d" role="img">`, name, chartW, h, chartW, h)
	avail := float64(chartW - labelW - 80)
	for i, b := range bars {
		y := barGap + i*(barH+barGap)
		w := avail * float64(b.Count) / float64(top)
		if b.Count > 0 {
			w = max(w, 1)
		}
		lab := html.EscapeString(b.Label)
		fmt.Fprintf(&sb, `<g class="bar" data-label="%s" data-count="%d"><title>%s: %d</title>`, lab, b.Count, lab, b.Count)
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" class="lab">%s</text>`, labelW-6, y+barH-6, html.EscapeString(shorten(b.Label, 38)))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`, labelW, y, w, barH, color)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%d" class="num">%s</text></g>`, float64(labelW)+w+6, y+barH-6, strconv.FormatInt(b.Count, 10))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// histogram draws one signal's bins as stacked columns (kept below,
// dropped above) with the thresholds as dashed lines. Each bin is a
// <g class="bin"> with data-lo, data-kept and data-dropped; each
// threshold a <line class="threshold"> with data-name and data-value.
func histogram(h *Histogram, ths []Threshold) template.HTML {
	var kept, dropped int64
	var top int64 = 1
	for i := range h.Edges {
		top = max(top, h.Kept[i]+h.Dropped[i])
		kept += h.Kept[i]
		dropped += h.Dropped[i]
	}
	n := len(h.Edges)
	left := 40.0
	bw := (float64(chartW) - left - 10) / float64(n)
	total := histH + histPadB + 22
	var sb strings.Builder
	fmt.Fprintf(&sb, `<figure class="hist"><figcaption>%s <span class="muted">(%d kept, %d dropped; attribute %s)</span></figcaption>`,
		html.EscapeString(h.Title), kept, dropped, html.EscapeString(h.Attribute))
	fmt.Fprintf(&sb, `<svg class="chart" data-chart="hist-%s" data-kept="%d" data-dropped="%d" width="%d" height="%d" viewBox="0 0 %d %d" role="img">`,
		h.Signal, kept, dropped, chartW, total, chartW, total)
	base := float64(22 + histH)
	fmt.Fprintf(&sb, `<line x1="%.0f" y1="%.0f" x2="%d" y2="%.0f" class="axis"/>`, left, base, chartW-10, base)
	fmt.Fprintf(&sb, `<text x="%.0f" y="%d" text-anchor="end" class="num">%d</text>`, left-4, 30, top)
	for i := range h.Edges {
		x := left + float64(i)*bw
		hk := float64(histH) * float64(h.Kept[i]) / float64(top)
		hd := float64(histH) * float64(h.Dropped[i]) / float64(top)
		fmt.Fprintf(&sb, `<g class="bin" data-lo="%s" data-kept="%d" data-dropped="%d"><title>%s: %d kept, %d dropped</title>`,
			fnum(h.Edges[i]), h.Kept[i], h.Dropped[i], binLabel(h.Edges, i), h.Kept[i], h.Dropped[i])
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#3b7dd8"/>`, x+1, base-hk, bw-2, hk)
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#d8573b"/></g>`, x+1, base-hk-hd, bw-2, hd)
		if n <= 12 || i%2 == 0 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%.0f" text-anchor="middle" class="tick">%s</text>`, x, base+14, fnum(h.Edges[i]))
		}
	}
	for j, t := range ths {
		x := left + bw*binPos(h.Edges, t.Value)
		fmt.Fprintf(&sb, `<line class="threshold" data-name="%s" data-value="%s" x1="%.1f" y1="16" x2="%.1f" y2="%.0f"/>`,
			html.EscapeString(t.Name), fnum(t.Value), x, x, base)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%d" class="thlab" text-anchor="%s">%s = %s</text>`,
			x, 12+(j%2)*0, anchor(x), html.EscapeString(t.Name), fnum(t.Value))
	}
	fmt.Fprintf(&sb, `<text x="%.0f" y="%d" class="tick">■ kept</text><text x="%.0f" y="%d" class="tick dropped">■ dropped</text>`,
		left, total-4, left+60, total-4)
	sb.WriteString(`</svg></figure>`)
	return template.HTML(sb.String())
}

func anchor(x float64) string {
	if x > chartW*0.7 {
		return "end"
	}
	return "start"
}

// binPos is the position of v on the bin axis: bin index plus the
// fraction of the way through that bin (linear inside a bin; the last,
// open bin is drawn as one edge width).
func binPos(edges []float64, v float64) float64 {
	if v <= edges[0] {
		return 0
	}
	for i := 0; i+1 < len(edges); i++ {
		if v < edges[i+1] {
			return float64(i) + (v-edges[i])/(edges[i+1]-edges[i])
		}
	}
	return float64(len(edges) - 1)
}

func binLabel(edges []float64, i int) string {
	if i+1 < len(edges) {
		return "[" + fnum(edges[i]) + ", " + fnum(edges[i+1]) + ")"
	}
	return "≥ " + fnum(edges[i])
}

func fnum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func pct(a, b int64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}
