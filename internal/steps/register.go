package steps

import (
	"winnow"
	"winnow/internal/clean"
	"winnow/internal/decontam"
	"winnow/internal/dedup"
	"winnow/internal/extract"
	"winnow/internal/langid"
	"winnow/internal/pii"
	"winnow/internal/quality"
	"winnow/internal/urlfilter"
)

// all lists every stage a config may name, in the order data usually
// flows. A stage package exports its Config type, a DefaultConfig function
// and New(Config) (winnow.Stage, error); it does not import this package.
// Add a stage here with one entry.
var all = []Spec{
	{
		Name:   "url_filter",
		Doc:    "drop documents whose URL's registered domain or host, normalised URL, words or sub-words are on user-given block lists (datatrove URLFilter)",
		Config: func() any { c := urlfilter.DefaultConfig(); return &c },
		New:    func(cfg any) (winnow.Stage, error) { return urlfilter.New(*cfg.(*urlfilter.Config)) },
	},
	{
		Name:   "extract",
		Doc:    "decode the HTML payload (BOM, HTTP, meta, detected charset) and extract its main text with trafilatura, one line per block",
		Config: func() any { c := extract.DefaultConfig(); return &c },
		New:    func(cfg any) (winnow.Stage, error) { return extract.New(*cfg.(*extract.Config)) },
	},
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
		Name:   "gopher_quality",
		Doc:    "Gopher quality rules (word count, word length, symbols, bullets, ellipses, alphabetic words, stop words) with datatrove or dolma semantics",
		Config: func() any { c := quality.DefaultGopherQualityConfig(); return &c },
		New: func(cfg any) (winnow.Stage, error) {
			return quality.NewGopherQuality(*cfg.(*quality.GopherQualityConfig))
		},
	},
	{
		Name:   "gopher_repetition",
		Doc:    "Gopher repetition rules (duplicate lines and paragraphs, top and duplicated word n-grams) with datatrove or dolma semantics",
		Config: func() any { c := quality.DefaultGopherRepetitionConfig(); return &c },
		New: func(cfg any) (winnow.Stage, error) {
			return quality.NewGopherRepetition(*cfg.(*quality.GopherRepetitionConfig))
		},
	},
	{
		Name:   "c4_quality",
		Doc:    "C4 line cleaning (terminal punctuation, short lines, javascript, policy text) and document rules (lorem ipsum, curly bracket, few sentences, optional mC4 paragraphs)",
		Config: func() any { c := quality.DefaultC4QualityConfig(); return &c },
		New:    func(cfg any) (winnow.Stage, error) { return quality.NewC4Quality(*cfg.(*quality.C4QualityConfig)) },
	},
	{
		Name:   "c4_badwords",
		Doc:    "drop documents holding a word of a user-given bad-words list (C4, LDNOOBW format), per language",
		Config: func() any { c := quality.DefaultC4BadWordsConfig(); return &c },
		New:    func(cfg any) (winnow.Stage, error) { return quality.NewC4BadWords(*cfg.(*quality.C4BadWordsConfig)) },
	},
	{
		Name:   "fineweb_quality",
		Doc:    "FineWeb quality rules (line punctuation, short lines, duplicated line characters, list ratio)",
		Config: func() any { c := quality.DefaultFineWebQualityConfig(); return &c },
		New: func(cfg any) (winnow.Stage, error) {
			return quality.NewFineWebQuality(*cfg.(*quality.FineWebQualityConfig))
		},
	},
	{
		Name:   "decontam",
		Doc:    "drop or tag documents sharing a normalised word 13-gram with a user-given JSONL of evaluation texts",
		Config: func() any { c := decontam.DefaultConfig(); return &c },
		New:    func(cfg any) (winnow.Stage, error) { return decontam.New(*cfg.(*decontam.Config)) },
	},
	{
		Name:   "minhash",
		Doc:    "sign each surviving document for dedup (exact content hash, MinHash-LSH band hashes, line hashes) as side data; put it last",
		Config: func() any { c := dedup.DefaultConfig(); return &c },
		New:    func(cfg any) (winnow.Stage, error) { return dedup.New(*cfg.(*dedup.Config)) },
	},
	{
		Name:   "pii",
		Doc:    "replace e-mail addresses and public IPs (optionally phone numbers) by placeholders and count them (datatrove PIIFormatter)",
		Config: func() any { c := pii.DefaultConfig(); return &c },
		New:    func(cfg any) (winnow.Stage, error) { return pii.New(*cfg.(*pii.Config)) },
	},
}
