package langid

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"winnow"
	"winnow/internal/fasttext"
)

// ClassifierConfig configures the classifier stage: a fastText quality
// classifier such as DCLM's openhermes/ELI5 model (label "__label__hq",
// kept at >= 0.018112 in DCLM's baseline) or a FineWeb-Edu style model.
type ClassifierConfig struct {
	// Model is the path of the fastText model (.bin or .ftz).
	Model string `yaml:"model"`
	// Label is the label whose probability is the score, with or without
	// the "__label__" prefix.
	Label string `yaml:"label"`
	// Threshold is the lowest kept score; 0 keeps everything.
	Threshold float64 `yaml:"threshold"`
	// Attribute names the score; default "classifier/<label>" with the
	// label's prefix removed.
	Attribute string `yaml:"attribute"`
	// Prefix is how many bytes of the text are scored; 0 (default) is the
	// whole text, newlines replaced by spaces as for the language stage.
	Prefix int `yaml:"prefix"`
	// TagOnly sets the attribute and drops nothing.
	TagOnly bool `yaml:"tag_only"`
}

// DefaultClassifierConfig has no model and no label: both must be set.
func DefaultClassifierConfig() ClassifierConfig { return ClassifierConfig{} }

// Validate reports every problem of c.
func (c *ClassifierConfig) Validate() error {
	var errs []error
	if c.Model == "" {
		errs = append(errs, errors.New("langid: classifier needs a model path"))
	}
	if strings.TrimPrefix(c.Label, "__label__") == "" {
		errs = append(errs, errors.New("langid: classifier needs a label to score"))
	}
	if c.Threshold < 0 || c.Threshold > 1 {
		errs = append(errs, fmt.Errorf("langid: classifier threshold %g outside [0, 1]", c.Threshold))
	}
	if c.Prefix < 0 {
		errs = append(errs, fmt.Errorf("langid: negative prefix %d", c.Prefix))
	}
	return errors.Join(errs...)
}

// NewClassifier builds the classifier stage; the model is loaded once per
// process. It fails when the model has no such label.
func NewClassifier(c ClassifierConfig) (winnow.Stage, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m, err := fasttext.LoadShared(c.Model)
	if err != nil {
		return nil, fmt.Errorf("langid: %w", err)
	}
	want := strings.TrimPrefix(c.Label, "__label__")
	label := -1
	for i, l := range m.Labels() {
		if strings.TrimPrefix(l, "__label__") == want {
			label = i
		}
	}
	if label < 0 {
		return nil, fmt.Errorf("langid: model %s has no label %q (labels: %s)", c.Model, c.Label,
			strings.Join(m.Labels(), " "))
	}
	if c.Attribute == "" {
		c.Attribute = "classifier/" + want
	}
	return &classifierStage{c: c, m: m, label: m.Labels()[label]}, nil
}

type classifierStage struct {
	c     ClassifierConfig
	m     *fasttext.Model
	label string
}

func (s *classifierStage) Name() string { return "classifier" }
func (s *classifierStage) Close() error { return nil }

// Process sets the score attribute and, unless tag_only, drops documents
// scored below the threshold (rule "low_score").
func (s *classifierStage) Process(ctx context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	for _, d := range docs {
		score := s.Score(d.Text)
		d.SetAttr(s.c.Attribute, score)
		if !s.c.TagOnly && score < s.c.Threshold {
			d.SetDrop("classifier", "low_score", score, s.label)
		}
	}
	return docs, nil
}

// Score is the probability of the configured label for text, in [0, 1].
func (s *classifierStage) Score(text string) float64 {
	p := s.m.Prob(Prepare(text, s.c.Prefix), s.label)
	return min(float64(p), 1)
}

// SetTagOnly sets TagOnly; it lets a run's --tag-only reach this stage.
func (c *ClassifierConfig) SetTagOnly(on bool) { c.TagOnly = on }
