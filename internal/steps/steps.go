// Package steps is the one list of stages that a pipeline config may name.
//
// Each stage is declared as a value: its name, a one-line doc, a
// constructor of its default config, and a constructor of the Stage. The
// config loader decodes a step's YAML options into Config() (unknown keys
// are errors), calls Validate when the config has it, and only then, once
// every step of the whole config is valid, calls New.
package steps

import (
	"sort"

	"winnow"
)

// Spec declares one stage.
type Spec struct {
	// Name is how a config refers to the stage, e.g. "extract".
	Name string
	// Doc is one line for `winnow steps` and error messages.
	Doc string
	// Config returns a pointer to a new config struct holding the
	// defaults. YAML options decode into it.
	Config func() any
	// New builds one Stage from a validated config. The executor calls it
	// once per worker; heavy read-only state (a model) should be shared
	// between the calls by the stage package itself.
	New func(cfg any) (winnow.Stage, error)
}

// Validator is implemented by configs that can check themselves. Validate
// returns every problem it finds, joined with errors.Join.
type Validator interface {
	Validate() error
}

// All returns the stages in their declared order.
func All() []Spec { return append([]Spec(nil), all...) }

// Lookup finds a stage by name.
func Lookup(name string) (Spec, bool) {
	for _, s := range all {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// Names returns the stage names, sorted.
func Names() []string {
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = s.Name
	}
	sort.Strings(names)
	return names
}
