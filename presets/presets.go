// Package presets holds pipeline configs that reproduce published
// recipes: fineweb (datatrove's examples/fineweb.py), c4 (Raffel et al.
// 2020), gopher (Rae et al. 2021, MassiveWeb) and dolma (dolma v1.6
// cc-head mixer thresholds). Each is a YAML file of this folder, embedded
// in the binary; its comments say where every setting comes from and where
// winnow departs from the original.
package presets

import (
	"embed"
	"fmt"
	"sort"
	"strings"

	"winnow/internal/config"
)

//go:embed *.yaml
var files embed.FS

// Names returns the preset names, sorted.
func Names() []string {
	ents, _ := files.ReadDir(".")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// Source returns the YAML text of preset name, comments included. The
// error names the known presets.
func Source(name string) ([]byte, error) {
	b, err := files.ReadFile(name + ".yaml")
	if err != nil || strings.ContainsAny(name, "/.") {
		return nil, fmt.Errorf("presets: unknown preset %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return b, nil
}

// Load parses and validates preset name as a pipeline config; errors name
// the file as "preset NAME".
func Load(name string) (*config.Config, error) {
	b, err := Source(name)
	if err != nil {
		return nil, err
	}
	return config.Parse("preset "+name, b)
}
