// Package pipeline runs a winnow pipeline config on Apache Beam (Go SDK):
// the same stages as `winnow run`, in a DoFn, with MinHash-LSH dedup as
// GroupByKey transforms, on any Beam runner (Prism in-process for tests;
// Flink, Spark or Dataflow by flag).
//
// Shape of the job (see [Build]): one element per input file; readFn
// reads it with internal/format and emits batches of documents; stageFn
// runs each batch through a winnow.Pipeline built from the config (the
// Stage values are unchanged: one per DoFn instance, Setup builds them,
// Teardown closes them); kept documents carry an order key (input file
// index, document index in the file). When the config has a minhash step,
// its side row (exact content hash and LSH band hashes) is grouped by
// bucket, buckets become star edges, the edges are collected under one
// key and a union-find gives the connected components; the survivor of a
// component is its smallest order key ("first", as in internal/dedup),
// and the other members are dropped as dedup/exact or
// dedup/near_duplicate. The documents of each input file are written,
// sorted by order key, with internal/format/jsonl's shard writer, and
// the counts of every step are summed into OUTDIR/stats.json in
// internal/run's Stats schema.
//
// For the same inputs and config the output holds the same multiset of
// documents as `winnow run` and the same drop counts by reason; the
// shard names and the order of documents across shards differ. The
// package starts no goroutines; the runner owns concurrency.
package pipeline
