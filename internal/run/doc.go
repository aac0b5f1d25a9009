// Package run is winnow's local executor: it reads the inputs, moves
// documents in batches through one stage pipeline per worker goroutine,
// and writes the survivors, the rejects and the run's statistics.
//
// Dataflow (goroutines live here and nowhere else in winnow):
//
//	reader ──batches──▶ N workers (one winnow.Pipeline each) ──▶ writer
//	(inputs in sorted      (stages are synchronous,              (re-orders by
//	 order, seq numbers)    one Stage value per worker)           sequence number)
//
// The reader numbers batches in input order; the writer holds finished
// batches in a ring of max_in_flight slots and writes them strictly in
// sequence, so the output is byte-identical for any number of workers. A
// token per batch in flight bounds memory to about
// (max_in_flight + 1) × batch_size documents.
//
// Errors follow three paths. A bad record (a *winnow.ParseError from a
// reader) is written to the rejects shard, counted per input file, and
// reading goes on. A bad input (a path that does not exist, a file that
// cannot be opened or is not in a known format) is counted as unreadable,
// gets one reject row naming the file, and the other inputs are read. A
// broken run (a stage error, a write error such as a full disk, an output
// folder that cannot be created, cancellation) cancels every goroutine via
// errgroup and is returned from [Run].
//
// Output layout under Options.OutDir:
//
//	documents/NNNNN.jsonl.zst   kept documents, dolma schema
//	rejects/NNNNN.jsonl.zst     bad records, unreadable inputs, dropped documents
//	side/<key>/NNNNN.bin        per-document side data, aligned with documents
//	attributes/<set>/…          standoff attributes, when configured
//	stats.json                  [Stats], written atomically at the end
package run
