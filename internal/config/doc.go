// Package config reads and validates winnow's YAML pipeline config.
//
// A config names the stages to run, in order, with their options, and
// sets the executor's knobs (workers, batch size, batches in flight) and
// the input and output options:
//
//	workers: 4                # default: number of cores
//	batch_size: 256           # documents per batch between goroutines
//	max_in_flight: 16         # batches in flight; with batch_size this bounds memory
//	input:  {text_field: text, id_field: id, source: ""}
//	output: {compression: zst, max_shard_bytes: 536870912, standoff_attributes: false}
//	steps:
//	  - extract: {timeout: 5s}
//	  - clean                 # a bare name uses the stage's defaults
//
// Every level is decoded with known-fields semantics: a key the target
// struct does not declare is an error. The whole config is checked before
// any input is read, and every problem is reported at once (errors.Join of
// *Error values), each with its YAML line and, for a misspelled step name
// or option key, the closest known one ("did you mean X?", Levenshtein
// distance at most 2). Step options decode into the stage's own Config
// from internal/steps; a config implementing steps.Validator checks itself.
//
// When no config file is given, [Default] is used; its step list is the
// one place that defines the default pipeline.
package config
