package dedup

import (
	"errors"
	"fmt"
	"strings"
)

// Config configures both the "minhash" stage and the dedup phase. The
// stage reads MinHash, ExactNorm and Lines; the phase reads everything and
// checks that the side files were written with the same MinHash and line
// parameters.
type Config struct {
	// MinHash are the signature and LSH parameters.
	MinHash MinHashConfig `yaml:"minhash"`

	// ExactNorm is the normalisation applied before the 128-bit exact
	// content hash (xxh3-128): "none" hashes the text as is, "whitespace"
	// (the default) trims it and collapses every run of Unicode white
	// space to one space, "simplify" applies the MinHash simplification
	// (lowercase, digits to 0, punctuation removed, diacritics removed).
	ExactNorm string `yaml:"exact_norm"`

	// Exact turns exact dedup on (default true).
	Exact bool `yaml:"exact"`
	// Near turns MinHash-LSH near-duplicate dedup on (default true).
	Near bool `yaml:"near"`

	// Survivor chooses the document kept in each cluster: "first" (the
	// default) keeps the smallest (input order, id); "oldest" the smallest
	// `created` timestamp (ties and missing values by input order);
	// "attribute:<name>" the highest numeric value of the attribute <name>
	// (missing values rank lowest; ties by input order).
	Survivor string `yaml:"survivor"`

	// Verify, when above 0, computes the true Jaccard similarity of the
	// word 5-gram shingle sets of every LSH candidate pair (re-reading the
	// documents from the output shards) and drops pairs below it before
	// clustering. 0 (the default, as in datatrove) trusts LSH.
	Verify float64 `yaml:"verify_jaccard"`

	// TagOnly keeps every document and sets the attributes
	// dedup/cluster_id, dedup/cluster_size and dedup/is_duplicate instead
	// of dropping duplicates.
	TagOnly bool `yaml:"tag_only"`

	// Lines configures cc_net-style removal of lines seen in another
	// document.
	Lines LinesConfig `yaml:"lines"`

	// MemoryBytes caps the memory of the dedup phase (default 2 GiB). A
	// quarter of it is the in-memory run of the external sort; the rest
	// covers the per-document arrays (about 16 bytes per document) and
	// the merge buffers. It caps each edge part (Edges) the same way, and
	// does not change the edges: parts computed under another value are
	// merged as they are.
	MemoryBytes int64 `yaml:"memory_bytes"`
}

// MinHashConfig are the MinHash-LSH parameters. The defaults are
// datatrove's MinhashConfig (dedup/minhash.py L51-54): 5-gram shingles,
// 14 bands × 8 rows = 112 permutations, seed 1. The LSH threshold is about
// (1/Bands)^(1/Rows) ≈ 0.72; a pair of Jaccard similarity s becomes a
// candidate with probability 1−(1−s^Rows)^Bands (0.924 at s = 0.8).
//
// Differences from datatrove, chosen on purpose:
//   - shingle hash: datatrove's default is xxhash64 (utils/hashing.py
//     L13-14; FineWeb used sha1 truncated to 64 bits); winnow uses xxh3-64,
//     about 3× faster on short keys (docs/dependencies.md). Any good 64-bit
//     hash gives the same Jaccard estimate; the signatures are not meant
//     to be byte-compatible with datatrove's files.
//   - permutations: (a·h+b) mod (2^61−1) is computed exactly with a
//     128-bit product, whereas datatrove's numpy uint64 product wraps
//     modulo 2^64 before the modulo. a ∈ [1, p), b ∈ [0, p) are drawn from
//     math/rand/v2 PCG seeded with Seed (datatrove: numpy RandomState).
//   - words: the simplified text is split on spaces, and every character of
//     a script written without spaces (Han, Hiragana, Katakana, Thai, Lao,
//     Khmer, Myanmar, Tibetan) is its own word; datatrove uses a
//     per-language tokenizer (spaCy, jieba, ...).
//   - a document with fewer than NGram words has one shingle, all its words
//     (datatrove gives it none, so it never matches anything).
type MinHashConfig struct {
	NGram int    `yaml:"ngram"`
	Bands int    `yaml:"bands"`
	Rows  int    `yaml:"rows"`
	Seed  uint64 `yaml:"seed"`
}

// LinesConfig configures the repeated-line phase (cc_net, dedup.py
// L277-291): a line whose normalised form (strip, lowercase, digits to 0,
// Unicode punctuation and non-printing characters removed;
// text_normalizer.py L180-188) is also in another surviving document is
// removed from all of them but one: the first by the survivor policy
// (input order for "first", oldest `created` for "oldest", highest
// attribute for "attribute:<name>"; ties by input order). A document left
// with no text is dropped with reason dedup/repeated_lines.
type LinesConfig struct {
	Enabled bool `yaml:"enabled"`
	// MinLength is the minimum length in bytes of a normalised line for it
	// to take part (default 1: empty lines are never removed).
	MinLength int `yaml:"min_length"`
}

// DefaultConfig returns the defaults described on each field.
func DefaultConfig() Config {
	return Config{
		MinHash:     MinHashConfig{NGram: 5, Bands: 14, Rows: 8, Seed: 1},
		ExactNorm:   "whitespace",
		Exact:       true,
		Near:        true,
		Survivor:    "first",
		Lines:       LinesConfig{MinLength: 1},
		MemoryBytes: 2 << 30,
	}
}

// Validate returns every problem with c, joined.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("dedup: "+format, a...)) }
	m := c.MinHash
	if m.NGram < 1 || m.NGram > 64 {
		bad("minhash.ngram %d out of range [1, 64]", m.NGram)
	}
	if m.Bands < 1 || m.Bands > 255 {
		bad("minhash.bands %d out of range [1, 255]", m.Bands)
	}
	if m.Rows < 1 || m.Rows > 64 {
		bad("minhash.rows %d out of range [1, 64]", m.Rows)
	}
	switch c.ExactNorm {
	case "none", "whitespace", "simplify":
	default:
		bad("exact_norm %q is not one of none, whitespace, simplify", c.ExactNorm)
	}
	if _, _, err := parseSurvivor(c.Survivor); err != nil {
		errs = append(errs, err)
	}
	if c.Verify < 0 || c.Verify > 1 {
		bad("verify_jaccard %g out of range [0, 1]", c.Verify)
	}
	if c.Lines.MinLength < 0 {
		bad("lines.min_length %d is negative", c.Lines.MinLength)
	}
	if c.MemoryBytes < 16<<20 {
		bad("memory_bytes %d below the minimum of 16 MiB", c.MemoryBytes)
	}
	return errors.Join(errs...)
}

// survivor policies
const (
	policyFirst = iota
	policyOldest
	policyAttribute
)

func parseSurvivor(s string) (int, string, error) {
	switch {
	case s == "first" || s == "":
		return policyFirst, "", nil
	case s == "oldest":
		return policyOldest, "", nil
	case strings.HasPrefix(s, "attribute:") && len(s) > len("attribute:"):
		return policyAttribute, s[len("attribute:"):], nil
	}
	return 0, "", fmt.Errorf("dedup: survivor %q is not first, oldest or attribute:<name>", s)
}

// SetTagOnly sets TagOnly; it lets a run's --tag-only reach this stage.
func (c *Config) SetTagOnly(on bool) { c.TagOnly = on }
