package quality

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"winnow"
	"winnow/internal/quality/tokenize"
)

// GopherRepetitionConfig configures the gopher_repetition stage: the
// repetition filter of Rae et al. 2021, Appendix A, Table A1, with the
// definitions of datatrove pipeline/filters/gopher_repetition_filter.py
// (defaults L76-85, logic L110-142), or of dolma taggers/gopher.py
// (L139-201) and the thresholds of dolma-v1_6 cc-head.yaml under profile
// dolma. A zero threshold disables its rule.
type GopherRepetitionConfig struct {
	Common `yaml:",inline"`

	// DupParaFrac bounds the fraction of paragraphs (text.strip() split
	// on "\n\n+") that repeat an earlier one. 0.3. Not in dolma.
	DupParaFrac float64 `yaml:"dup_para_frac"`
	// DupParaCharFrac bounds the characters of repeated paragraphs over
	// len(text). 0.2. Not in dolma.
	DupParaCharFrac float64 `yaml:"dup_para_char_frac"`
	// DupLineFrac bounds the fraction of lines (split on "\n+"; dolma:
	// "\n") that repeat an earlier one (dolma: that occur more than once,
	// first occurrences included). 0.3.
	DupLineFrac float64 `yaml:"dup_line_frac"`
	// DupLineCharFrac bounds the characters of repeated lines over
	// len(text) (dolma: over the sum of word lengths, first occurrences
	// included). Unset: 0.2 (Gopher, datatrove) or 0.3 (dolma
	// cc-head.yaml).
	DupLineCharFrac *float64 `yaml:"dup_line_char_frac,omitempty"`
	// TopNGrams bounds, per n, the characters covered by the most frequent
	// word n-gram: len(" ".join(ngram)) * count / len(text) (dolma:
	// count * sum of its word lengths / sum of all word lengths).
	// n 2, 3, 4: 0.20, 0.18, 0.16.
	TopNGrams []NGramLimit `yaml:"top_ngrams"`
	// DupNGrams bounds, per n, the characters of duplicated word n-grams
	// over len(text): scanning left to right, a repeat of an earlier
	// "".join(ngram) adds its length and skips n words (dolma: the
	// characters of n-grams occurring more than once, with multiplicity,
	// over those of all n-grams). n 5 to 10: 0.15, 0.14, 0.13, 0.12, 0.11,
	// 0.10.
	DupNGrams []NGramLimit `yaml:"dup_ngrams"`
}

// NGramLimit is the threshold Frac for word n-grams of size N.
type NGramLimit struct {
	N    int     `yaml:"n"`
	Frac float64 `yaml:"frac"`
}

// DefaultGopherRepetitionConfig returns Gopher's Table A1 thresholds.
func DefaultGopherRepetitionConfig() GopherRepetitionConfig {
	return GopherRepetitionConfig{
		Common:          defaultCommon(),
		DupParaFrac:     0.3,
		DupParaCharFrac: 0.2,
		DupLineFrac:     0.3,
		TopNGrams:       []NGramLimit{{2, 0.20}, {3, 0.18}, {4, 0.16}},
		DupNGrams:       []NGramLimit{{5, 0.15}, {6, 0.14}, {7, 0.13}, {8, 0.12}, {9, 0.11}, {10, 0.10}},
	}
}

// Validate reports every invalid option.
func (c *GopherRepetitionConfig) Validate() error {
	var errs []error
	if err := c.Profile.validate("gopher_repetition"); err != nil {
		errs = append(errs, err)
	}
	check := func(name string, v float64) {
		if v < 0 || v > 1 {
			errs = append(errs, fmt.Errorf("quality: gopher_repetition: %s %g outside [0, 1]", name, v))
		}
	}
	check("dup_para_frac", c.DupParaFrac)
	check("dup_para_char_frac", c.DupParaCharFrac)
	check("dup_line_frac", c.DupLineFrac)
	if c.DupLineCharFrac != nil {
		check("dup_line_char_frac", *c.DupLineCharFrac)
	}
	for key, list := range map[string][]NGramLimit{"top_ngrams": c.TopNGrams, "dup_ngrams": c.DupNGrams} {
		seen := map[int]bool{}
		for _, l := range list {
			if l.N < 1 || l.N > 100 {
				errs = append(errs, fmt.Errorf("quality: gopher_repetition: %s: n %d outside 1..100", key, l.N))
			}
			if seen[l.N] {
				errs = append(errs, fmt.Errorf("quality: gopher_repetition: %s: n %d given twice", key, l.N))
			}
			seen[l.N] = true
			check(fmt.Sprintf("%s[n=%d]", key, l.N), l.Frac)
		}
	}
	return errors.Join(errs...)
}

// NewGopherRepetition builds the gopher_repetition stage.
//
// Signals (attribute "gopher_repetition/<name>"): dup_para_frac,
// dup_para_char_frac (datatrove only), dup_line_frac, dup_line_char_frac,
// top_<n>_gram_char_frac for each n of TopNGrams, dup_<n>_gram_char_frac
// for each n of DupNGrams. Each rule has the name of its signal and is
// checked in that order.
//
// It returns the errors of Validate, joined, for an invalid config.
func NewGopherRepetition(c GopherRepetitionConfig) (winnow.Stage, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	r := &gopherRepetition{c: c, lineChar: 0.2}
	if c.Profile == Dolma {
		r.lineChar = 0.3
	}
	if c.DupLineCharFrac != nil {
		r.lineChar = *c.DupLineCharFrac
	}
	r.top = slices.Clone(c.TopNGrams)
	r.dup = slices.Clone(c.DupNGrams)
	byN := func(a, b NGramLimit) int { return a.N - b.N }
	slices.SortFunc(r.top, byN)
	slices.SortFunc(r.dup, byN)
	return &stage{name: "gopher_repetition", c: c.Common, m: r}, nil
}

type gopherRepetition struct {
	c        GopherRepetitionConfig
	lineChar float64
	top, dup []NGramLimit
}

func (g *gopherRepetition) measure(d *winnow.Doc, _ bool) ([]Signal, *verdict) {
	text := d.Text
	var sigs []Signal
	var limits []float64
	add := func(name string, v, limit float64) {
		sigs = append(sigs, Signal{name, v})
		limits = append(limits, limit)
	}
	words := newWordSeq(tokenizer(d, g.c.Profile).Split(text))
	if g.c.Profile == Dolma {
		chars := float64(words.totalLen)
		lines := strings.Split(text, "\n")
		n, c := countRepeatedInclusive(lines)
		add("dup_line_frac", ratio(float64(n), float64(len(lines))), g.c.DupLineFrac)
		add("dup_line_char_frac", ratio(float64(c), chars), g.lineChar)
		for _, l := range g.top {
			if v, ok := words.dolmaTop(l.N); ok {
				add(fmt.Sprintf("top_%d_gram_char_frac", l.N), v, l.Frac)
			}
		}
		for _, l := range g.dup {
			if v, ok := words.dolmaDup(l.N); ok {
				add(fmt.Sprintf("dup_%d_gram_char_frac", l.N), v, l.Frac)
			}
		}
	} else {
		textLen := float64(tokenize.Len(text))
		paras := splitParagraphs(tokenize.TrimSpace(text))
		n, c := findDuplicates(paras)
		add("dup_para_frac", ratio(float64(n), float64(len(paras))), g.c.DupParaFrac)
		add("dup_para_char_frac", ratio(float64(c), textLen), g.c.DupParaCharFrac)
		lines := splitNewlineRuns(text)
		n, c = findDuplicates(lines)
		add("dup_line_frac", ratio(float64(n), float64(len(lines))), g.c.DupLineFrac)
		add("dup_line_char_frac", ratio(float64(c), textLen), g.lineChar)
		for _, l := range g.top {
			if chars, ok := words.topChars(l.N); ok {
				add(fmt.Sprintf("top_%d_gram_char_frac", l.N), ratio(float64(chars), textLen), l.Frac)
			}
		}
		for _, l := range g.dup {
			add(fmt.Sprintf("dup_%d_gram_char_frac", l.N), ratio(float64(words.dupChars(l.N)), textLen), l.Frac)
		}
	}
	for i, s := range sigs {
		if limits[i] > 0 && s.Value > limits[i] {
			return sigs, above(s.Name, s.Value, limits[i])
		}
	}
	return sigs, nil
}

// splitParagraphs is re.split(r"\n{2,}", s).
func splitParagraphs(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		if s[i] != '\n' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '\n' {
			j++
		}
		if j-i >= 2 {
			out = append(out, s[start:i])
			start = j
		}
		i = j
	}
	return append(out, s[start:])
}

// splitNewlineRuns is re.split("\n+", s).
func splitNewlineRuns(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		if s[i] != '\n' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '\n' {
			j++
		}
		out = append(out, s[start:i])
		start = j
		i = j
	}
	return append(out, s[start:])
}

// findDuplicates is datatrove's find_duplicates (gopher_repetition_filter.py
// L35-46): walking in order, each element equal to an earlier one adds 1
// to the count and its length in code points to the characters; first
// occurrences are not counted. Blank (whitespace-only) elements are never
// duplicates (datatrove issue #273).
func findDuplicates(xs []string) (count, chars int) {
	seen := make(map[string]struct{}, len(xs))
	for _, x := range xs {
		if tokenize.TrimSpace(x) == "" {
			continue
		}
		if _, ok := seen[x]; ok {
			count++
			chars += tokenize.Len(x)
			continue
		}
		seen[x] = struct{}{}
	}
	return count, chars
}

// countRepeatedInclusive is dolma's duplicate-line count (gopher.py
// L191-197): over the distinct elements that occur more than once, the sum
// of their counts and of count * length, first occurrences included.
// Blank elements are never duplicates (datatrove issue #273; dolma counts
// them).
func countRepeatedInclusive(xs []string) (count, chars int) {
	counts := make(map[string]int, len(xs))
	for _, x := range xs {
		counts[x]++
	}
	for x, c := range counts {
		if c > 1 && tokenize.TrimSpace(x) != "" {
			count += c
			chars += c * tokenize.Len(x)
		}
	}
	return count, chars
}

// wordSeq is a token list with per-token ids and code-point lengths, for
// n-gram statistics without building n-gram strings.
type wordSeq struct {
	words    []string
	ids      []uint32
	lens     []int
	totalLen int
	// n-gram keys, extended as n grows
	idRoll, catRoll   rolling
	wordHash, wordPow []uint64
	// scratch reused between n-gram sizes
	index   map[uint64]int32
	entries []ngramCount
}

func newWordSeq(words []string) *wordSeq {
	s := &wordSeq{words: words, ids: make([]uint32, len(words)), lens: make([]int, len(words))}
	idOf := make(map[string]uint32, len(words))
	for i, w := range words {
		id, ok := idOf[w]
		if !ok {
			id = uint32(len(idOf))
			idOf[w] = id
		}
		s.ids[i] = id
		s.lens[i] = tokenize.Len(w)
		s.totalLen += s.lens[i]
	}
	return s
}

// N-gram keys are polynomial hashes modulo the Mersenne prime 2^61-1,
// extended one word at a time as n grows (callers ask for n in ascending
// order), so a key costs O(1) per n-gram instead of O(n). Two different
// n-grams share a key with probability below 2^-50; equal n-grams always
// do. Measured on the 697-document dolma CC sample: hashing the
// concatenated bytes with xxh3 per n-gram took 30 % of gopher_repetition.
const (
	mersenne61 = 1<<61 - 1
	hashBase   = 0x1f3d5b79a2c4e687 % mersenne61 // the byte-string base
	idBase     = 0x2b7e151628aed2a6 % mersenne61 // the id-tuple base
)

func mulmod(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	r := (hi<<3 | lo>>61) + lo&mersenne61
	if r >= mersenne61 {
		r -= mersenne61
	}
	return r
}

func addmod(a, b uint64) uint64 {
	r := a + b
	if r >= mersenne61 {
		r -= mersenne61
	}
	return r
}

// rolling holds the keys of all n-grams of one size.
type rolling struct {
	n int
	h []uint64
}

// idKeys returns the keys of the id tuples words[i:i+n] for every i,
// which identify the tuples (and their " ".join, as tokens hold no
// spaces).
func (s *wordSeq) idKeys(n int) []uint64 {
	r := &s.idRoll
	if r.n == 0 || r.n > n {
		r.n = 1
		r.h = r.h[:0]
		for _, id := range s.ids {
			r.h = append(r.h, uint64(id)+1)
		}
	}
	for ; r.n < n; r.n++ {
		for i := 0; i+r.n < len(s.ids); i++ {
			r.h[i] = addmod(mulmod(r.h[i], idBase), uint64(s.ids[i+r.n])+1)
		}
	}
	return r.h[:len(s.ids)-n+1]
}

// concatKeys returns the keys of "".join(words[i:i+n]) for every i: the
// polynomial hash of the concatenated bytes, so that n-grams with the
// same concatenation (["ab","c"] and ["a","bc"]) share a key, as
// datatrove's find_all_duplicate compares them.
func (s *wordSeq) concatKeys(n int) []uint64 {
	if s.wordHash == nil {
		s.wordHash = make([]uint64, len(s.words))
		s.wordPow = make([]uint64, len(s.words))
		for i, w := range s.words {
			h, p := uint64(0), uint64(1)
			for j := 0; j < len(w); j++ {
				h = addmod(mulmod(h, hashBase), uint64(w[j])+1)
				p = mulmod(p, hashBase)
			}
			s.wordHash[i], s.wordPow[i] = h, p
		}
	}
	r := &s.catRoll
	if r.n == 0 || r.n > n {
		r.n = 1
		r.h = append(r.h[:0], s.wordHash...)
	}
	for ; r.n < n; r.n++ {
		for i := 0; i+r.n < len(s.words); i++ {
			j := i + r.n
			r.h[i] = addmod(mulmod(r.h[i], s.wordPow[j]), s.wordHash[j])
		}
	}
	return r.h[:len(s.words)-n+1]
}

func (s *wordSeq) span(i, n int) int {
	t := 0
	for _, l := range s.lens[i : i+n] {
		t += l
	}
	return t
}

type ngramCount struct {
	count int32
	first int32 // index of the first occurrence
}

// counts counts the n-grams by id tuple, in order of first occurrence; it
// returns false when there are no n-grams. The slice is reused by the
// next call.
func (s *wordSeq) counts(n int) ([]ngramCount, bool) {
	m := len(s.words) - n + 1
	if m <= 0 {
		return nil, false
	}
	if s.index == nil {
		s.index = make(map[uint64]int32, m)
	}
	clear(s.index)
	s.entries = s.entries[:0]
	keys := s.idKeys(n)
	for i := 0; i < m; i++ {
		k := keys[i]
		if j, ok := s.index[k]; ok {
			s.entries[j].count++
			continue
		}
		s.index[k] = int32(len(s.entries))
		s.entries = append(s.entries, ngramCount{count: 1, first: int32(i)})
	}
	return s.entries, true
}

// top returns the most frequent n-gram: the highest count, ties going to
// the n-gram seen first, as Counter.most_common(1) does (entries are in
// order of first occurrence).
func top(c []ngramCount) ngramCount {
	best := c[0]
	for _, e := range c[1:] {
		if e.count > best.count {
			best = e
		}
	}
	return best
}

// topChars is datatrove's find_top_duplicate: len(" ".join(top n-gram))
// * count, and false when there are no n-grams (the rule is skipped).
func (s *wordSeq) topChars(n int) (int, bool) {
	c, ok := s.counts(n)
	if !ok {
		return 0, false
	}
	b := top(c)
	return (s.span(int(b.first), n) + n - 1) * int(b.count), true
}

// dupChars is datatrove's find_all_duplicate (L57-70).
func (s *wordSeq) dupChars(n int) int {
	if s.index == nil {
		s.index = make(map[uint64]int32, len(s.words))
	}
	seen := s.index
	clear(seen)
	chars := 0
	if len(s.words) < n {
		return 0
	}
	keys := s.concatKeys(n)
	for i := 0; i < len(keys); {
		k := keys[i]
		if _, ok := seen[k]; ok {
			chars += s.span(i, n)
			i += n
			continue
		}
		seen[k] = 0
		i++
	}
	return chars
}

// dolmaTop is dolma's fraction_of_characters_in_most_common_ngram:
// count * sum of the top n-gram's word lengths / max(sum of all word
// lengths, 1); false when there are no n-grams.
func (s *wordSeq) dolmaTop(n int) (float64, bool) {
	c, ok := s.counts(n)
	if !ok {
		return 0, false
	}
	b := top(c)
	return float64(int(b.count)*s.span(int(b.first), n)) / float64(max(s.totalLen, 1)), true
}

// dolmaDup is dolma's fraction_of_characters_in_duplicate_ngrams: the
// characters of n-grams occurring more than once, times their count, over
// the characters of all n-grams times their count; false when there are
// no n-grams.
func (s *wordSeq) dolmaDup(n int) (float64, bool) {
	c, ok := s.counts(n)
	if !ok {
		return 0, false
	}
	var all, dup int
	for _, e := range c {
		ch := int(e.count) * s.span(int(e.first), n)
		all += ch
		if e.count > 1 {
			dup += ch
		}
	}
	return float64(dup) / float64(max(all, 1)), true
}
