// Package quality holds the heuristic quality filters of the published
// web-corpus pipelines, with their exact semantics: Gopher quality and
// Gopher repetition (Rae et al. 2021, "Scaling Language Models", Appendix
// A, Table A1), C4 (Raffel et al. 2020, Section 2.2) with the mC4
// paragraph filter and the bad-words filter, and FineWeb quality (Penedo
// et al. 2024). Each is a winnow.Stage:
//
//	gopher_quality     GopherQualityConfig
//	gopher_repetition  GopherRepetitionConfig
//	c4_quality         C4QualityConfig
//	c4_badwords        C4BadWordsConfig
//	fineweb_quality    FineWebQualityConfig
//
// Every stage computes quality signals per document and either drops the
// document at the first rule that fails (recording stage, rule and the
// signal's value in winnow.Drop), or, with tag_only, only writes the
// signals as attributes named "<stage>/<signal>" (for example
// "gopher_quality/mean_word_length"), which the output writer can store in
// dolma's stand-off layout attributes/<stage>/NNNNN.jsonl.zst.
//
// Profiles: "datatrove" (default) follows huggingface/datatrove@a649de7
// with NLTK word tokenization for English; "dolma" follows
// allenai/dolma@669f534 python/dolma/taggers/gopher.py and c4.py
// (whitespace words, median word length, stop words counted by occurrence,
// duplicate lines counted including first occurrences, duplicate-line
// characters over the sum of word lengths with threshold 0.3).
// docs/quality.md lists every difference.
//
// Two deliberate departures from both references, the known traps:
// blank and whitespace-only lines and paragraphs are never counted as
// duplicates (datatrove issue #273), and a ratio whose denominator is zero
// (an empty, whitespace-only or punctuation-only document) is 0, never a
// division by zero (dolma PR #148).
package quality

import (
	"context"
	"fmt"
	"strings"

	"winnow"
	"winnow/internal/quality/tokenize"
)

// Profile selects whose definitions a filter follows.
type Profile string

const (
	// Datatrove follows huggingface/datatrove (NLTK words for English).
	Datatrove Profile = "datatrove"
	// Dolma follows allenai/dolma's taggers (whitespace words).
	Dolma Profile = "dolma"
)

func (p Profile) validate(stage string) error {
	switch p {
	case Datatrove, Dolma:
		return nil
	}
	return fmt.Errorf("quality: %s: unknown profile %q (want datatrove or dolma)", stage, string(p))
}

// Signal is one named quality signal of a document.
type Signal struct {
	Name  string
	Value float64
}

// verdict is the first failing rule of a document.
type verdict struct {
	rule   string
	value  float64
	detail string
}

// Common holds the options every quality stage has.
type Common struct {
	// Profile is "datatrove" (default) or "dolma".
	Profile Profile `yaml:"profile"`
	// TagOnly writes the signals as attributes and drops nothing.
	TagOnly bool `yaml:"tag_only"`
	// Attributes also writes the signals as attributes when filtering.
	Attributes bool `yaml:"attributes"`
}

func defaultCommon() Common { return Common{Profile: Datatrove} }

// measurer is the per-filter part of a stage.
type measurer interface {
	// measure computes the signals of d and the first failing rule, or
	// nil. It may rewrite d.Text when filtering (C4 line removal).
	measure(d *winnow.Doc, rewrite bool) ([]Signal, *verdict)
}

// stage adapts a measurer to winnow.Stage.
type stage struct {
	name string
	c    Common
	m    measurer
}

func (s *stage) Name() string { return s.name }

func (s *stage) Process(_ context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	for _, d := range docs {
		if d.Drop != nil {
			continue
		}
		sigs, v := s.m.measure(d, !s.c.TagOnly)
		if s.c.TagOnly || s.c.Attributes {
			for _, sg := range sigs {
				d.SetAttr(s.name+"/"+sg.Name, sg.Value)
			}
		}
		if v != nil && !s.c.TagOnly {
			d.SetDrop(s.name, v.rule, v.value, v.detail)
		}
	}
	return docs, nil
}

func (s *stage) Close() error { return nil }

// Measure returns the signals of d that the stage computes, and the rule
// that would drop it ("" when it passes). It does not modify d.
func Measure(st winnow.Stage, d *winnow.Doc) ([]Signal, string, error) {
	var s *stage
	switch v := st.(type) {
	case *stage:
		s = v
	case *badStage:
		s = &v.stage
	default:
		return nil, "", fmt.Errorf("quality: %T is not a quality stage", st)
	}
	cp := *d
	sigs, v := s.m.measure(&cp, false)
	if v == nil {
		return sigs, "", nil
	}
	return sigs, v.rule, nil
}

// language returns the document's language code, "" when unknown: the
// "language" attribute set by the language step, else metadata; a region
// or script suffix is dropped and the code lowercased ("en-US" -> "en",
// "zh_Hant" -> "zh").
func language(d *winnow.Doc) string {
	v, _ := d.Attributes["language"].(string)
	if v == "" {
		v = d.Metadata.Language
	}
	if i := strings.IndexAny(v, "-_"); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(v)
}

// tokenizer picks the word tokenizer for d under profile p.
func tokenizer(d *winnow.Doc, p Profile) tokenize.Kind {
	return tokenize.Select(language(d), d.Text, p == Dolma)
}

// ratio is num/den, and 0 when den is 0 (dolma PR #148: empty,
// whitespace-only and punctuation-only documents never divide by zero).
func ratio(num, den float64) float64 {
	if den == 0 {
		return 0
	}
	return num / den
}

// pyLower is Python's str.lower for the searches of C4 and the bad-words
// filter: strings.ToLower, except that U+0130 (capital I with dot above)
// becomes "i\u0307" as in Python, not "i" (so "JAVASCR\u0130PT" does not
// contain "javascript" in either). Python's final-sigma rule is not
// reproduced: Σ always lowers to σ.
func pyLower(s string) string {
	if strings.ContainsRune(s, '\u0130') {
		s = strings.ReplaceAll(s, "\u0130", "i\u0307")
	}
	return strings.ToLower(s)
}

func below(rule string, v, min float64) *verdict {
	return &verdict{rule: rule, value: v, detail: fmt.Sprintf("%g < %g", v, min)}
}

func above(rule string, v, max float64) *verdict {
	return &verdict{rule: rule, value: v, detail: fmt.Sprintf("%g > %g", v, max)}
}

// SetTagOnly sets TagOnly; it lets a run's --tag-only reach this stage.
func (c *Common) SetTagOnly(on bool) { c.TagOnly = on }
