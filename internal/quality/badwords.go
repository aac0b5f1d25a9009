package quality

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/zeebo/xxh3"

	"winnow"
)

// C4BadWordsConfig configures the c4_badwords stage: C4's filter of pages
// holding a word of the "List of Dirty, Naughty, Obscene or Otherwise Bad
// Words" (Raffel et al. 2020, Section 2.2), as implemented by datatrove
// pipeline/filters/c4_filters.py C4BadWordsFilter (L209-281). winnow ships
// no word list: WordLists names the files, one word or phrase per line
// (the LDNOOBW files can be used as they are).
//
// Matching follows datatrove: the lowercased text is searched for any
// word of the document's language flanked by non-word characters (Python
// Unicode \W) or the text's ends; for ja, th and zh, without the flanking
// (those scripts have no spaces). Empty lines of a list are ignored. As in
// datatrove, the allow-listed sub-words "sm", "グロ", "女の子" (ja) and "性"
// (zh) are removed from every list.
type C4BadWordsConfig struct {
	Common `yaml:",inline"`

	// WordLists maps an ISO 639-1 language code to a word-list file.
	WordLists map[string]string `yaml:"word_lists"`
	// DefaultLanguage is used for documents without a language. "en".
	DefaultLanguage string `yaml:"default_language"`
	// KeepFraction keeps this fraction of the documents that hold a bad
	// word. 0. datatrove draws a uniform random number per document;
	// winnow derives it from the document ID and Seed so that runs are
	// reproducible.
	KeepFraction float64 `yaml:"keep_fraction"`
	Seed         uint64  `yaml:"seed"`
	// FailOnMissingLanguage makes a document of a language without a list
	// an error that stops the run (datatrove's default); false (winnow's
	// default) lets such documents pass with has_badwords -1.
	FailOnMissingLanguage bool `yaml:"fail_on_missing_language"`
}

// DefaultC4BadWordsConfig returns the defaults: no lists, language en.
func DefaultC4BadWordsConfig() C4BadWordsConfig {
	return C4BadWordsConfig{Common: defaultCommon(), DefaultLanguage: "en"}
}

// Validate reports every invalid option, including unreadable lists.
func (c *C4BadWordsConfig) Validate() error {
	var errs []error
	if err := c.Profile.validate("c4_badwords"); err != nil {
		errs = append(errs, err)
	}
	if len(c.WordLists) == 0 {
		errs = append(errs, errors.New("quality: c4_badwords: word_lists is empty"))
	}
	for lang, path := range c.WordLists {
		if _, err := os.Stat(path); err != nil {
			errs = append(errs, fmt.Errorf("quality: c4_badwords: word list %s: %w", lang, err))
		}
	}
	if c.KeepFraction < 0 || c.KeepFraction > 1 {
		errs = append(errs, fmt.Errorf("quality: c4_badwords: keep_fraction %g outside [0, 1]", c.KeepFraction))
	}
	return errors.Join(errs...)
}

var badwordsAllowlist = []string{"sm", "グロ", "女の子", "性"}

// loadWordList reads one word per line, stripped, skipping empty lines.
func loadWordList(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("quality: c4_badwords: %w", err)
	}
	defer f.Close()
	set := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			set[w] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("quality: c4_badwords: %s: %w", path, err)
	}
	for _, w := range badwordsAllowlist {
		delete(set, w)
	}
	words := make([]string, 0, len(set))
	for w := range set {
		words = append(words, w)
	}
	sort.Strings(words)
	return words, nil
}

// badwordsRegexp builds datatrove's pattern for one language. \W is
// written as a Unicode class since Go's \W is ASCII-only.
func badwordsRegexp(lang string, words []string) (*regexp.Regexp, error) {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = regexp.QuoteMeta(w)
	}
	alt := strings.Join(quoted, "|")
	switch lang {
	case "ja", "th", "zh":
		return regexp.Compile(alt)
	}
	return regexp.Compile(`(?:[^\p{L}\p{N}_]|^)(` + alt + `)(?:[^\p{L}\p{N}_]|$)`)
}

// NewC4BadWords builds the c4_badwords stage. It reads the word lists.
//
// Signal (attribute "c4_badwords/has_badwords"): 1 when the text holds a
// bad word, 0 when not, -1 when the language has no list. Rule: badwords
// (value 1, detail the word found).
//
// It returns the errors of Validate, joined, for an invalid config, and
// an error when a list cannot be read or compiled. Process returns an
// error (the run is broken) for a document whose language has no list
// when FailOnMissingLanguage is set.
func NewC4BadWords(c C4BadWordsConfig) (winnow.Stage, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	b := &badWords{c: c, re: map[string]*regexp.Regexp{}}
	for lang, path := range c.WordLists {
		words, err := loadWordList(path)
		if err != nil {
			return nil, err
		}
		if len(words) == 0 {
			continue // an empty list matches nothing
		}
		re, err := badwordsRegexp(lang, words)
		if err != nil {
			return nil, fmt.Errorf("quality: c4_badwords: %s: %w", lang, err)
		}
		b.re[lang] = re
	}
	return &badStage{stage{name: "c4_badwords", c: c.Common, m: b}, b}, nil
}

type badWords struct {
	c  C4BadWordsConfig
	re map[string]*regexp.Regexp
	// missing is set when a document's language has no list and
	// FailOnMissingLanguage is on.
	missing string
}

// badStage reports a missing language as a run error.
type badStage struct {
	stage
	b *badWords
}

func (s *badStage) Process(ctx context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	out, err := s.stage.Process(ctx, docs)
	if err == nil && s.b.missing != "" {
		err = fmt.Errorf("quality: c4_badwords: no word list for language %q", s.b.missing)
	}
	return out, err
}

func (b *badWords) measure(d *winnow.Doc, _ bool) ([]Signal, *verdict) {
	lang := language(d)
	if lang == "" || lang == "und" {
		lang = b.c.DefaultLanguage
	}
	re, ok := b.re[lang]
	if !ok {
		if _, listed := b.c.WordLists[lang]; !listed {
			if b.c.FailOnMissingLanguage {
				b.missing = lang
			}
			return []Signal{{"has_badwords", -1}}, nil
		}
		return []Signal{{"has_badwords", 0}}, nil // an empty list
	}
	m := re.FindStringSubmatch(pyLower(d.Text))
	if m == nil {
		return []Signal{{"has_badwords", 0}}, nil
	}
	sigs := []Signal{{"has_badwords", 1}}
	if b.c.KeepFraction > 0 && b.uniform(d.ID) < b.c.KeepFraction {
		return sigs, nil
	}
	word := m[0]
	if len(m) > 1 {
		word = m[1]
	}
	return sigs, &verdict{rule: "badwords", value: 1, detail: word}
}

// uniform maps a document ID to [0, 1), deterministically per Seed.
func (b *badWords) uniform(id string) float64 {
	h := xxh3.HashStringSeed(id, b.c.Seed)
	return float64(h>>11) / (1 << 53)
}
