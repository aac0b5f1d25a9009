// Package dedup removes duplicate documents and repeated lines from a run's
// output: exact duplicates on a normalised 128-bit content hash,
// near-duplicates by MinHash-LSH, and lines already seen in another
// document (cc_net style).
//
// The work is split in two so that the input corpus is read once (and
// the second half may be split again, across machines):
//
//  1. The "minhash" stage ([New]) runs last in the per-document pipeline.
//     For every surviving document it stores in Doc.Side["minhash"] the
//     exact content hash and the LSH band hashes of its MinHash signature
//     (layout in side.go), and, when line dedup is on, the hashes of its
//     lines in Doc.Side["lines"]. The shard writer stores these side rows
//     in OUTDIR/side/<key>/NNNNN.bin aligned with OUTDIR/documents/NNNNN.
//
//  2. The dedup phase ([Run]) reads only the side files (and, for optional
//     Jaccard verification or a survivor policy other than "first", the
//     output shards, never the input corpus). It groups the band hashes
//     with an external sort that spills sorted runs to OUTDIR/.dedup/tmp
//     under a memory cap, unions documents that share a band (or an exact
//     hash) into connected components with union-find, keeps one survivor
//     per component by the survivor policy, and rewrites the document
//     shards atomically: duplicates go to OUTDIR/rejects/dedup/NNNNN.jsonl.zst
//     (the reject rows of internal/format/jsonl) with reason dedup/exact or
//     dedup/near_duplicate and detail "cluster <id>", or stay tagged in
//     tag-only mode. The side files are rewritten with the shards, so they
//     stay aligned and a later Run on the same output finds nothing new.
//     Each phase is recorded in OUTDIR/.dedup/done so that a rerun resumes
//     after the last finished phase.
//
//  3. Optionally, the sorting of the clusters phase is spread over several
//     machines: [Edges] computes part P of N of the exact-hash groups and
//     LSH buckets (those whose key falls in P) into OUTDIR/.dedup/edges,
//     and Run then merges the parts instead of sorting every bucket
//     itself, with byte-identical output for any N. Without parts, Run
//     computes part 0 of 1 itself: both paths share the code.
//
// MinHash follows datatrove (huggingface/datatrove src/datatrove/pipeline/
// dedup/minhash.py and utils/text.py simplify_text): word 5-gram shingles
// of the simplified text, 64-bit shingle hashes, permutations
// (a·h+b) mod (2^61−1), 14 bands of 8 rows. The differences from datatrove
// are listed on [MinHashConfig].
//
// The executor owns concurrency for the stage. The phase's clusters and
// lines steps are sequential, bounded by disk rather than memory; its
// rewrite stages Options.Workers shards at once, each worker with its own
// readers and writers, and gives the same bytes for any number of them.
package dedup
