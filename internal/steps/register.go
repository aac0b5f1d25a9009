package steps

import (
	"winnow"
	"winnow/internal/clean"
	"winnow/internal/dedup"
	"winnow/internal/langid"
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
		Name:   "language",
		Doc:    "identify each document's language (whatlang by default, or a fastText model such as lid.176) and keep listed languages above a score",
		Config: func() any { c := langid.DefaultConfig(); return &c },
		New:    func(cfg any) (winnow.Stage, error) { return langid.New(*cfg.(*langid.Config)) },
	},
	{
		Name:   "classifier",
		Doc:    "score documents with a fastText classifier (label probability as an attribute) and keep those above a threshold",
		Config: func() any { c := langid.DefaultClassifierConfig(); return &c },
		New:    func(cfg any) (winnow.Stage, error) { return langid.NewClassifier(*cfg.(*langid.ClassifierConfig)) },
	},
	{
		Name:   "minhash",
		Doc:    "sign each surviving document for dedup (exact content hash, MinHash-LSH band hashes, line hashes) as side data; put it last",
		Config: func() any { c := dedup.DefaultConfig(); return &c },
		New:    func(cfg any) (winnow.Stage, error) { return dedup.New(*cfg.(*dedup.Config)) },
	},
}
