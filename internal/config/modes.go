package config

import "winnow/internal/clean"

// TagOnlySetter is implemented by the configs of stages that can keep
// every document and only write their signals as attributes (the quality
// filters, language, classifier, decontam, url_filter, pii, minhash). A
// new stage with a tag_only option joins --tag-only by implementing it on
// its config's pointer type.
type TagOnlySetter interface {
	SetTagOnly(on bool)
}

// SetTagOnly sets tag_only on every step whose config has the option and
// returns the names of those steps, in pipeline order.
func (c *Config) SetTagOnly(on bool) []string {
	var names []string
	for _, s := range c.Steps {
		if t, ok := s.Config.(TagOnlySetter); ok {
			t.SetTagOnly(on)
			names = append(names, s.Name)
		}
	}
	return names
}

// SetExplain sets explain on every clean step, so that each removal is
// recorded in Doc.Edits and the "clean/edits" attribute. It reports
// whether the pipeline has a clean step.
func (c *Config) SetExplain(on bool) bool {
	found := false
	for _, s := range c.Steps {
		if cc, ok := s.Config.(*clean.Config); ok {
			cc.Explain = on
			found = true
		}
	}
	return found
}

// Step returns the first step named name.
func (c *Config) Step(name string) (Step, bool) {
	for _, s := range c.Steps {
		if s.Name == name {
			return s, true
		}
	}
	return Step{}, false
}
