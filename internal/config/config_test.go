package config

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"winnow"
	"winnow/internal/steps"
)

// Fake stages with the shapes real stage configs have: a duration, a
// nested struct, a list, and a Validator.
type extractConfig struct {
	Timeout  time.Duration `yaml:"timeout"`
	MaxBytes int           `yaml:"max_bytes"`
}

type cleanConfig struct {
	MinWords int `yaml:"min_words"`
	Lines    struct {
		MaxLen int `yaml:"max_len"`
	} `yaml:"lines"`
	Langs []string `yaml:"langs"`
}

func (c *cleanConfig) Validate() error {
	var errs []error
	if c.MinWords < 0 {
		errs = append(errs, fmt.Errorf("min_words must not be negative"))
	}
	if c.Lines.MaxLen < 0 {
		errs = append(errs, fmt.Errorf("lines.max_len must not be negative"))
	}
	return errors.Join(errs...)
}

type languageConfig struct {
	Languages []string `yaml:"languages"`
	Threshold float64  `yaml:"threshold"`
	TagOnly   bool     `yaml:"tag_only"`
}

func (c *languageConfig) SetTagOnly(on bool) { c.TagOnly = on }

func (c *languageConfig) Validate() error {
	if c.Threshold < 0 || c.Threshold > 1 {
		return fmt.Errorf("threshold must be between 0 and 1, got %g", c.Threshold)
	}
	return nil
}

type c4Config struct {
	FilterNoTerminalPunct bool `yaml:"filter_no_terminal_punct"`
	MinNumSentences       int  `yaml:"min_num_sentences"`
}

type tagOnlyConfig struct {
	TagOnly bool `yaml:"tag_only"`
}

type minhashConfig struct {
	Exact bool `yaml:"exact"`
}

type piiConfig struct {
	Emails bool `yaml:"emails"`
}

type nopStage struct{ name string }

func (s nopStage) Name() string { return s.name }
func (s nopStage) Process(_ context.Context, d []*winnow.Doc) ([]*winnow.Doc, error) {
	return d, nil
}
func (s nopStage) Close() error { return nil }

var fakeSpecs = []steps.Spec{
	{Name: "extract", Doc: "html to text",
		Config: func() any { return &extractConfig{Timeout: time.Second, MaxBytes: 1 << 20} },
		New:    func(any) (winnow.Stage, error) { return nopStage{"extract"}, nil }},
	{Name: "clean", Doc: "cleaning",
		Config: func() any { return &cleanConfig{MinWords: 3} },
		New:    func(any) (winnow.Stage, error) { return nopStage{"clean"}, nil }},
	{Name: "language", Doc: "language id",
		Config: func() any { return &languageConfig{Threshold: 0.65} },
		New:    func(any) (winnow.Stage, error) { return nopStage{"language"}, nil }},
	{Name: "c4_quality", Doc: "c4",
		Config: func() any { return &c4Config{FilterNoTerminalPunct: true, MinNumSentences: 5} },
		New:    func(any) (winnow.Stage, error) { return nopStage{"c4_quality"}, nil }},
	{Name: "url_filter", Doc: "url block lists",
		Config: func() any { return &tagOnlyConfig{} },
		New:    func(any) (winnow.Stage, error) { return nopStage{"url_filter"}, nil }},
	{Name: "minhash", Doc: "dedup signatures",
		Config: func() any { return &minhashConfig{} },
		New:    func(any) (winnow.Stage, error) { return nopStage{"minhash"}, nil }},
	{Name: "pii", Doc: "pii placeholders",
		Config: func() any { return &piiConfig{} },
		New:    func(any) (winnow.Stage, error) { return nopStage{"pii"}, nil }},
	{Name: "broken", Doc: "cannot be built",
		Config: func() any { return &struct{}{} },
		New:    func(any) (winnow.Stage, error) { return nil, errors.New("no model") }},
}

func TestMain(m *testing.M) {
	lookupStep = func(name string) (steps.Spec, bool) {
		for _, s := range fakeSpecs {
			if s.Name == name {
				return s, true
			}
		}
		return steps.Spec{}, false
	}
	stepNames = func() []string {
		return []string{"broken", "c4_quality", "clean", "extract", "language", "minhash", "pii", "url_filter"}
	}
	m.Run()
}

func TestDefault(t *testing.T) {
	c := Default()
	if c.Workers != runtime.GOMAXPROCS(0) || c.BatchSize != 256 || c.MaxInFlight != 16 {
		t.Errorf("knobs = %d/%d/%d", c.Workers, c.BatchSize, c.MaxInFlight)
	}
	if c.Output.Compression != "zst" || c.Output.MaxShardBytes != 536870912 || c.Input.TextField != "text" || c.Input.IDField != "id" {
		t.Errorf("io options = %+v %+v", c.Input, c.Output)
	}
	// DefaultSteps filtered to the stages of the (fake) registry, in order.
	var names []string
	for _, s := range c.Steps {
		names = append(names, s.Name)
	}
	if strings.Join(names, ",") != "extract,clean,language" {
		t.Fatalf("default steps = %v", names)
	}
	if got := c.Steps[0].Config.(*extractConfig).Timeout; got != time.Second {
		t.Errorf("default step config not the stage default: %v", got)
	}
	// defaultOptions apply on top of the stages' own defaults: the
	// language step labels and keeps everything.
	if got := c.Steps[2].Config.(*languageConfig); len(got.Languages) != 0 || got.Threshold != 0.65 || !got.TagOnly {
		t.Errorf("default language options = %+v", got)
	}
	if Default().Steps[2].Config == c.Steps[2].Config {
		t.Error("two Default() calls share a step config")
	}
	if err := c.Check(); err != nil {
		t.Errorf("Check(Default()) = %v", err)
	}
}

func TestParseFull(t *testing.T) {
	src := `
workers: 3
batch_size: 10
max_in_flight: 4
input: {text_field: body, id_field: uid, source: crawl}
output: {compression: gz, max_shard_bytes: 1000, standoff_attributes: true}
steps:
  - extract: {timeout: 5s}
  - clean:
      lines: {max_len: 80}
      langs: [en, de]
  - extract
  - clean:
`
	c, err := Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.Workers != 3 || c.BatchSize != 10 || c.MaxInFlight != 4 {
		t.Errorf("knobs = %d/%d/%d", c.Workers, c.BatchSize, c.MaxInFlight)
	}
	if c.Input != (Input{TextField: "body", IDField: "uid", Source: "crawl"}) {
		t.Errorf("input = %+v", c.Input)
	}
	if c.Output != (Output{Format: "jsonl", Compression: "gz", MaxShardBytes: 1000, StandoffAttributes: true}) {
		t.Errorf("output = %+v", c.Output)
	}
	if len(c.Steps) != 4 {
		t.Fatalf("steps = %+v", c.Steps)
	}
	wantNames := []string{"extract", "clean", "extract", "clean"}
	wantLines := []int{8, 9, 12, 13}
	for i, s := range c.Steps {
		if s.Name != wantNames[i] || s.Line != wantLines[i] {
			t.Errorf("step %d = %s line %d, want %s line %d", i, s.Name, s.Line, wantNames[i], wantLines[i])
		}
	}
	if got := c.Steps[0].Config.(*extractConfig); got.Timeout != 5*time.Second || got.MaxBytes != 1<<20 {
		t.Errorf("extract options = %+v (unset keys must keep defaults)", got)
	}
	cl := c.Steps[1].Config.(*cleanConfig)
	if cl.Lines.MaxLen != 80 || cl.MinWords != 3 || strings.Join(cl.Langs, ",") != "en,de" {
		t.Errorf("clean options = %+v", cl)
	}
	if got := c.Steps[2].Config.(*extractConfig); got.Timeout != time.Second {
		t.Errorf("bare step must use defaults, got %+v", got)
	}
	if c.Steps[0].Config == c.Steps[2].Config {
		t.Error("two steps share one config value")
	}
	p, err := c.NewPipeline()
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 4 || p[1].Name() != "clean" {
		t.Errorf("pipeline = %v", p)
	}
}

func TestParseEmptyAndPartial(t *testing.T) {
	for _, src := range []string{"", "# nothing\n", "workers: 2\n"} {
		c, err := Parse("x.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if len(c.Steps) != 3 || c.Steps[0].Name != "extract" || c.BatchSize != 256 {
			t.Errorf("%q: defaults not kept: %+v", src, c)
		}
	}
	c, err := Parse("x.yaml", []byte("steps: []\n"))
	if err != nil || len(c.Steps) != 0 {
		t.Errorf("empty steps list: %v %+v", err, c)
	}
}

// TestParseErrors checks that every problem is reported, each with its
// line, and with a suggestion where one is within edit distance 2.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // each must appear in the joined message
		n    int      // number of *Error values
	}{
		{"unknown top key", "wokers: 2\n", []string{`p.yaml:1: unknown key "wokers"; did you mean workers?`}, 1},
		{"unknown far key", "zzzzzzzz: 1\n", []string{`p.yaml:1: unknown key "zzzzzzzz" (known: workers`}, 1},
		{"misspelled step", "steps:\n  - extrct\n  - clen: {min_words: 1}\n", []string{
			`p.yaml:2: unknown step "extrct"; did you mean extract?`,
			`p.yaml:3: unknown step "clen"; did you mean clean?`}, 2},
		{"misspelled option", "steps:\n  - extract: {timeot: 5s}\n", []string{
			`p.yaml:2: unknown option of step extract "timeot"; did you mean timeout?`}, 1},
		{"nested option", "steps:\n  - clean:\n      lines:\n        max_lne: 3\n", []string{
			`p.yaml:4: unknown option of step clean.lines "max_lne"; did you mean max_len?`}, 1},
		{"bad type", "workers: many\n", []string{`p.yaml:1: workers: want an integer, got "many"`}, 1},
		{"bad duration", "steps:\n  - extract: {timeout: soon}\n", []string{"p.yaml:2:"}, 1},
		{"validator", "steps:\n  - clean: {min_words: -1, lines: {max_len: -2}}\n", []string{
			"p.yaml:2: step clean: min_words must not be negative",
			"p.yaml:2: step clean: lines.max_len must not be negative"}, 2},
		{"range checks", "workers: 0\nbatch_size: -1\nmax_in_flight: 0\noutput: {compression: zstd}\n", []string{
			"p.yaml:1: workers: must be at least 1, got 0",
			"p.yaml:2: batch_size: must be at least 1, got -1",
			"p.yaml:3: max_in_flight: must be at least 1, got 0",
			`p.yaml:4: output.compression: unknown compression "zstd" (want one of zst, gz, none); did you mean zst?`}, 4},
		{"output format", "output:\n  format: parket\n  row_group_rows: -1\n", []string{
			`p.yaml:2: output.format: unknown format "parket" (want one of jsonl, parquet); did you mean parquet?`,
			"output: row_group_rows must not be negative, got -1"}, 2},
		{"parquet and stand-off", "output: {format: parquet, standoff_attributes: true}\n", []string{
			"p.yaml:1: output.standoff_attributes: stand-off attribute shards are aligned with JSONL shards; not with format parquet"}, 1},
		{"input option", "input: {text_feld: body}\n", []string{`p.yaml:1: unknown option of input "text_feld"; did you mean text_field?`}, 1},
		{"step shape", "steps:\n  - {extract: {}, clean: {}}\n  - [a]\n", []string{
			"p.yaml:2: steps: a step is a one-key mapping of stage name to options, got 2 keys",
			"p.yaml:3: steps: a step is a stage name"}, 2},
		{"steps not a list", "steps: extract\n", []string{"p.yaml:1: steps: must be a list"}, 1},
		{"not a mapping", "- a\n", []string{"p.yaml:1: the config must be a mapping"}, 1},
		{"syntax", "workers: [\n", []string{"config: p.yaml: "}, 1},
		{"all together", "wrkers: 2\nsteps:\n  - extrct\n  - clean: {min_wrds: 2}\noutput: {compression: lz4}\n", []string{
			"p.yaml:1:", "p.yaml:3:", "p.yaml:4:", "p.yaml:5:"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("p.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error, config %+v", c)
			}
			if c != nil {
				t.Error("config returned along with an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			if got := len(unjoin(err)); got != tt.n {
				t.Errorf("%d problems reported, want %d: %v", got, tt.n, err)
			}
			for _, e := range unjoin(err) {
				var ce *Error
				if !errors.As(e, &ce) {
					t.Errorf("%v is not a *config.Error", e)
				}
			}
		})
	}
}

// TestParseErrorsIndependent checks that a type error in one option hides
// neither a type error nor a Validate error in another option or another
// step, and that the problems come sorted by line, each naming its option
// and the type wanted instead of yaml's "cannot unmarshal" text.
func TestParseErrorsIndependent(t *testing.T) {
	src := `batch_size: lots
steps:
  - extract: {timeout: soon, max_bytes: 10}
  - clean:
      lines: {max_len: -2}
      langs: en
      unknown_x: 1
      min_words: "two"
  - language: {threshold: 1.5, tag_only: maybe}
input: {text_field: [a]}
`
	want := []string{
		`config: p.yaml:1: batch_size: want an integer, got "lots"`,
		`config: p.yaml:3: step extract: timeout: want a duration such as 30s or 1m30s, got "soon"`,
		`config: p.yaml:5: step clean: lines.max_len must not be negative`,
		`config: p.yaml:6: step clean: langs: want a list, got "en"`,
		`config: p.yaml:7: unknown option of step clean "unknown_x" (known: langs, lines, min_words)`,
		`config: p.yaml:8: step clean: min_words: want an integer, got "two"`,
		`config: p.yaml:9: step language: tag_only: want true or false, got "maybe"`,
		`config: p.yaml:9: step language: threshold must be between 0 and 1, got 1.5`,
		`config: p.yaml:10: input: text_field: want a string, got a list`,
	}
	c, err := Parse("p.yaml", []byte(src))
	if err == nil || c != nil {
		t.Fatalf("Parse = %+v, %v", c, err)
	}
	var got []string
	for _, e := range unjoin(err) {
		got = append(got, e.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestParseNested decodes lists of structs and maps element by element
// and names the element of a bad value.
func TestParseNested(t *testing.T) {
	type ngram struct {
		N    int     `yaml:"n"`
		Frac float64 `yaml:"frac"`
	}
	type cfg struct {
		Top    []ngram           `yaml:"top"`
		Limits map[string]int    `yaml:"limits"`
		Ptr    *ngram            `yaml:"ptr"`
		Tags   map[string]string `yaml:"tags"`
	}
	p := &parser{file: "n.yaml"}
	var root yaml.Node
	src := "top: [{n: 2, frac: 0.2}, {n: x, frac: 0.1}]\nlimits: {a: 1, b: many}\nptr: {n: 3}\ntags: {k: v}\n"
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	var c cfg
	p.decodeStrict(root.Content[0], &c, "step s")
	want := []string{
		`config: n.yaml:1: step s: top[1].n: want an integer, got "x"`,
		`config: n.yaml:2: step s: limits.b: want an integer, got "many"`,
	}
	if err := p.err(); err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("errors = %v\nwant %s", err, strings.Join(want, "\n"))
	}
	if len(c.Top) != 2 || c.Top[0] != (ngram{2, 0.2}) || c.Top[1].Frac != 0.1 || c.Limits["a"] != 1 || len(c.Limits) != 1 ||
		c.Ptr == nil || c.Ptr.N != 3 || c.Tags["k"] != "v" {
		t.Errorf("decoded %+v (ptr %+v)", c, c.Ptr)
	}
}

// TestParseDuplicateKeys checks that a key given twice in one mapping is
// refused at the second occurrence: yaml.v3 rejects duplicates only when
// decoding into Go values, not into the node tree walked here.
func TestParseDuplicateKeys(t *testing.T) {
	tests := []struct{ src, want string }{
		{"workers: 2\nbatch_size: 3\nworkers: 4\n", `config: p.yaml:3: duplicate key "workers" (first at line 1)`},
		{"steps:\n  - clean:\n      min_words: 2\n      min_words: 3\n", `config: p.yaml:4: duplicate option of step clean "min_words" (first at line 3)`},
		{"output: {compression: gz, compression: zst}\n", `config: p.yaml:1: duplicate option of output "compression" (first at line 1)`},
		{"steps:\n  - clean:\n      lines:\n        max_len: 1\n        max_len: 2\n", `config: p.yaml:5: duplicate option of step clean.lines "max_len" (first at line 4)`},
	}
	for _, tt := range tests {
		c, err := Parse("p.yaml", []byte(tt.src))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: Parse = %+v, %v\nwant %s", tt.src, c, err, tt.want)
		}
	}
}

// TestParseOrder checks the step orders that are refused (a text step
// before extract, a dropping step after minhash, minhash twice) and those
// that are allowed (url_filter before extract, pii or tag-only steps after
// minhash, a repeated filter with other options).
func TestParseOrder(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // the whole error, one line per problem; nil: accepted
	}{
		{"text steps before extract", "steps:\n  - clean\n  - language\n  - extract\n", []string{
			"config: p.yaml:2: step clean comes before extract (line 4), which produces the text it reads; move it after extract",
			"config: p.yaml:3: step language comes before extract (line 4), which produces the text it reads; move it after extract"}},
		{"url_filter before extract", "steps: [url_filter, extract, clean]\n", nil},
		{"no extract", "steps: [clean, language]\n", nil},
		{"extract twice", "steps: [extract, clean, extract, clean]\n", nil},
		{"filter after minhash", "steps:\n  - extract\n  - minhash\n  - c4_quality\n  - pii\n", []string{
			"config: p.yaml:4: step c4_quality may drop documents but comes after minhash (line 3), which must follow every dropping step; move minhash after it (only pii, or a step with tag_only: true, may follow minhash)"}},
		{"pii after minhash", "steps: [extract, clean, minhash, pii]\n", nil},
		{"tag-only after minhash", "steps:\n  - extract\n  - minhash\n  - language: {tag_only: true}\n  - url_filter: {tag_only: true}\n", nil},
		{"dropping url_filter after minhash", "steps:\n  - extract\n  - minhash\n  - url_filter: {tag_only: false}\n", []string{
			"config: p.yaml:4: step url_filter may drop documents but comes after minhash (line 3)"}},
		{"minhash twice", "steps:\n  - extract\n  - minhash\n  - minhash\n", []string{
			"config: p.yaml:4: step minhash given twice (first at line 3); the dedup phase reads one signature per document"}},
		{"repeated filter", "steps:\n  - extract\n  - c4_quality: {min_num_sentences: 3}\n  - c4_quality: {min_num_sentences: 5}\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("p.yaml", []byte(tt.src))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || c != nil {
				t.Fatalf("accepted: %+v", c)
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(got), len(tt.want), err)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("problem %d = %q\nwant %q", i, got[i], tt.want[i])
				}
			}
		})
	}
	// A repeated filter keeps each step's own options.
	c, err := Parse("p.yaml", []byte("steps:\n  - c4_quality: {min_num_sentences: 3}\n  - c4_quality: {min_num_sentences: 5}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := c.Steps[0].Config.(*c4Config), c.Steps[1].Config.(*c4Config); a.MinNumSentences != 3 || b.MinNumSentences != 5 {
		t.Errorf("repeated step options = %+v, %+v", a, b)
	}
}

func TestCheckAfterOverride(t *testing.T) {
	c := Default()
	c.Output.Compression = "bz2"
	c.Workers = -1
	err := c.Check()
	if err == nil || len(unjoin(err)) != 2 || !strings.Contains(err.Error(), "config: workers: must be at least 1, got -1") {
		t.Errorf("Check = %v", err)
	}
}

func TestNewPipelineError(t *testing.T) {
	c, err := Parse("p.yaml", []byte("steps: [extract, broken]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.NewPipeline(); err == nil || err.Error() != "config: step broken: no model" {
		t.Errorf("NewPipeline error = %v", err)
	}
}

func TestMap(t *testing.T) {
	c, err := Parse("p.yaml", []byte("workers: 2\nsteps:\n  - extract: {timeout: 5s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Map()
	if err != nil {
		t.Fatal(err)
	}
	st := m["steps"].([]any)[0].(map[string]any)["extract"].(map[string]any)
	if m["workers"] != 2 || st["timeout"] != "5s" || st["max_bytes"] != 1<<20 {
		t.Errorf("Map = %v", m)
	}
	out := m["output"].(map[string]any)
	if out["compression"] != "zst" {
		t.Errorf("Map output = %v", out)
	}
}

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3},
		{"flaw", "lawn", 2}, {"extract", "extrct", 1}, {"héllo", "hello", 1}, {"gumbo", "gambol", 2},
	}
	for _, tt := range tests {
		if got := levenshtein(tt.a, tt.b); got != tt.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if got := suggest("clena", []string{"clean", "extract"}); got != "clean" {
		t.Errorf("suggest = %q", got)
	}
	if got := suggest("qqqqq", []string{"clean", "extract"}); got != "" {
		t.Errorf("suggest far = %q", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("workers: 2\nsteps:\n  - extract: {timeout: 5s}\n  - clean\n")
	f.Add("steps: [{clean: {lines: {max_len: 3}}}]")
	f.Add("input: &a {text_field: x}\noutput: *a\n")
	f.Add("- [")
	f.Add("steps:\n  - clean: {langs: {a: 1}}\n")
	f.Fuzz(func(t *testing.T, src string) {
		c, err := Parse("f.yaml", []byte(src))
		if (c == nil) == (err == nil) {
			t.Fatalf("Parse must return exactly one of config and error: %v %v", c, err)
		}
		if c != nil {
			if err := c.Check(); err != nil {
				t.Fatalf("a parsed config fails Check: %v", err)
			}
		}
	})
}

func TestSetTagOnly(t *testing.T) {
	c, err := Parse("p.yaml", []byte("steps: [extract, language, c4_quality]\n"))
	if err != nil {
		t.Fatal(err)
	}
	// Only the language fake implements TagOnlySetter.
	if got := c.SetTagOnly(true); strings.Join(got, ",") != "language" {
		t.Errorf("SetTagOnly touched %v, want [language]", got)
	}
	if !c.Steps[1].Config.(*languageConfig).TagOnly {
		t.Error("language tag_only not set")
	}
	c.SetTagOnly(false)
	if c.Steps[1].Config.(*languageConfig).TagOnly {
		t.Error("language tag_only not cleared")
	}
	if s, ok := c.Step("c4_quality"); !ok || s.Line != 1 {
		t.Errorf("Step(c4_quality) = %+v, %v", s, ok)
	}
	if _, ok := c.Step("minhash"); ok {
		t.Error("Step found a step that is not in the config")
	}
	// No clean.Config in the fake registry: SetExplain finds nothing.
	if c.SetExplain(true) {
		t.Error("SetExplain found a clean step in a config without one")
	}
}
