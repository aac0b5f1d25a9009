// Package winnow turns raw web crawls into clean, deduplicated text corpora
// for training language models.
//
// This package is the small public surface that an embedding program or a
// stage author needs: [Doc], the document that flows through a run;
// [Reader] and [Writer], which move documents in and out of shards; [Stage],
// one synchronous step of per-document work; and [Pipeline], an ordered list
// of stages.
//
// Everything else lives under internal/, named after the pipeline steps in
// the order data flows:
//
//	internal/format/warc   WARC/WET records -> documents with an HTML payload
//	internal/format/jsonl  JSONL (.jsonl, .gz, .zst) documents in and out
//	internal/extract       charset detection and main-content extraction
//	internal/clean         Unicode repair, junk lines, sentence-level cleaning
//	internal/quality       Gopher, C4 and FineWeb quality signals and filters
//	internal/langid        language identification, fastText inference
//	internal/dedup         exact and MinHash-LSH near-duplicate removal
//	internal/steps         the one list of stages a config may name
//	internal/config        the YAML pipeline config, validated as a whole
//	internal/run           the local executor: workers, shards, stats
//
// cmd/winnow is the command-line tool; it alone maps errors to exit codes.
// docs/architecture.md draws the dataflow and states the design principles.
package winnow
