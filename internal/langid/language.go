// Package langid identifies the language of documents and scores them
// with fastText classifiers.
//
// The language stage sets the "language" attribute (ISO 639-1 where the
// language has a code, else ISO 639-3, "und" when unsure), the
// "language_score" attribute (the backend's confidence in [0, 1]) and
// Metadata.Language, which later stages (the quality filters' word
// tokenizer) read. Backends:
//
//   - "whatlang" (default): github.com/abadojack/whatlanggo, trigram
//     profiles of 84 languages, on the first Prefix bytes; no model file,
//     about 12 MB of memory;
//   - "fasttext": any fastText language-identification model (lid.176,
//     GlotLID) read by internal/fasttext, as datatrove's LanguageFilter
//     does (datatrove pipeline/filters/language_filter.py, utils/lid.py);
//   - "lingua": github.com/pemistahl/lingua-go on a configured subset of
//     languages, only in binaries built with -tags lingua (its models add
//     hundreds of MB when all languages are loaded).
//
// The classifier stage scores documents with any fastText model (DCLM,
// FineWeb-Edu style quality classifiers) and keeps those whose label
// probability reaches a threshold.
//
// Stages run no goroutines; models are loaded once per process and shared
// by every worker's stage (fasttext.LoadShared).
package langid

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"

	"winnow"
	"winnow/internal/fasttext"
)

// Config configures the language stage.
type Config struct {
	// Backend is "whatlang" (default, no model file), "fasttext" or
	// "lingua".
	Backend string `yaml:"backend"`
	// Model is the path of the fastText model (lid.176.bin, GlotLID's
	// model.bin), for the fasttext backend.
	Model string `yaml:"model"`
	// Languages is the keep-list (any code form: "en", "eng",
	// "eng_Latn"); empty keeps every language above Threshold, as
	// datatrove's LanguageFilter(languages=None).
	Languages []string `yaml:"languages"`
	// Threshold is the lowest score of a kept document; below it the
	// language is "und". 0.65 as datatrove's LanguageFilter
	// (language_threshold) and the DCLM RefinedWeb reproduction.
	Threshold float64 `yaml:"threshold"`
	// Prefix is how many bytes of the text are identified (cut back to a
	// UTF-8 boundary); 0 means the whole text. Default 2048: whatlang
	// takes about 1 ms on that much and gains nothing on more.
	Prefix int `yaml:"prefix"`
	// LinguaLanguages is the lingua backend's candidate set (ISO 639-1
	// codes); required with that backend, since lingua with every
	// language needs about 2 GB of memory.
	LinguaLanguages []string `yaml:"lingua_languages"`
	// TagOnly sets the attributes and drops nothing.
	TagOnly bool `yaml:"tag_only"`
}

// DefaultConfig returns whatlang on the first 2048 bytes with datatrove's
// threshold 0.65 and no keep-list.
func DefaultConfig() Config {
	return Config{Backend: "whatlang", Threshold: 0.65, Prefix: 2048}
}

// Validate reports every problem of c.
func (c *Config) Validate() error {
	var errs []error
	switch c.Backend {
	case "whatlang":
	case "fasttext":
		if c.Model == "" {
			errs = append(errs, errors.New("langid: backend fasttext needs a model path"))
		}
	case "lingua":
		if len(c.LinguaLanguages) < 2 {
			errs = append(errs, errors.New("langid: backend lingua needs lingua_languages, at least two"))
		}
	default:
		errs = append(errs, fmt.Errorf("langid: unknown backend %q (want whatlang, fasttext or lingua)", c.Backend))
	}
	if c.Threshold < 0 || c.Threshold > 1 {
		errs = append(errs, fmt.Errorf("langid: threshold %g outside [0, 1]", c.Threshold))
	}
	if c.Prefix < 0 {
		errs = append(errs, fmt.Errorf("langid: negative prefix %d", c.Prefix))
	}
	return errors.Join(errs...)
}

// detector names the language of a text with a score in [0, 1]; code is
// already normalised by Code ("" or Und when nothing was found).
type detector interface {
	detect(text string) (code string, score float64)
}

// New builds the language stage. It loads the fastText model (once per
// process) or the lingua models when those backends are chosen.
func New(c Config) (winnow.Stage, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	s := &languageStage{c: c}
	for _, l := range c.Languages {
		s.keep = append(s.keep, Code(l))
	}
	var err error
	switch c.Backend {
	case "whatlang":
		s.det = whatlang{}
	case "fasttext":
		var m *fasttext.Model
		if m, err = fasttext.LoadShared(c.Model); err != nil {
			return nil, fmt.Errorf("langid: %w", err)
		}
		s.det = fastTextLID{m}
	case "lingua":
		if s.det, err = newLingua(c.LinguaLanguages); err != nil {
			return nil, err
		}
	}
	return s, nil
}

type languageStage struct {
	c    Config
	keep []string
	det  detector
}

func (s *languageStage) Name() string { return "language" }
func (s *languageStage) Close() error { return nil }

// Process labels each document and drops, unless tag_only, those scored
// below the threshold (rule "low_score"; Detail: the detected language
// and its score, "pl 0.41", or "und 0.00" when the backend found none)
// and those whose language is not in the keep-list (rule "language";
// Detail: the detected code).
func (s *languageStage) Process(ctx context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	for _, d := range docs {
		detected, score := s.detect(d.Text)
		code := s.label(detected, score)
		d.SetAttr("language", code)
		d.SetAttr("language_score", score)
		if code != Und {
			d.Metadata.Language = code
		}
		if s.c.TagOnly {
			continue
		}
		switch {
		case code == Und:
			d.SetDrop("language", "low_score", score, detected+" "+strconv.FormatFloat(score, 'f', 2, 64))
		case len(s.keep) > 0 && !slices.Contains(s.keep, code):
			d.SetDrop("language", "language", score, code)
		}
	}
	return docs, nil
}

// Identify returns the language code of text and its score. The text is
// prepared as datatrove's LanguageFilter does (newlines to spaces) and
// cut to Prefix bytes; a score below Threshold gives Und with that score.
func (s *languageStage) Identify(text string) (string, float64) {
	code, score := s.detect(text)
	return s.label(code, score), score
}

// detect is the backend's best language of the prepared text, Und when
// it found none, with its score in [0, 1], before the threshold.
func (s *languageStage) detect(text string) (string, float64) {
	code, score := s.det.detect(Prepare(text, s.c.Prefix))
	if code == "" {
		code = Und
	}
	return code, clamp01(score)
}

// label is code, or Und when score is below the threshold.
func (s *languageStage) label(code string, score float64) string {
	if score < s.c.Threshold {
		return Und
	}
	return code
}

// Prepare cuts text to at most prefix bytes (0: no cut) at a UTF-8
// boundary and replaces newlines with spaces (datatrove language_filter.py:
// doc.text.replace("\n", " ")).
func Prepare(text string, prefix int) string {
	if prefix > 0 && len(text) > prefix {
		i := prefix
		for i > 0 && !utf8.RuneStart(text[i]) {
			i--
		}
		text = text[:i]
	}
	return strings.ReplaceAll(text, "\n", " ")
}

// whatlang is the default backend.
type whatlang struct{}

// detect identifies text with whatlanggo on at most maxTextTrigrams
// distinct trigrams (capTrigrams) and clamps the confidence to [0, 1].
// A confidence of 0 names no language: whatlanggo collects the languages
// of a script from a map and sorts them stably by distance, so among
// languages tied at the smallest distance (the only way to reach 0) the
// one it returns changes from call to call with Go's map order, where
// whatlang-rs returns the first in its fixed list.
func (whatlang) detect(text string) (string, float64) {
	info := whatlanggo.Detect(capTrigrams(text, maxTextTrigrams))
	if info.Lang < 0 || info.Confidence <= 0 {
		return "", 0
	}
	return whatlangCodes[info.Lang], clamp01(info.Confidence)
}

// maxTextTrigrams is how many distinct trigrams of a text whatlang
// compares with the language profiles: twice the profile length of 300,
// as whatlang-rs (src/trigrams/mod.rs: TEXT_TRIGRAMS_SIZE = 600,
// "Double MAX_TRIGRAM_DISTANCE"), of which whatlanggo is a port.
//
// whatlanggo v1.0.1 ranks every distinct trigram of the text and scores a
// language by the sum over its 300 profile trigrams of |text rank -
// profile rank| (300 for a missing trigram), then takes 90,000 (300 x 300)
// minus that sum as the score. It lacks whatlang-rs's cut to the 600 most
// frequent text trigrams, so on a long text with many distinct trigrams
// (Polish, Czech, Slovak, Hungarian, Lithuanian: about 600 distinct
// trigrams per 1,500 bytes) a profile trigram found at rank 2,000 costs
// 2,000, the sum passes 90,000, both scores go negative and the
// confidence (score1-score2)/score2 comes out negative (-127.6 on 1,900
// bytes of Polish), and the ranking itself degrades (10 KB of Polish was
// labelled Yoruba).
const maxTextTrigrams = 600

// capTrigrams returns the longest prefix of text, cut at a rune
// boundary, that has at most max distinct trigrams as whatlanggo counts
// them (trigrams.go count: runes lowercased, punctuation, symbols, digits
// and spaces as one space, no trigram centred on a space next to a
// space). whatlanggo's public API takes only a text, so the cut to the
// most frequent trigrams is made as a cut of the text; a text of at most
// max trigrams is returned whole.
func capTrigrams(text string, max int) string {
	seen := make(map[[3]rune]struct{}, max)
	r1, r2 := ' ', rune(-1)
	for i, r := range text {
		if whatlangStop(r) {
			r = ' '
		}
		r = unicode.ToLower(r)
		if r2 < 0 { // first rune
			r2 = r
			continue
		}
		if !(r2 == ' ' && (r1 == ' ' || r == ' ')) {
			k := [3]rune{r1, r2, r}
			if _, ok := seen[k]; !ok {
				if len(seen) == max-1 { // keep one for the trailing space
					return text[:i]
				}
				seen[k] = struct{}{}
			}
		}
		r1, r2 = r2, r
	}
	return text
}

// whatlangStop is whatlanggo's isStopChar (utils.go).
func whatlangStop(r rune) bool {
	return unicode.IsSymbol(r) || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsDigit(r)
}

// clamp01 bounds a score to [0, 1]; NaN gives 0.
func clamp01(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	return min(x, 1)
}

// fastTextLID reads a language-identification model's best label.
type fastTextLID struct{ m *fasttext.Model }

func (f fastTextLID) detect(text string) (string, float64) {
	p := f.m.Predict(text, 1, 0)
	if len(p) == 0 {
		return "", 0
	}
	// predict-prob reports p + 1e-5 (fastText's std_log), so a certain
	// prediction reads 1.00001: clamp to a probability.
	return Code(p[0].Label), min(float64(p[0].Prob), 1)
}

// SetTagOnly sets TagOnly; it lets a run's --tag-only reach this stage.
func (c *Config) SetTagOnly(on bool) { c.TagOnly = on }
