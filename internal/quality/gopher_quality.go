package quality

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"winnow"
	"winnow/internal/quality/tokenize"
)

// GopherQualityConfig configures the gopher_quality stage: the Gopher
// quality filter of Rae et al. 2021, Appendix A.1 ("Quality filtering"),
// with the definitions and default thresholds of datatrove
// pipeline/filters/gopher_quality_filter.py (defaults L16-29, logic
// L71-125), or of dolma taggers/gopher.py (L139-201) with the thresholds
// of dolma configs/dolma-v1_6/mixing/cc-head.yaml under profile dolma.
//
// A zero threshold disables its rule, as in datatrove.
type GopherQualityConfig struct {
	Common `yaml:",inline"`

	// MinWords and MaxWords bound the number of words that are not made
	// of punctuation only (dolma: of all whitespace words). 50 and 100000.
	MinWords int `yaml:"min_words"`
	MaxWords int `yaml:"max_words"`
	// MinWordLength and MaxWordLength bound the mean word length in code
	// points (dolma: the median) of those words. 3 and 10.
	MinWordLength float64 `yaml:"min_word_length"`
	MaxWordLength float64 `yaml:"max_word_length"`
	// MaxSymbolWordRatio bounds, each on its own, the number of "#"
	// characters and the number of "..." plus "…" in the text per word
	// (all tokens, punctuation included); dolma: the fraction of words
	// that contain "#" or "…". 0.1.
	MaxSymbolWordRatio float64 `yaml:"max_symbol_word_ratio"`
	// MaxBulletLinesRatio bounds the fraction of lines (str.splitlines)
	// whose left-stripped text starts with "•" or "-" (dolma: lines of
	// split("\n") starting, unstripped, with "*" or "-"). 0.9.
	MaxBulletLinesRatio float64 `yaml:"max_bullet_lines_ratio"`
	// MaxEllipsisLinesRatio bounds the fraction of lines whose
	// right-stripped text ends with "..." or "…" (dolma: unstripped, "…"
	// only). 0.3.
	MaxEllipsisLinesRatio float64 `yaml:"max_ellipsis_lines_ratio"`
	// MinAlphaWordsRatio is the least fraction of all tokens that hold at
	// least one alphabetic character (Python str.isalpha, true for CJK).
	// datatrove calls it max_non_alpha_words_ratio (issue #202). 0.8.
	MinAlphaWordsRatio float64 `yaml:"min_alpha_words_ratio"`
	// MinStopWords is the least number of stop words: distinct ones found
	// among the tokens under datatrove, occurrences under dolma; both
	// case-sensitive. 2.
	MinStopWords int `yaml:"min_stop_words"`
	// StopWords are Gopher's required English words: the, be, to, of,
	// and, that, have, with (datatrove L10, dolma L13).
	StopWords []string `yaml:"stop_words"`
}

// DefaultGopherQualityConfig returns the datatrove defaults (= Gopher).
func DefaultGopherQualityConfig() GopherQualityConfig {
	return GopherQualityConfig{
		Common:                defaultCommon(),
		MinWords:              50,
		MaxWords:              100000,
		MinWordLength:         3,
		MaxWordLength:         10,
		MaxSymbolWordRatio:    0.1,
		MaxBulletLinesRatio:   0.9,
		MaxEllipsisLinesRatio: 0.3,
		MinAlphaWordsRatio:    0.8,
		MinStopWords:          2,
		StopWords:             []string{"the", "be", "to", "of", "and", "that", "have", "with"},
	}
}

// Validate reports every invalid option.
func (c *GopherQualityConfig) Validate() error {
	var errs []error
	if err := c.Profile.validate("gopher_quality"); err != nil {
		errs = append(errs, err)
	}
	if c.MinWords < 0 || c.MaxWords < 0 || (c.MaxWords > 0 && c.MinWords > c.MaxWords) {
		errs = append(errs, fmt.Errorf("quality: gopher_quality: bad word bounds %d..%d", c.MinWords, c.MaxWords))
	}
	if c.MinWordLength < 0 || c.MaxWordLength < 0 || (c.MaxWordLength > 0 && c.MinWordLength > c.MaxWordLength) {
		errs = append(errs, fmt.Errorf("quality: gopher_quality: bad word length bounds %g..%g", c.MinWordLength, c.MaxWordLength))
	}
	for name, v := range map[string]float64{
		"max_symbol_word_ratio": c.MaxSymbolWordRatio, "max_bullet_lines_ratio": c.MaxBulletLinesRatio,
		"max_ellipsis_lines_ratio": c.MaxEllipsisLinesRatio, "min_alpha_words_ratio": c.MinAlphaWordsRatio,
	} {
		if v < 0 || v > 1 {
			errs = append(errs, fmt.Errorf("quality: gopher_quality: %s %g outside [0, 1]", name, v))
		}
	}
	if c.MinStopWords < 0 {
		errs = append(errs, fmt.Errorf("quality: gopher_quality: min_stop_words %d is negative", c.MinStopWords))
	}
	return errors.Join(errs...)
}

// NewGopherQuality builds the gopher_quality stage.
//
// Signals (attribute "gopher_quality/<name>"): word_count,
// mean_word_length (dolma: median_word_length), hash_ratio and
// ellipsis_ratio (dolma: symbol_ratio), bullet_lines_ratio,
// ellipsis_lines_ratio, alpha_words_ratio, stop_words. Rules, checked in
// datatrove's order: min_words, max_words, min_word_length,
// max_word_length, hash_ratio, ellipsis_ratio (dolma: symbol_ratio),
// bullet_lines, ellipsis_lines, alpha_words, stop_words.
//
// It returns the errors of Validate, joined, for an invalid config.
func NewGopherQuality(c GopherQualityConfig) (winnow.Stage, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	g := &gopherQuality{c: c, stop: map[string]bool{}}
	for _, w := range c.StopWords {
		g.stop[w] = true
	}
	return &stage{name: "gopher_quality", c: c.Common, m: g}, nil
}

type gopherQuality struct {
	c    GopherQualityConfig
	stop map[string]bool
}

func (g *gopherQuality) measure(d *winnow.Doc, _ bool) ([]Signal, *verdict) {
	words := tokenizer(d, g.c.Profile).Split(d.Text)
	if g.c.Profile == Dolma {
		return g.dolma(d.Text, words)
	}
	return g.datatrove(d.Text, words)
}

func (g *gopherQuality) datatrove(text string, words []string) ([]Signal, *verdict) {
	var nonSymbol, lenSum, alpha float64
	stops := map[string]bool{}
	for _, w := range words {
		if !isSymbolWord(w) {
			nonSymbol++
			lenSum += float64(tokenize.Len(w))
		}
		if tokenize.HasAlpha(w) {
			alpha++
		}
		if g.stop[w] {
			stops[w] = true
		}
	}
	n := float64(len(words))
	meanLen := ratio(lenSum, nonSymbol)
	hash := ratio(float64(strings.Count(text, "#")), n)
	ellipsis := ratio(float64(strings.Count(text, "...")+strings.Count(text, "…")), n)
	var bullets, ellLines float64
	lines := tokenize.SplitLines(text)
	for _, l := range lines {
		ls := tokenize.TrimLeftSpace(l)
		if strings.HasPrefix(ls, "•") || strings.HasPrefix(ls, "-") {
			bullets++
		}
		rs := tokenize.TrimRightSpace(l)
		if strings.HasSuffix(rs, "...") || strings.HasSuffix(rs, "…") {
			ellLines++
		}
	}
	nl := float64(len(lines))
	sigs := []Signal{
		{"word_count", nonSymbol},
		{"mean_word_length", meanLen},
		{"hash_ratio", hash},
		{"ellipsis_ratio", ellipsis},
		{"bullet_lines_ratio", ratio(bullets, nl)},
		{"ellipsis_lines_ratio", ratio(ellLines, nl)},
		{"alpha_words_ratio", ratio(alpha, n)},
		{"stop_words", float64(len(stops))},
	}
	return sigs, g.check(sigs)
}

func (g *gopherQuality) dolma(text string, words []string) ([]Signal, *verdict) {
	var alpha, symbol, stops float64
	lens := make([]int, len(words))
	for i, w := range words {
		lens[i] = tokenize.Len(w)
		if tokenize.HasAlpha(w) {
			alpha++
		}
		if strings.Contains(w, "#") || strings.Contains(w, "…") {
			symbol++
		}
		if g.stop[w] {
			stops++
		}
	}
	n := float64(len(words))
	var bullets, ellLines float64
	lines := strings.Split(text, "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "*") || strings.HasPrefix(l, "-") {
			bullets++
		}
		if strings.HasSuffix(l, "…") {
			ellLines++
		}
	}
	nl := float64(len(lines))
	sigs := []Signal{
		{"word_count", n},
		{"median_word_length", median(lens)},
		{"symbol_ratio", ratio(symbol, n)},
		{"bullet_lines_ratio", ratio(bullets, nl)},
		{"ellipsis_lines_ratio", ratio(ellLines, nl)},
		{"alpha_words_ratio", ratio(alpha, n)},
		{"stop_words", stops},
	}
	return sigs, g.check(sigs)
}

// median is Python's statistics.median (the mean of the two middle values
// for an even count), 0 for no values (dolma robust_median).
func median(v []int) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	m := len(v) / 2
	if len(v)%2 == 1 {
		return float64(v[m])
	}
	return float64(v[m-1]+v[m]) / 2
}

func (g *gopherQuality) check(sigs []Signal) *verdict {
	c := g.c
	for _, s := range sigs {
		v := s.Value
		switch s.Name {
		case "word_count":
			if c.MinWords > 0 && v < float64(c.MinWords) {
				return below("min_words", v, float64(c.MinWords))
			}
			if c.MaxWords > 0 && v > float64(c.MaxWords) {
				return above("max_words", v, float64(c.MaxWords))
			}
		case "mean_word_length", "median_word_length":
			if c.MinWordLength > 0 && v < c.MinWordLength {
				return below("min_word_length", v, c.MinWordLength)
			}
			if c.MaxWordLength > 0 && v > c.MaxWordLength {
				return above("max_word_length", v, c.MaxWordLength)
			}
		case "hash_ratio", "ellipsis_ratio", "symbol_ratio":
			if c.MaxSymbolWordRatio > 0 && v > c.MaxSymbolWordRatio {
				return above(s.Name, v, c.MaxSymbolWordRatio)
			}
		case "bullet_lines_ratio":
			if c.MaxBulletLinesRatio > 0 && v > c.MaxBulletLinesRatio {
				return above("bullet_lines", v, c.MaxBulletLinesRatio)
			}
		case "ellipsis_lines_ratio":
			if c.MaxEllipsisLinesRatio > 0 && v > c.MaxEllipsisLinesRatio {
				return above("ellipsis_lines", v, c.MaxEllipsisLinesRatio)
			}
		case "alpha_words_ratio":
			if c.MinAlphaWordsRatio > 0 && v < c.MinAlphaWordsRatio {
				return below("alpha_words", v, c.MinAlphaWordsRatio)
			}
		case "stop_words":
			if c.MinStopWords > 0 && v < float64(c.MinStopWords) {
				return below("stop_words", v, float64(c.MinStopWords))
			}
		}
	}
	return nil
}
