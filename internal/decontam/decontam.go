// Package decontam is the decontam stage: it drops (or tags) documents
// that share a word n-gram with a user-given set of evaluation texts, so
// that benchmark answers do not leak into a training corpus.
//
// The reference is datatrove's n-gram decontamination
// (huggingface/datatrove src/datatrove/pipeline/decont/n_grams.py,
// NGramsDecontIndexer and NGramsDecontFilter): both the evaluation texts
// and the documents are normalised with simplify_text ([Normalize]), cut
// into words, and every run of N consecutive words, joined by single
// spaces, is hashed to 64 bits; a document whose n-gram hash is in the
// evaluation set is contaminated. Departures, and why:
//
//   - N defaults to 13, the n-gram length of GPT-3's decontamination
//     (Brown et al. 2020, Appendix C) that dolma and the task asks for;
//     datatrove's default is 12.
//   - Words are the space-separated pieces of the normalised text.
//     datatrove runs NLTK's word_tokenize on it; with punctuation already
//     turned into spaces by simplify_text the two agree on all but rare
//     leftovers.
//   - The hash is xxh3-64 (github.com/zeebo/xxh3) of the n-gram's UTF-8
//     bytes, not xxhash64: the index lives in memory for one run and is
//     never exchanged with datatrove's.
//   - The evaluation set is a JSONL file read directly (Config.EvalFile,
//     Config.TextField), not lighteval tasks. Each line's text is one
//     "label"; datatrove's optional query and query-label overlap
//     n-grams are not built. A text of fewer than N words yields no
//     n-gram, as in datatrove.
//   - Matches are counted over the whole document (attribute
//     "decontam/matches"), and a document is dropped when the count
//     reaches MinMatches (1 by default, datatrove's behaviour).
package decontam

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/zeebo/xxh3"

	"winnow"
)

// Name is the stage name; drops are reported as "decontam/ngram".
const (
	Name      = "decontam"
	AttrMatch = "decontam/matches"
	RuleNGram = "ngram"
)

// Config configures the decontam stage.
type Config struct {
	// EvalFile is a JSONL file of evaluation texts, one JSON object per
	// line (plain text; blank lines are skipped). Required.
	EvalFile string `yaml:"eval_file"`
	// TextField names the string field that holds the text. "text".
	TextField string `yaml:"text_field"`
	// N is the n-gram length in words. 13.
	N int `yaml:"n"`
	// MinMatches is how many contaminated n-gram positions drop a
	// document. 1.
	MinMatches int `yaml:"min_matches"`
	// TagOnly keeps every document and only sets the attribute.
	TagOnly bool `yaml:"tag_only"`
}

// DefaultConfig returns N 13, min_matches 1, text field "text", and no
// evaluation file.
func DefaultConfig() Config { return Config{TextField: "text", N: 13, MinMatches: 1} }

// Validate reports every invalid option.
func (c Config) Validate() error {
	var errs []error
	if c.EvalFile == "" {
		errs = append(errs, errors.New("decontam: eval_file is required"))
	} else if _, err := os.Stat(c.EvalFile); err != nil {
		errs = append(errs, fmt.Errorf("decontam: eval_file: %w", err))
	}
	if c.TextField == "" {
		errs = append(errs, errors.New("decontam: text_field is empty"))
	}
	if c.N < 1 || c.N > 1000 {
		errs = append(errs, fmt.Errorf("decontam: n %d outside [1, 1000]", c.N))
	}
	if c.MinMatches < 1 {
		errs = append(errs, fmt.Errorf("decontam: min_matches %d must be at least 1", c.MinMatches))
	}
	return errors.Join(errs...)
}

// Index is the set of n-gram hashes of the evaluation texts. It is
// read-only once built and safe for concurrent use.
type Index struct {
	n      int
	hashes map[uint64]struct{}
	// Texts is the number of evaluation texts read; Short the number of
	// them with fewer than N words, which add no n-gram.
	Texts, Short int
}

// NewIndex returns an empty index of n-grams of n words.
func NewIndex(n int) *Index { return &Index{n: n, hashes: map[uint64]struct{}{}} }

// Len returns the number of distinct n-gram hashes.
func (ix *Index) Len() int { return len(ix.hashes) }

// Add adds the n-grams of one evaluation text.
func (ix *Index) Add(text string) {
	ix.Texts++
	if !eachNGram(Normalize(text), ix.n, func(g string) bool {
		ix.hashes[xxh3.HashString(g)] = struct{}{}
		return true
	}) {
		ix.Short++
	}
}

// Matches returns how many n-gram positions of text are in the index,
// and the first such n-gram (normalised).
func (ix *Index) Matches(text string) (n int, first string) {
	if len(ix.hashes) == 0 {
		return 0, ""
	}
	eachNGram(Normalize(text), ix.n, func(g string) bool {
		if _, ok := ix.hashes[xxh3.HashString(g)]; ok {
			if n == 0 {
				first = g
			}
			n++
		}
		return true
	})
	return n, first
}

// eachNGram calls f with every run of n consecutive words of the
// normalised text s, as a substring of s (words are separated by single
// spaces there). It reports whether s had at least n words.
func eachNGram(s string, n int, f func(string) bool) bool {
	// starts holds the start offsets of the last n words, as a ring.
	starts := make([]int, n)
	words := 0
	i := 0
	for i < len(s) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			break
		}
		st := i
		for i < len(s) && s[i] != ' ' {
			i++
		}
		starts[words%n] = st
		words++
		if words >= n {
			if !f(s[starts[(words-n)%n]:i]) {
				return true
			}
		}
	}
	return words >= n
}

// ReadIndex builds the index of the texts in a JSONL file. A line that is
// not a JSON object, or lacks field as a string, is an error naming the
// 1-based line.
func ReadIndex(path, field string, n int) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("decontam: %w", err)
	}
	defer f.Close()
	ix := NewIndex(n)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			return nil, fmt.Errorf("decontam: %s: line %d: %w", path, line, err)
		}
		raw, ok := obj[field]
		if !ok {
			return nil, fmt.Errorf("decontam: %s: line %d: no field %q", path, line, field)
		}
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, fmt.Errorf("decontam: %s: line %d: field %q is not a string", path, line, field)
		}
		ix.Add(text)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("decontam: %s: %w", path, err)
	}
	return ix, nil
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*Index{}
)

// sharedIndex loads each (file, size, mtime, field, n) once per process:
// the executor calls New once per worker, and the workers share the
// read-only index.
func sharedIndex(c Config) (*Index, error) {
	fi, err := os.Stat(c.EvalFile)
	if err != nil {
		return nil, fmt.Errorf("decontam: %w", err)
	}
	key := fmt.Sprintf("%s|%d|%d|%s|%d", c.EvalFile, fi.Size(), fi.ModTime().UnixNano(), c.TextField, c.N)
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if ix, ok := cache[key]; ok {
		return ix, nil
	}
	ix, err := ReadIndex(c.EvalFile, c.TextField, c.N)
	if err != nil {
		return nil, err
	}
	cache[key] = ix
	return ix, nil
}

type stage struct {
	ix *Index
	c  Config
}

// New builds the decontam stage. It sets attribute "decontam/matches"
// (int) on every document and, unless tag_only, drops a document whose
// count reaches min_matches with rule "ngram" (Value: the count; Detail:
// the first contaminated n-gram, normalised).
func New(c Config) (winnow.Stage, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	ix, err := sharedIndex(c)
	if err != nil {
		return nil, err
	}
	return &stage{ix: ix, c: c}, nil
}

func (s *stage) Name() string { return Name }

func (s *stage) Process(ctx context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	for _, d := range docs {
		n, first := s.ix.Matches(d.Text)
		d.SetAttr(AttrMatch, n)
		if !s.c.TagOnly && n >= s.c.MinMatches {
			d.SetDrop(Name, RuleNGram, float64(n), first)
		}
	}
	return docs, ctx.Err()
}

func (s *stage) Close() error { return nil }

// SetTagOnly sets TagOnly; it lets a run's --tag-only reach this stage.
func (c *Config) SetTagOnly(on bool) { c.TagOnly = on }
