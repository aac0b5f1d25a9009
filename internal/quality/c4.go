package quality

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"winnow"
	"winnow/internal/quality/tokenize"
)

// C4QualityConfig configures the c4_quality stage: the C4 cleaning rules
// of Raffel et al. 2020 ("Exploring the Limits of Transfer Learning",
// Section 2.2) as implemented by datatrove pipeline/filters/c4_filters.py
// C4QualityFilter (defaults L60-73, logic L88-136, after TFDS c4_utils.py),
// plus, when MinParagraphs > 0, the mC4 paragraph filter (Xue et al. 2021;
// datatrove C4ParagraphFilter L139-169, TFDS c4_utils.py L551).
//
// Unlike the other quality stages, c4_quality edits documents: lines that
// fail a line rule are removed and the document text becomes the kept
// lines joined by "\n". With tag_only the text is left alone.
//
// Profile dolma follows dolma taggers/c4.py c4_v1: lines are split on
// "\n" only, the end marks are . ? ! " (no '), and "javascript" must be a
// whole whitespace-separated word of the lowercased line.
type C4QualityConfig struct {
	Common `yaml:",inline"`

	// RemoveCitations deletes Wikipedia-style citations matching
	// \[\d*]|\[edit]|\[citation needed] from each line. true.
	RemoveCitations bool `yaml:"remove_citations"`
	// FilterNoTerminalPunct removes lines that do not end with . ? ! " '
	// or that end with "...". true (FineWeb sets it false).
	FilterNoTerminalPunct bool `yaml:"filter_no_terminal_punct"`
	// MinNumSentences drops documents whose kept lines hold fewer
	// sentences. 5; 0 disables.
	MinNumSentences int `yaml:"min_num_sentences"`
	// MinWordsPerLine removes lines with fewer whitespace words (counted
	// before citation removal). 3; 0 disables.
	MinWordsPerLine int `yaml:"min_words_per_line"`
	// MaxWordLength removes lines holding a longer word (code points).
	// 1000; 0 disables.
	MaxWordLength int `yaml:"max_word_length"`
	// FilterLoremIpsum drops documents with a kept-candidate line holding
	// "lorem ipsum" (lowercased). true.
	FilterLoremIpsum bool `yaml:"filter_lorem_ipsum"`
	// FilterJavascript removes lines mentioning "javascript". true.
	FilterJavascript bool `yaml:"filter_javascript"`
	// FilterCurlyBracket drops documents with a kept-candidate line
	// holding "{". true.
	FilterCurlyBracket bool `yaml:"filter_curly_bracket"`
	// FilterPolicy removes lines holding "terms of use", "privacy
	// policy", "cookie policy", "uses cookies", "use of cookies" or "use
	// cookies". true.
	FilterPolicy bool `yaml:"filter_policy"`
	// MinParagraphs and MinParagraphLen are the mC4 paragraph filter: drop
	// documents with fewer than MinParagraphs lines (split on "\n") or
	// whose MinParagraphs-th longest line is shorter than MinParagraphLen
	// code points. mC4 uses 3 and 200; MinParagraphs 0 (default) disables.
	MinParagraphs   int `yaml:"min_paragraphs"`
	MinParagraphLen int `yaml:"min_paragraph_len"`
}

// DefaultC4QualityConfig returns datatrove's defaults, paragraph filter off.
func DefaultC4QualityConfig() C4QualityConfig {
	return C4QualityConfig{
		Common:                defaultCommon(),
		RemoveCitations:       true,
		FilterNoTerminalPunct: true,
		MinNumSentences:       5,
		MinWordsPerLine:       3,
		MaxWordLength:         1000,
		FilterLoremIpsum:      true,
		FilterJavascript:      true,
		FilterCurlyBracket:    true,
		FilterPolicy:          true,
		MinParagraphLen:       200,
	}
}

// Validate reports every invalid option.
func (c *C4QualityConfig) Validate() error {
	var errs []error
	if err := c.Profile.validate("c4_quality"); err != nil {
		errs = append(errs, err)
	}
	for name, v := range map[string]int{
		"min_num_sentences": c.MinNumSentences, "min_words_per_line": c.MinWordsPerLine,
		"max_word_length": c.MaxWordLength, "min_paragraphs": c.MinParagraphs,
		"min_paragraph_len": c.MinParagraphLen,
	} {
		if v < 0 {
			errs = append(errs, fmt.Errorf("quality: c4_quality: %s %d is negative", name, v))
		}
	}
	return errors.Join(errs...)
}

// NewC4Quality builds the c4_quality stage.
//
// Signals (attribute "c4_quality/<name>"): lines, kept_lines, sentences
// (in kept lines), and the lines removed per rule: too_long_word,
// no_terminal_punct, too_few_words, javascript, policy; with the
// paragraph filter on, paragraph_len (the MinParagraphs-th longest line's
// length, 0 with fewer lines). Document rules, in order: paragraphs,
// lorem_ipsum (value 1), curly_bracket (value 1), too_few_sentences.
//
// It returns the errors of Validate, joined, for an invalid config.
func NewC4Quality(c C4QualityConfig) (winnow.Stage, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &stage{name: "c4_quality", c: c.Common, m: &c4{c: c}}, nil
}

type c4 struct{ c C4QualityConfig }

var citationRE = regexp.MustCompile(`\[[0-9]*]|\[edit]|\[citation needed]`)

var policySubstrings = []string{"terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"}

func (c *c4) measure(d *winnow.Doc, rewrite bool) ([]Signal, *verdict) {
	cfg := c.c
	dolma := cfg.Profile == Dolma
	var sigs []Signal
	var v *verdict
	if cfg.MinParagraphs > 0 {
		pl, enough := paragraphLen(d.Text, cfg.MinParagraphs)
		sigs = append(sigs, Signal{"paragraph_len", float64(pl)})
		if !enough || pl < cfg.MinParagraphLen {
			v = below("paragraphs", float64(pl), float64(cfg.MinParagraphLen))
		}
	}
	var lines []string
	if dolma {
		lines = strings.Split(d.Text, "\n")
	} else {
		lines = tokenize.SplitLines(d.Text)
	}
	var longWord, noPunct, fewWords, js, policy, sentences int
	var kept []string
	for _, line := range lines {
		line = tokenize.TrimSpace(line)
		words := tokenize.Fields(line)
		if cfg.MaxWordLength > 0 && slices.ContainsFunc(words, func(w string) bool { return tokenize.Len(w) > cfg.MaxWordLength }) {
			longWord++
			continue
		}
		if cfg.RemoveCitations && strings.IndexByte(line, '[') >= 0 {
			line = citationRE.ReplaceAllString(line, "")
		}
		if cfg.FilterNoTerminalPunct && !c4EndsOK(line, dolma) {
			noPunct++
			continue
		}
		if len(words) < cfg.MinWordsPerLine {
			fewWords++
			continue
		}
		lower := pyLower(line)
		if cfg.FilterLoremIpsum && strings.Contains(lower, "lorem ipsum") {
			if v == nil {
				v = &verdict{rule: "lorem_ipsum", value: 1, detail: "lorem ipsum"}
			}
			continue
		}
		if cfg.FilterJavascript && mentionsJavascript(lower, dolma) {
			js++
			continue
		}
		if cfg.FilterCurlyBracket && strings.Contains(line, "{") {
			if v == nil {
				v = &verdict{rule: "curly_bracket", value: 1, detail: "{"}
			}
			continue
		}
		if cfg.FilterPolicy && containsAny(lower, policySubstrings) {
			policy++
			continue
		}
		sentences += len(tokenize.Sentences(line))
		kept = append(kept, line)
	}
	sigs = append(sigs,
		Signal{"lines", float64(len(lines))},
		Signal{"kept_lines", float64(len(kept))},
		Signal{"sentences", float64(sentences)},
		Signal{"too_long_word", float64(longWord)},
		Signal{"no_terminal_punct", float64(noPunct)},
		Signal{"too_few_words", float64(fewWords)},
		Signal{"javascript", float64(js)},
		Signal{"policy", float64(policy)},
	)
	if v == nil && cfg.MinNumSentences > 0 && sentences < cfg.MinNumSentences {
		v = below("too_few_sentences", float64(sentences), float64(cfg.MinNumSentences))
	}
	if v == nil && rewrite {
		d.Text = tokenize.TrimSpace(strings.Join(kept, "\n"))
	}
	return sigs, v
}

// c4EndsOK is the C4 end-punctuation rule: the line ends with . ? ! " '
// (dolma: . ? ! ") and not with "...".
func c4EndsOK(line string, dolma bool) bool {
	if strings.HasSuffix(line, "...") {
		return false
	}
	marks := ".?!\"'"
	if dolma {
		marks = ".?!\""
	}
	return line != "" && strings.IndexByte(marks, line[len(line)-1]) >= 0
}

func mentionsJavascript(lower string, dolma bool) bool {
	if !strings.Contains(lower, "javascript") {
		return false
	}
	if !dolma {
		return true
	}
	return slices.Contains(tokenize.Fields(lower), "javascript")
}

func containsAny(s string, subs []string) bool {
	for _, p := range subs {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// paragraphLen is the k-th largest length of the lines of text.split("\n"),
// and false when there are fewer than k lines.
func paragraphLen(text string, k int) (int, bool) {
	lines := strings.Split(text, "\n")
	if len(lines) < k {
		return 0, false
	}
	lens := make([]int, len(lines))
	for i, l := range lines {
		lens[i] = tokenize.Len(l)
	}
	slices.Sort(lens)
	return lens[len(lens)-k], true
}
