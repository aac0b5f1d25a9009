package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
	"github.com/zeebo/xxh3"

	"winnow"
)

// Default sizes of the sample.
const (
	// DefaultSampleSize is the number of documents kept per reservoir
	// (per drop reason, per cleaning rule, and of kept documents).
	DefaultSampleSize = 20
	// DefaultMaxTextBytes caps each stored text (input and output).
	DefaultMaxTextBytes = 64 << 10
	// maxEdits caps the edits stored per sampled document.
	maxEdits = 2000
)

// Dir is the folder under OUTDIR that holds the report's data, and the
// names of its files.
const (
	Dir            = "report"
	SampleFile     = "sample.jsonl.zst"
	HistogramsFile = "histograms.json"
)

// KeptReason is the reservoir of kept documents; cleaning rules have
// reservoirs named EditPrefix + rule.
const (
	KeptReason = "kept"
	EditPrefix = "edit:"
)

// Options sizes a Collector.
type Options struct {
	// SampleSize is the number of documents per reservoir; 0 means
	// DefaultSampleSize.
	SampleSize int
	// MaxTextBytes caps the stored input and output text of a sampled
	// document, in bytes; 0 means DefaultMaxTextBytes.
	MaxTextBytes int
}

// Sample is one sampled document as stored in report/sample.jsonl.zst.
type Sample struct {
	ID string `json:"id"`
	// Reservoirs lists the reservoirs the document won a place in: its
	// drop reason ("stage/rule") or "kept", and "edit:<rule>" for each
	// cleaning rule that removed something from it.
	Reservoirs []string `json:"reservoirs"`
	URL        string   `json:"url,omitempty"`
	Reason     string   `json:"reason"` // drop reason, or "kept"
	Value      float64  `json:"value,omitempty"`
	Detail     string   `json:"detail,omitempty"`
	// Input is the record as read: its text, or its payload (HTML) when
	// the text was still empty; "" when the document was not a reservoir
	// candidate when it was read.
	Input          string        `json:"input,omitempty"`
	InputTruncated bool          `json:"input_truncated,omitempty"`
	Output         string        `json:"output"`
	OutputTrunc    bool          `json:"output_truncated,omitempty"`
	Edits          []winnow.Edit `json:"edits,omitempty"`
	Language       string        `json:"language,omitempty"`
	hash           uint64
}

// Histogram counts one quality signal in fixed bins: bin i holds the
// values v with Edges[i] <= v < Edges[i+1]; the last bin holds
// v >= Edges[len-1]; values below Edges[0] go to bin 0.
type Histogram struct {
	Signal    string    `json:"signal"`
	Attribute string    `json:"attribute"`
	Title     string    `json:"title"`
	Edges     []float64 `json:"edges"`
	Kept      []int64   `json:"kept"`
	Dropped   []int64   `json:"dropped"`
}

func (h *Histogram) add(v float64, dropped bool) {
	if math.IsNaN(v) {
		return
	}
	i := sort.SearchFloat64s(h.Edges, v) // first edge >= v
	if i == len(h.Edges) || h.Edges[i] != v {
		i--
	}
	i = max(i, 0)
	if dropped {
		h.Dropped[i]++
	} else {
		h.Kept[i]++
	}
}

// StageFigures are the documents and text bytes one stage dropped.
type StageFigures struct {
	Dropped      int64 `json:"dropped"`
	DroppedBytes int64 `json:"dropped_bytes"`
}

// LangFigures counts the documents of one language.
type LangFigures struct {
	Kept    int64 `json:"kept"`
	Dropped int64 `json:"dropped"`
}

// Histograms is report/histograms.json: the streaming figures of a run.
type Histograms struct {
	SampleSize int                      `json:"sample_size"`
	Signals    []*Histogram             `json:"signals"`
	Languages  map[string]*LangFigures  `json:"languages"`
	Stages     map[string]*StageFigures `json:"stages"`
	// KeptBytes is the text bytes of the kept documents.
	KeptBytes int64 `json:"kept_bytes"`
	// EditBytes is the bytes removed or replaced per cleaning rule,
	// summed over every document the writer saw.
	EditBytes map[string]int64 `json:"edit_bytes"`
	// EditDocs counts the documents each cleaning rule edited.
	EditDocs map[string]int64 `json:"edit_docs"`
}

// signalSpec is one histogram: the attribute it reads and its bin edges.
type signalSpec struct {
	name, attr, title string
	edges             []float64
}

func steps(lo, hi, step float64) []float64 {
	var out []float64
	for i := 0; lo+float64(i)*step <= hi+1e-9; i++ {
		out = append(out, math.Round((lo+float64(i)*step)*1e6)/1e6)
	}
	return out
}

// signalSpecs are the histograms of the report. The attributes are those
// written by internal/quality (gopher_quality, gopher_repetition), the
// language step and the clean step.
var signalSpecs = []signalSpec{
	{"word_count", "gopher_quality/word_count", "Words per document (Gopher)",
		[]float64{0, 10, 25, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10000, 100000}},
	{"mean_word_length", "gopher_quality/mean_word_length", "Mean word length, characters (Gopher)", steps(0, 15, 0.5)},
	{"stop_words", "gopher_quality/stop_words", "Stop words per document (Gopher)",
		[]float64{0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100, 200, 500, 1000}},
	{"dup_line_frac", "gopher_repetition/dup_line_frac", "Fraction of duplicated lines (Gopher repetition)", steps(0, 1, 0.05)},
	{"language_score", "language_score", "Language identification score", steps(0, 1, 0.05)},
	{"replacement_char_ratio", "clean/replacement_char_ratio", "Replacement-character (U+FFFD) ratio (clean)",
		[]float64{0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1}},
}

// Collector gathers the report's data during a run: a deterministic
// reservoir sample per drop reason, per cleaning rule and of kept
// documents, and streaming histograms of the quality signals.
//
// Reservoirs keep the SampleSize documents with the smallest xxh3 hash of
// their id (ties broken by id), so the sample does not depend on the
// order documents arrive in, nor on the number of workers, and memory is
// bounded by reservoirs × SampleSize × 2 × MaxTextBytes.
//
// Input is safe to call from one goroutine while Observe is called from
// another; Observe and Write must be called from one goroutine.
type Collector struct {
	k, maxText int
	res        map[string][]*Sample // sorted by (hash, id)
	cutoff     atomic.Uint64        // Input keeps a copy when hash <= cutoff
	h          Histograms
}

// NewCollector returns an empty collector.
func NewCollector(opt Options) *Collector {
	c := &Collector{k: opt.SampleSize, maxText: opt.MaxTextBytes, res: map[string][]*Sample{}}
	if c.k <= 0 {
		c.k = DefaultSampleSize
	}
	if c.maxText <= 0 {
		c.maxText = DefaultMaxTextBytes
	}
	c.cutoff.Store(math.MaxUint64)
	c.h = Histograms{SampleSize: c.k, Languages: map[string]*LangFigures{},
		Stages: map[string]*StageFigures{}, EditBytes: map[string]int64{}, EditDocs: map[string]int64{}}
	for _, s := range signalSpecs {
		c.h.Signals = append(c.h.Signals, &Histogram{Signal: s.name, Attribute: s.attr, Title: s.title,
			Edges: s.edges, Kept: make([]int64, len(s.edges)), Dropped: make([]int64, len(s.edges))})
	}
	return c
}

func idHash(id string) uint64 { return xxh3.HashString(id) }

// Input returns a copy of the document as read (its text, else its
// payload), capped at MaxTextBytes, when the document may still win a
// place in a reservoir; ok is false otherwise, and nothing is copied.
// A document whose id hashes above every full reservoir's worst entry
// cannot win a place in those; a reservoir first met late in a run may
// therefore hold documents without their input.
func (c *Collector) Input(d *winnow.Doc) (string, bool) {
	if idHash(d.ID) > c.cutoff.Load() {
		return "", false
	}
	src := d.Text
	if src == "" {
		src = string(d.Payload[:min(len(d.Payload), c.maxText+1)])
	}
	return strings.Clone(src[:min(len(src), c.maxText+1)]), true
}

// Observe records one document as the writer stores it: dropped (Drop
// set) or kept. input is what Input returned for it, "" when nothing.
func (c *Collector) Observe(d *winnow.Doc, input string) {
	reason := KeptReason
	dropped := d.Drop != nil
	if dropped {
		reason = d.Drop.Reason()
		sf := c.h.Stages[d.Drop.Stage]
		if sf == nil {
			sf = &StageFigures{}
			c.h.Stages[d.Drop.Stage] = sf
		}
		sf.Dropped++
		sf.DroppedBytes += int64(len(d.Text))
	} else {
		c.h.KeptBytes += int64(len(d.Text))
	}
	lang, _ := d.Attributes["language"].(string)
	if lang == "" {
		lang = d.Metadata.Language
	}
	if lang == "" {
		lang = "unknown"
	}
	lf := c.h.Languages[lang]
	if lf == nil {
		lf = &LangFigures{}
		c.h.Languages[lang] = lf
	}
	if dropped {
		lf.Dropped++
	} else {
		lf.Kept++
	}
	for i, s := range signalSpecs {
		if v, ok := number(d.Attributes[s.attr]); ok {
			c.h.Signals[i].add(v, dropped)
		}
	}
	edited := map[string]bool{}
	for _, e := range d.Edits {
		c.h.EditBytes[e.Rule] += int64(e.End - e.Start)
		if !edited[e.Rule] {
			edited[e.Rule] = true
			c.h.EditDocs[e.Rule]++
		}
	}

	hash := idHash(d.ID)
	var s *Sample
	offer := func(name string) {
		list := c.res[name]
		if len(list) == c.k && !less(hash, d.ID, list[c.k-1]) {
			return
		}
		if s == nil {
			s = c.sample(d, reason, input, hash, lang)
		}
		i := sort.Search(len(list), func(i int) bool { return less(hash, d.ID, list[i]) })
		list = append(list, nil)
		copy(list[i+1:], list[i:])
		list[i] = s
		if len(list) > c.k {
			list = list[:c.k]
		}
		c.res[name] = list
	}
	offer(reason)
	rules := make([]string, 0, len(edited))
	for r := range edited {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	for _, r := range rules {
		offer(EditPrefix + r)
	}
	if s != nil {
		c.updateCutoff()
	}
}

func less(hash uint64, id string, s *Sample) bool {
	if hash != s.hash {
		return hash < s.hash
	}
	return id < s.ID
}

// updateCutoff sets the cutoff to the largest worst hash over the
// reservoirs when all are full, else to the maximum.
func (c *Collector) updateCutoff() {
	var cut uint64
	for _, list := range c.res {
		if len(list) < c.k {
			cut = math.MaxUint64
			break
		}
		cut = max(cut, list[len(list)-1].hash)
	}
	c.cutoff.Store(cut)
}

func (c *Collector) sample(d *winnow.Doc, reason, input string, hash uint64, lang string) *Sample {
	s := &Sample{ID: d.ID, URL: d.Metadata.URL, Reason: reason, Language: lang, hash: hash}
	if d.Drop != nil {
		s.Value, s.Detail = d.Drop.Value, d.Drop.Detail
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			s.Value = 0
		}
	}
	s.Input, s.InputTruncated = capText(input, c.maxText)
	s.Output, s.OutputTrunc = capText(d.Text, c.maxText)
	if len(d.Edits) > 0 {
		s.Edits = make([]winnow.Edit, 0, min(len(d.Edits), maxEdits))
		for _, e := range d.Edits[:min(len(d.Edits), maxEdits)] {
			e.Text, _ = capText(e.Text, c.maxText)
			s.Edits = append(s.Edits, e)
		}
	}
	return s
}

// capText cuts s to at most n bytes at a UTF-8 boundary.
func capText(s string, n int) (string, bool) {
	if len(s) <= n {
		return strings.Clone(s), false
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return strings.Clone(s[:n]), true
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// Samples returns the sampled documents, each once, ordered by
// reservoir name and then by hash; each lists its reservoirs.
func (c *Collector) Samples() []*Sample {
	names := make([]string, 0, len(c.res))
	for n := range c.res {
		names = append(names, n)
	}
	sort.Strings(names)
	seen := map[*Sample]bool{}
	var out []*Sample
	for _, s := range c.res {
		for _, x := range s {
			x.Reservoirs = x.Reservoirs[:0]
		}
	}
	for _, n := range names {
		for _, x := range c.res[n] {
			x.Reservoirs = append(x.Reservoirs, n)
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	return out
}

// Write stores the sample and the histograms under outDir/report,
// each atomically.
func (c *Collector) Write(outDir string) error {
	dir := filepath.Join(outDir, Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false)
	for _, s := range c.Samples() {
		if err := enc.Encode(s); err != nil {
			return fmt.Errorf("report: sample %s: %w", s.ID, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, SampleFile), buf.Bytes()); err != nil {
		return err
	}
	hb, err := json.MarshalIndent(&c.h, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return writeAtomic(filepath.Join(dir, HistogramsFile), append(hb, '\n'))
}

func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err = f.Write(b)
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
