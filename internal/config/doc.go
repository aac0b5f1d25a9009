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
// Each option decodes on its own, so a value of the wrong type ("step
// clean: min_words: want an integer, got \"two\"") hides neither another
// option's problem nor the step's Validate, which runs on the options that
// decoded; problems are sorted by line. A key given twice in one mapping
// is refused.
//
// The step order is checked too: with an extract step in the pipeline,
// only url_filter (which reads the URL, not the text) may come before it;
// minhash must follow every step that may drop documents (pii, which only
// edits, and steps with tag_only: true may follow it), and appears at most
// once. Any other stage may be repeated, with the same or other options
// (as datatrove repeats a filter with other thresholds); stats.json
// counts drops by stage and rule, so the repeats of a stage add up under
// one name.
//
// When no config file is given, [Default] is used; its step list is the
// one place that defines the default pipeline.
package config
