package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"winnow"
	"winnow/internal/dedup"
	"winnow/internal/extract"
	"winnow/internal/steps"
	"winnow/internal/urlfilter"
)

// Defaults of the executor knobs and of the output options.
const (
	// DefaultBatchSize is the number of documents per batch handed between
	// goroutines. Miller moves 500-record batches; 256 keeps a batch of
	// typical web pages (~50 KB of HTML each) near 12 MB.
	DefaultBatchSize = 256
	// DefaultMaxInFlight is the number of batches that may exist at once
	// (being read, processed, waiting for re-ordering or being written).
	DefaultMaxInFlight = 16
	// DefaultMaxShardBytes is the uncompressed size at which the shard
	// writer starts a new shard: 512 MiB.
	DefaultMaxShardBytes = 512 << 20
	// DefaultCompression is the output shards' compression.
	DefaultCompression = "zst"
)

// DefaultSteps is the default pipeline, used when no config file is given
// or a config has no steps key: extraction, cleaning and language
// labelling. It keeps every readable document: the language step only
// labels (tag_only, no keep-list), and no quality filter runs. Published
// recipes that filter and deduplicate (FineWeb, C4, Gopher, dolma) are
// the presets of winnow/presets. A name that is not in the stage registry
// of this build is left out.
var DefaultSteps = []string{
	"extract",
	"clean",
	"language",
}

// defaultOptions are the options (YAML) that the default pipeline sets on
// top of a stage's own defaults: the language step labels every document
// ("language" attribute and score) and drops none.
var defaultOptions = map[string]string{
	"language": "{tag_only: true}",
}

// Compressions are the accepted values of output.compression.
var Compressions = []string{"zst", "gz", "none"}

// Formats are the accepted values of output.format.
var Formats = []string{"jsonl", "parquet"}

// lookupStep and stepNames read the stage registry; tests replace them
// with a registry of fake stages.
var (
	lookupStep = steps.Lookup
	stepNames  = steps.Names
)

// Config is a whole pipeline config.
type Config struct {
	// Workers is the number of goroutines running the stage pipeline;
	// each owns one Stage value per step. Default: runtime.GOMAXPROCS(0),
	// which since Go 1.25 follows a container's CPU limit (cgroup quota),
	// not only the CPUs of the machine.
	Workers int `yaml:"workers"`
	// BatchSize is the number of documents per batch (>= 1).
	BatchSize int `yaml:"batch_size"`
	// MaxInFlight bounds the batches that exist at once (>= 1). Memory is
	// about BatchSize * MaxInFlight documents.
	MaxInFlight int    `yaml:"max_in_flight"`
	Input       Input  `yaml:"input"`
	Output      Output `yaml:"output"`
	// Steps are the stages in the order documents pass through them.
	Steps []Step `yaml:"steps"`
}

// Input holds the reader options.
type Input struct {
	// TextField and IDField name the JSONL keys holding a document's text
	// and id.
	TextField string `yaml:"text_field"`
	IDField   string `yaml:"id_field"`
	// Source is the value given to documents that have none. Empty means
	// the input file's base name without its extensions.
	Source string `yaml:"source"`
}

// Output holds the shard writer options.
type Output struct {
	// Format of the document shards: "jsonl" (default; dolma's schema,
	// one JSON object per line) or "parquet" (the same fields as columns,
	// metadata and attributes as JSON strings). Rejects are always JSONL.
	Format string `yaml:"format"`
	// Compression is "zst", "gz" or "none" (for Parquet: the column
	// pages' codec, zstd, gzip or none).
	Compression string `yaml:"compression"`
	// RowGroupRows ends a Parquet row group after this many rows; 0 means
	// the Parquet writer's default (100,000).
	RowGroupRows int `yaml:"row_group_rows"`
	// MaxShardBytes is the uncompressed size in bytes at which a new
	// shard starts; 0 means DefaultMaxShardBytes.
	MaxShardBytes int64 `yaml:"max_shard_bytes"`
	// StandoffAttributes writes attributes to attributes/<set>/ files
	// aligned with the document shards instead of inline.
	StandoffAttributes bool `yaml:"standoff_attributes"`
}

// Step is one stage of the pipeline with its decoded options.
type Step struct {
	// Name is the stage's registry name.
	Name string
	// Config is the pointer returned by the stage's Spec.Config with the
	// YAML options decoded into it.
	Config any
	// Line is the step's line in the config file; 0 when not from a file.
	Line int
}

// MarshalYAML writes a step as the one-key mapping it was read from.
func (s Step) MarshalYAML() (any, error) {
	return map[string]any{s.Name: s.Config}, nil
}

// Error is one problem in a config: the file, the 1-based line (0 when
// the value came from a flag or the problem concerns the whole file) and
// the message.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("config: %s:%d: %s", e.File, e.Line, e.Msg)
	case e.File != "":
		return fmt.Sprintf("config: %s: %s", e.File, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("config: line %d: %s", e.Line, e.Msg)
	}
	return "config: " + e.Msg
}

// Default returns the config used when none is given: the default knobs
// and the stages of DefaultSteps with their default options.
func Default() *Config {
	c := &Config{
		Workers:     runtime.NumCPU(),
		BatchSize:   DefaultBatchSize,
		MaxInFlight: DefaultMaxInFlight,
		Input:       Input{TextField: "text", IDField: "id"},
		Output: Output{
			Format:        "jsonl",
			Compression:   DefaultCompression,
			MaxShardBytes: DefaultMaxShardBytes,
		},
	}
	c.Steps = defaultSteps()
	return c
}

func defaultSteps() []Step {
	out := []Step{}
	for _, name := range DefaultSteps {
		spec, ok := lookupStep(name)
		if !ok {
			continue
		}
		cfg := spec.Config()
		if opts, ok := defaultOptions[name]; ok {
			var node yaml.Node
			p := &parser{file: "default pipeline"}
			if err := yaml.Unmarshal([]byte(opts), &node); err == nil && len(node.Content) == 1 {
				p.decodeStrict(node.Content[0], cfg, "step "+name)
			} else {
				p.errorf(0, "step %s: bad default options %q", name, opts)
			}
			if err := p.err(); err != nil {
				panic(err) // a programming error in defaultOptions, caught by the tests
			}
		}
		out = append(out, Step{Name: name, Config: cfg})
	}
	return out
}

// Load reads and validates the config file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates a config. name is used in error messages.
// Keys that are not set keep the values of [Default]. The error, when not
// nil, joins one *Error per problem found.
func Parse(name string, data []byte) (*Config, error) {
	c := Default()
	p := &parser{file: name}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return c, nil // an empty file: all defaults
		}
		return nil, &Error{File: name, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return c, nil
	}
	if doc.Kind != yaml.MappingNode {
		p.errorf(doc.Line, "the config must be a mapping of keys to values")
		return nil, p.err()
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if p.duplicate(seen, k, "key") {
			continue
		}
		switch k.Value {
		case "workers":
			p.decodeStrict(v, &c.Workers, "workers")
		case "batch_size":
			p.decodeStrict(v, &c.BatchSize, "batch_size")
		case "max_in_flight":
			p.decodeStrict(v, &c.MaxInFlight, "max_in_flight")
		case "input":
			p.decodeStrict(v, &c.Input, "input")
		case "output":
			p.decodeStrict(v, &c.Output, "output")
		case "steps":
			c.Steps = p.steps(v)
		default:
			p.unknown(k, "key", topKeys)
		}
	}
	p.errs = append(p.errs, c.check(name, doc)...)
	if err := p.err(); err != nil {
		return nil, err
	}
	return c, nil
}

var topKeys = []string{"workers", "batch_size", "max_in_flight", "input", "output", "steps"}

// Check validates the executor knobs and output options, for a config
// whose values were changed after Parse (by command-line flags).
func (c *Config) Check() error {
	return errors.Join(c.check("", nil)...)
}

// check validates the values that do not depend on YAML structure. doc,
// when not nil, is used to find the line of each key.
func (c *Config) check(file string, doc *yaml.Node) []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{File: file, Line: lineOf(doc, key), Msg: key + ": " + fmt.Sprintf(format, args...)})
	}
	if c.Workers < 1 {
		bad("workers", "must be at least 1, got %d", c.Workers)
	}
	if c.BatchSize < 1 {
		bad("batch_size", "must be at least 1, got %d", c.BatchSize)
	}
	if c.MaxInFlight < 1 {
		bad("max_in_flight", "must be at least 1, got %d", c.MaxInFlight)
	}
	if !contains(Compressions, c.Output.Compression) {
		msg := fmt.Sprintf("unknown compression %q (want one of %s)", c.Output.Compression, strings.Join(Compressions, ", "))
		if s := suggest(c.Output.Compression, Compressions); s != "" {
			msg += "; did you mean " + s + "?"
		}
		errs = append(errs, &Error{File: file, Line: lineOf(doc, "output", "compression"), Msg: "output.compression: " + msg})
	}
	switch {
	case c.Output.Format == "" || c.Output.Format == "jsonl":
	case c.Output.Format == "parquet":
		if c.Output.StandoffAttributes {
			errs = append(errs, &Error{File: file, Line: lineOf(doc, "output", "standoff_attributes"),
				Msg: "output.standoff_attributes: stand-off attribute shards are aligned with JSONL shards; not with format parquet"})
		}
	default:
		msg := fmt.Sprintf("unknown format %q (want one of %s)", c.Output.Format, strings.Join(Formats, ", "))
		if s := suggest(c.Output.Format, Formats); s != "" {
			msg += "; did you mean " + s + "?"
		}
		errs = append(errs, &Error{File: file, Line: lineOf(doc, "output", "format"), Msg: "output.format: " + msg})
	}
	if c.Output.RowGroupRows < 0 {
		bad("output", "row_group_rows must not be negative, got %d", c.Output.RowGroupRows)
	}
	if c.Output.MaxShardBytes < 0 {
		bad("output", "max_shard_bytes must not be negative, got %d", c.Output.MaxShardBytes)
	}
	if c.Input.TextField == "" {
		bad("input", "text_field must not be empty")
	}
	return errs
}

// lineOf returns the line of the value at path in the mapping doc, or 0.
func lineOf(doc *yaml.Node, path ...string) int {
	line := 0
	for _, key := range path {
		if doc == nil || doc.Kind != yaml.MappingNode {
			return line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(doc.Content); i += 2 {
			if doc.Content[i].Value == key {
				line = doc.Content[i].Line
				next = doc.Content[i+1]
			}
		}
		doc = next
	}
	return line
}

// NewPipeline builds one Stage value per step, in order. The executor calls
// it once per worker. On error the stages built so far are closed.
func (c *Config) NewPipeline() (winnow.Pipeline, error) {
	p := make(winnow.Pipeline, 0, len(c.Steps))
	for _, s := range c.Steps {
		spec, ok := lookupStep(s.Name)
		if !ok {
			p.Close()
			return nil, fmt.Errorf("config: unknown step %q", s.Name)
		}
		st, err := spec.New(s.Config)
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("config: step %s: %w", s.Name, err)
		}
		p = append(p, st)
	}
	return p, nil
}

// Map returns the config as generic maps, keyed as in YAML, for
// embedding the effective config in stats.json.
func (c *Config) Map() (map[string]any, error) {
	b, err := yaml.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return m, nil
}

// parser collects the problems found while walking the YAML tree.
type parser struct {
	file string
	errs []error
}

func (p *parser) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// err joins the problems found, sorted by line (problems of the whole
// file first); problems on one line keep the order they were found in.
func (p *parser) err() error {
	sort.SliceStable(p.errs, func(i, j int) bool { return errLine(p.errs[i]) < errLine(p.errs[j]) })
	return errors.Join(p.errs...)
}

func errLine(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Line
	}
	return 0
}

// unknown reports key k that is not one of known.
func (p *parser) unknown(k *yaml.Node, what string, known []string) {
	msg := fmt.Sprintf("unknown %s %q", what, k.Value)
	if s := suggest(k.Value, known); s != "" {
		msg += "; did you mean " + s + "?"
	} else if len(known) > 0 {
		msg += " (known: " + strings.Join(known, ", ") + ")"
	}
	p.errorf(k.Line, "%s", msg)
}

// stripLine removes yaml's "line N: " prefix, since Error carries it.
func stripLine(s string) string {
	if strings.HasPrefix(s, "line ") {
		if i := strings.Index(s, ": "); i > 0 {
			return s[i+2:]
		}
	}
	return s
}

// decodeStrict decodes v into out (a pointer) option by option, so that a
// problem in one option hides none in another: every mapping key must name
// a field of out's type (at any depth), a key may appear once per
// mapping, and a value of the wrong type is reported with its line and
// the type wanted. Fields whose value is wrong keep their previous value.
// where prefixes messages ("step clean", "input").
func (p *parser) decodeStrict(v *yaml.Node, out any, where string) {
	p.decodeValue(v, reflect.ValueOf(out).Elem(), where, "")
}

var (
	unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	durationType    = reflect.TypeOf(time.Duration(0))
)

// hasUnmarshaler reports whether t decodes itself.
func hasUnmarshaler(t reflect.Type) bool {
	return t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType)
}

// decodeValue decodes node into the addressable rv, walking structs,
// lists and maps element by element. path is the dotted option path
// below where ("lines.max_len", "top_ngrams[1].n").
func (p *parser) decodeValue(node *yaml.Node, rv reflect.Value, where, path string) {
	if node == nil {
		return
	}
	if node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	t := rv.Type()
	if (node.Kind == yaml.ScalarNode && node.Tag == "!!null") || hasUnmarshaler(t) {
		p.decodeLeaf(node, rv, where, path)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			rv.Set(reflect.New(t.Elem()))
		}
		p.decodeValue(node, rv.Elem(), where, path)
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			p.mismatch(node, t, where, path)
			return
		}
		fields := yamlFields(t)
		names := make([]string, 0, len(fields))
		for n := range fields {
			names = append(names, n)
		}
		sort.Strings(names)
		seen := map[string]int{}
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			if p.duplicate(seen, k, "option of "+joinPath(where, path)) {
				continue
			}
			idx, ok := fields[k.Value]
			if !ok {
				p.unknown(k, "option of "+joinPath(where, path), names)
				continue
			}
			f, err := rv.FieldByIndexErr(idx)
			if err != nil {
				p.errorf(k.Line, "%s: cannot set through a nil embedded struct", prefix(where, dotted(path, k.Value)))
				continue
			}
			p.decodeValue(v, f, where, dotted(path, k.Value))
		}
	case reflect.Slice:
		if node.Kind != yaml.SequenceNode {
			p.mismatch(node, t, where, path)
			return
		}
		s := reflect.MakeSlice(t, len(node.Content), len(node.Content))
		for i, e := range node.Content {
			p.decodeValue(e, s.Index(i), where, fmt.Sprintf("%s[%d]", path, i))
		}
		rv.Set(s)
	case reflect.Map:
		if node.Kind != yaml.MappingNode {
			p.mismatch(node, t, where, path)
			return
		}
		if rv.IsNil() {
			rv.Set(reflect.MakeMap(t))
		}
		seen := map[string]int{}
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			if p.duplicate(seen, k, "key of "+joinPath(where, path)) {
				continue
			}
			kv := reflect.New(t.Key()).Elem()
			vv := reflect.New(t.Elem()).Elem()
			n := len(p.errs)
			p.decodeValue(k, kv, where, path+" key")
			p.decodeValue(v, vv, where, dotted(path, k.Value))
			if len(p.errs) == n {
				rv.SetMapIndex(kv, vv)
			}
		}
	default:
		p.decodeLeaf(node, rv, where, path)
	}
}

// duplicate records key k in seen and reports whether it was already
// there, with an error naming the first occurrence's line.
func (p *parser) duplicate(seen map[string]int, k *yaml.Node, what string) bool {
	if first, ok := seen[k.Value]; ok {
		p.errorf(k.Line, "duplicate %s %q (first at line %d)", what, k.Value, first)
		return true
	}
	seen[k.Value] = k.Line
	return false
}

// decodeLeaf decodes a scalar (or a type with its own UnmarshalYAML)
// with yaml's own rules, and turns a type error into "want X, got Y".
func (p *parser) decodeLeaf(node *yaml.Node, rv reflect.Value, where, path string) {
	err := node.Decode(rv.Addr().Interface())
	if err == nil {
		return
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && !hasUnmarshaler(rv.Type()) {
		p.mismatch(node, rv.Type(), where, path)
		return
	}
	if errors.As(err, &te) {
		for _, e := range te.Errors {
			p.errorf(node.Line, "%s: %s", prefix(where, path), stripLine(e))
		}
		return
	}
	p.errorf(node.Line, "%s: %s", prefix(where, path), strings.TrimPrefix(err.Error(), "yaml: "))
}

// mismatch reports a value of the wrong type.
func (p *parser) mismatch(node *yaml.Node, t reflect.Type, where, path string) {
	p.errorf(node.Line, "%s: want %s, got %s", prefix(where, path), want(t), got(node))
}

// want describes the values type t accepts.
func want(t reflect.Type) string {
	if t == durationType {
		return "a duration such as 30s or 1m30s"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	case reflect.Pointer:
		return want(t.Elem())
	}
	return "a value of type " + t.String()
}

// got describes a YAML value for an error message.
func got(node *yaml.Node) string {
	switch node.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	v := node.Value
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	return strconv.Quote(v)
}

// prefix joins where and path for an error message: "step clean:
// min_words", "workers", "input".
func prefix(where, path string) string {
	switch {
	case where == "":
		return path
	case path == "":
		return where
	}
	return where + ": " + path
}

// joinPath joins where and path the way unknown-option messages name a
// nested mapping: "step clean.lines".
func joinPath(where, path string) string {
	switch {
	case where == "":
		return path
	case path == "":
		return where
	}
	return where + "." + path
}

// dotted appends key to the option path.
func dotted(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields maps the YAML keys of struct t to their field indices,
// following yaml/v3's rules: the tag's name, else the lower-cased field
// name; "-" is skipped; ",inline" structs contribute their own fields.
func yamlFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range yamlFields(ft) {
					out[k] = append([]int{i}, v...)
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = []int{i}
	}
	return out
}

// steps decodes the steps sequence.
func (p *parser) steps(v *yaml.Node) []Step {
	out := []Step{}
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return out
	}
	if v.Kind != yaml.SequenceNode {
		p.errorf(v.Line, "steps: must be a list of steps, each a stage name or a one-key mapping of name to options")
		return out
	}
	for _, item := range v.Content {
		var nameNode, opts *yaml.Node
		switch item.Kind {
		case yaml.ScalarNode:
			nameNode = item
		case yaml.MappingNode:
			if len(item.Content) != 2 {
				p.errorf(item.Line, "steps: a step is a one-key mapping of stage name to options, got %d keys", len(item.Content)/2)
				continue
			}
			nameNode, opts = item.Content[0], item.Content[1]
		default:
			p.errorf(item.Line, "steps: a step is a stage name or a one-key mapping of name to options")
			continue
		}
		spec, ok := lookupStep(nameNode.Value)
		if !ok {
			p.unknown(nameNode, "step", stepNames())
			continue
		}
		cfg := spec.Config()
		if opts != nil && !(opts.Kind == yaml.ScalarNode && opts.Tag == "!!null") {
			if opts.Kind != yaml.MappingNode {
				p.errorf(opts.Line, "step %s: options must be a mapping", spec.Name)
				continue
			}
			p.decodeStrict(opts, cfg, "step "+spec.Name)
		}
		// Validate what decoded, even when some options did not: a
		// type error in one option must not hide a range error in
		// another. An option that failed to decode keeps its default.
		if val, ok := cfg.(steps.Validator); ok {
			if err := val.Validate(); err != nil {
				for _, e := range unjoin(err) {
					p.errorf(optionLine(opts, e.Error(), nameNode.Line), "step %s: %v", spec.Name, e)
				}
			}
		}
		out = append(out, Step{Name: spec.Name, Config: cfg, Line: nameNode.Line})
	}
	p.checkOrder(out)
	return out
}

// Stage names the order checks know about.
const (
	// producer turns each record's payload into the document text.
	producer = extract.Name
	// signer signs the surviving documents for the dedup phase.
	signer = dedup.StageName
)

// readsNoText are the stages that may run before extract: they look
// only at a document's metadata (the URL), not at its text.
var readsNoText = map[string]bool{urlfilter.Name: true}

// editsOnly are the stages that never drop a document, so they may
// follow minhash: pii replaces spans of the text and keeps every document
// (datatrove runs PIIFormatter after dedup; see the fineweb preset).
var editsOnly = map[string]bool{"pii": true}

// checkOrder refuses step orders that run but give wrong results:
//
//   - a step that reads the text placed before extract, when the pipeline
//     has extract (it would see the raw HTML payload or an empty text);
//   - a step that may drop documents placed after minhash: the signatures
//     of the documents it drops would still join duplicate clusters, so
//     a document could be removed as the duplicate of one that is not in
//     the output (internal/dedup: "put it last in the pipeline so that
//     only surviving documents, with their final text, are signed"). pii
//     and steps with tag_only: true drop nothing and may follow it;
//   - minhash twice: the dedup phase reads one signature per document.
//
// Any other stage may appear more than once, with the same or other
// options (datatrove repeats filters with other thresholds); the counts
// of stats.json are keyed by stage and rule, so repeats of a stage add
// up under one name.
func (p *parser) checkOrder(list []Step) {
	firstExtract, firstSigner := -1, -1
	for i, s := range list {
		if s.Name == producer && firstExtract < 0 {
			firstExtract = i
		}
	}
	for i, s := range list {
		if firstExtract >= 0 && i < firstExtract && !readsNoText[s.Name] {
			p.errorf(s.Line, "step %s comes before %s (line %d), which produces the text it reads; move it after %s",
				s.Name, producer, list[firstExtract].Line, producer)
		}
		if s.Name == signer {
			if firstSigner >= 0 {
				p.errorf(s.Line, "step %s given twice (first at line %d); the dedup phase reads one signature per document",
					signer, list[firstSigner].Line)
			} else {
				firstSigner = i
			}
			continue
		}
		if firstSigner >= 0 && !editsOnly[s.Name] && !tagOnly(s.Config) {
			p.errorf(s.Line, "step %s may drop documents but comes after %s (line %d), which must follow every dropping step; move %s after it (only pii, or a step with tag_only: true, may follow %s)",
				s.Name, signer, list[firstSigner].Line, signer, signer)
		}
	}
}

// tagOnly reports whether cfg (a pointer to a stage config) has a
// tag_only option set to true, so the stage drops no document.
func tagOnly(cfg any) bool {
	v := reflect.ValueOf(cfg)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return false
	}
	idx, ok := yamlFields(v.Type())["tag_only"]
	if !ok {
		return false
	}
	f, err := v.FieldByIndexErr(idx)
	return err == nil && f.Kind() == reflect.Bool && f.Bool()
}

// optionLine returns the line of the option of mapping opts that msg
// starts with ("min_words must ...", "lines.max_len: ..."), the longest
// such key, or def.
func optionLine(opts *yaml.Node, msg string, def int) int {
	if opts == nil || opts.Kind != yaml.MappingNode {
		return def
	}
	best := ""
	for i := 0; i+1 < len(opts.Content); i += 2 {
		k := opts.Content[i]
		if len(k.Value) <= len(best) || !strings.HasPrefix(msg, k.Value) {
			continue
		}
		if rest := msg[len(k.Value):]; rest == "" || strings.ContainsRune(" :.[", rune(rest[0])) {
			best, def = k.Value, k.Line
		}
	}
	return def
}

// unjoin splits an errors.Join result into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns the entry of known closest to s by Levenshtein distance
// when that distance is at most 2 (ties: the first in known's order), or
// "".
func suggest(s string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := levenshtein(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// levenshtein is the edit distance (insertions, deletions, substitutions,
// each cost 1) between a and b, counted in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
