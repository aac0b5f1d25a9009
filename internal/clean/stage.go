package clean

import (
	"context"

	"winnow"
)

// Stage is the clean step as a winnow.Stage named "clean". It keeps no
// state between documents and starts no goroutines.
type Stage struct{ cfg Config }

// New builds the clean stage. It returns the errors of cfg.Validate.
func New(cfg Config) (winnow.Stage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Stage{cfg: cfg}, nil
}

// Name returns "clean".
func (s *Stage) Name() string { return "clean" }

// Process cleans each document in place: Text becomes the cleaned text,
// the attribute "clean/replacement_char_ratio" is set, and a document the
// rules drop gets Drop set. With Explain on, the edits are appended to
// Doc.Edits and stored as "clean/edits", a list of [start, end, rule].
func (s *Stage) Process(_ context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	for _, d := range docs {
		res := Clean(d.Text, s.cfg)
		d.Text = res.Text
		d.SetAttr("clean/replacement_char_ratio", res.Signals["replacement_char_ratio"])
		if s.cfg.Explain {
			d.Edits = append(d.Edits, res.Edits...)
			list := make([][]any, len(res.Edits))
			for i, e := range res.Edits {
				list[i] = []any{e.Start, e.End, e.Rule}
			}
			d.SetAttr("clean/edits", list)
		}
		if res.Drop != nil {
			d.Drop = res.Drop
		}
	}
	return docs, nil
}

// Close does nothing.
func (s *Stage) Close() error { return nil }
