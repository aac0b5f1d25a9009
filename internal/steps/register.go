package steps

import (
	"winnow"
	"winnow/internal/clean"
	"winnow/internal/dedup"
)

// all lists every stage a config may name, in the order data usually
// flows. A stage package exports its Config type, a DefaultConfig function
// and New(Config) (winnow.Stage, error); it does not import this package.
// Add a stage here with one entry.
var all = []Spec{
	{
		Name:   "clean",
		Doc:    "repair broken Unicode and remove junk lines, sentences and code fragments, recording every edit",
		Config: func() any { c := clean.DefaultConfig(); return &c },
		New:    func(cfg any) (winnow.Stage, error) { return clean.New(*cfg.(*clean.Config)) },
	},
	{
		Name:   "minhash",
		Doc:    "sign each surviving document for dedup (exact content hash, MinHash-LSH band hashes, line hashes) as side data; put it last",
		Config: func() any { c := dedup.DefaultConfig(); return &c },
		New:    func(cfg any) (winnow.Stage, error) { return dedup.New(*cfg.(*dedup.Config)) },
	},
}
