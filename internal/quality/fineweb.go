package quality

import (
	"errors"
	"fmt"
	"strings"

	"winnow"
	"winnow/internal/quality/tokenize"
)

// FineWebQualityConfig configures the fineweb_quality stage: the three
// custom filters of FineWeb (Penedo et al. 2024, "The FineWeb Datasets",
// Section 3.4) plus the list-ratio rule, with the definitions and default
// thresholds of datatrove pipeline/filters/fineweb_quality_filter.py
// (defaults L11-21, logic L33-56). A zero threshold disables its rule.
//
// Lines are the non-blank lines of text.split("\n"), not stripped.
type FineWebQualityConfig struct {
	Common `yaml:",inline"`

	// LinePunctThr is the least fraction of lines that end (raw, trailing
	// spaces included) with a mark of TERMINAL_PUNCTUATION. 0.12.
	LinePunctThr float64 `yaml:"line_punct_thr"`
	// LinePunctExcludeZero keeps documents where no line ends with one.
	LinePunctExcludeZero bool `yaml:"line_punct_exclude_zero"`
	// ShortLineThr bounds the fraction of lines of at most
	// ShortLineLength code points. 0.67 and 30.
	ShortLineThr    float64 `yaml:"short_line_thr"`
	ShortLineLength int     `yaml:"short_line_length"`
	// CharDuplicatesRatio bounds the characters of lines repeating an
	// earlier line (dolma profile: of lines occurring more than once,
	// first occurrences included) over len(text.replace("\n", "")).
	// 0.01, datatrove's code default (the FineWeb write-up is commonly
	// quoted as 0.1).
	CharDuplicatesRatio float64 `yaml:"char_duplicates_ratio"`
	// NewLineRatio bounds text.count("\n") per word. 0.3.
	NewLineRatio float64 `yaml:"new_line_ratio"`
}

// DefaultFineWebQualityConfig returns datatrove's defaults.
func DefaultFineWebQualityConfig() FineWebQualityConfig {
	return FineWebQualityConfig{
		Common:              defaultCommon(),
		LinePunctThr:        0.12,
		ShortLineThr:        0.67,
		ShortLineLength:     30,
		CharDuplicatesRatio: 0.01,
		NewLineRatio:        0.3,
	}
}

// Validate reports every invalid option.
func (c *FineWebQualityConfig) Validate() error {
	var errs []error
	if err := c.Profile.validate("fineweb_quality"); err != nil {
		errs = append(errs, err)
	}
	for name, v := range map[string]float64{
		"line_punct_thr": c.LinePunctThr, "short_line_thr": c.ShortLineThr,
		"char_duplicates_ratio": c.CharDuplicatesRatio,
	} {
		if v < 0 || v > 1 {
			errs = append(errs, fmt.Errorf("quality: fineweb_quality: %s %g outside [0, 1]", name, v))
		}
	}
	if c.NewLineRatio < 0 {
		errs = append(errs, fmt.Errorf("quality: fineweb_quality: new_line_ratio %g is negative", c.NewLineRatio))
	}
	if c.ShortLineLength < 0 {
		errs = append(errs, fmt.Errorf("quality: fineweb_quality: short_line_length %d is negative", c.ShortLineLength))
	}
	return errors.Join(errs...)
}

// NewFineWebQuality builds the fineweb_quality stage.
//
// Signals (attribute "fineweb_quality/<name>"): line_punct_ratio,
// short_line_ratio, char_dup_ratio, new_line_ratio. Rules, in order:
// empty (no non-blank line, value 0), line_punct_ratio, short_line_ratio,
// char_dup_ratio, list_ratio (on new_line_ratio).
//
// It returns the errors of Validate, joined, for an invalid config.
func NewFineWebQuality(c FineWebQualityConfig) (winnow.Stage, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &stage{name: "fineweb_quality", c: c.Common, m: &fineWeb{c: c}}, nil
}

type fineWeb struct{ c FineWebQualityConfig }

func (f *fineWeb) measure(d *winnow.Doc, _ bool) ([]Signal, *verdict) {
	text := d.Text
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if tokenize.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	var punct, short float64
	for _, l := range lines {
		if endsWithTerminal(l) {
			punct++
		}
		if tokenize.Len(l) <= f.c.ShortLineLength {
			short++
		}
	}
	n := float64(len(lines))
	var dupChars int
	if f.c.Profile == Dolma {
		_, dupChars = countRepeatedInclusive(lines)
	} else {
		_, dupChars = findDuplicates(lines)
	}
	newlines := strings.Count(text, "\n")
	words := tokenizer(d, f.c.Profile).Split(text)
	sigs := []Signal{
		{"line_punct_ratio", ratio(punct, n)},
		{"short_line_ratio", ratio(short, n)},
		{"char_dup_ratio", ratio(float64(dupChars), float64(tokenize.Len(text)-newlines))},
		{"new_line_ratio", ratio(float64(newlines), float64(len(words)))},
	}
	if len(lines) == 0 {
		return sigs, &verdict{rule: "empty", detail: "no non-blank line"}
	}
	c := f.c
	if v := sigs[0].Value; c.LinePunctThr > 0 && v < c.LinePunctThr && !(v == 0 && c.LinePunctExcludeZero) {
		return sigs, below("line_punct_ratio", v, c.LinePunctThr)
	}
	if v := sigs[1].Value; c.ShortLineThr > 0 && v > c.ShortLineThr {
		return sigs, above("short_line_ratio", v, c.ShortLineThr)
	}
	if v := sigs[2].Value; c.CharDuplicatesRatio > 0 && v > c.CharDuplicatesRatio {
		return sigs, above("char_dup_ratio", v, c.CharDuplicatesRatio)
	}
	if v := sigs[3].Value; c.NewLineRatio > 0 && v > c.NewLineRatio {
		return sigs, above("list_ratio", v, c.NewLineRatio)
	}
	return sigs, nil
}
