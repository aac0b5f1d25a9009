// Package layout names what winnow writes into an output folder (OUTDIR,
// or an s3:// or gs:// prefix), so that --overwrite removes exactly that
// and nothing else, and a folder walk knows an earlier output when it
// meets one:
//
//	stats.json, report.html, report/histograms.json, report/sample.jsonl.zst
//	.run/                                 checkpoint, merge record, lock
//	.dedup/                               state of the dedup phase
//	documents/NNNNN.<ext>                 document shards
//	rejects/NNNNN.<ext>, rejects/dedup/NNNNN.<ext>
//	side/<key>/NNNNN.bin, attributes/<set>/NNNNN.<ext>
//
// A shard name is a number of at least five digits, or two joined by "-",
// and one of ShardExts. Other files in those folders are not winnow's.
package layout

import (
	"slices"
	"strconv"
	"strings"
)

// LockFile is the name, under .run, of the output folder's lock; it is
// never removed.
const LockFile = "lock"

// ShardIndex returns the number a shard name starts with (the text before
// its first "."), and whether it is a non-negative decimal number.
func ShardIndex(name string) (int, bool) {
	num, _, _ := strings.Cut(name, ".")
	if num == "" {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil && n >= 0
}

// ShardExts are the endings of the shards winnow writes: JSONL shards by
// compression, Parquet shards, and side files.
var ShardExts = []string{".jsonl.zst", ".jsonl.gz", ".jsonl", ".parquet", ".bin"}

// IsShardName reports whether name is a shard file's name as winnow
// writes it: "NNNNN<ext>" or "NNNNN-MMMMM<ext>", each number of at least
// five decimal digits (%05d), ext one of ShardExts. A dolma dump's
// "0000.json.gz" is not one.
func IsShardName(name string) bool {
	num, ext, _ := strings.Cut(name, ".")
	if !slices.Contains(ShardExts, "."+ext) {
		return false
	}
	parts := strings.Split(num, "-")
	if len(parts) > 2 {
		return false
	}
	for _, p := range parts {
		if _, ok := ShardIndex(p); !ok || len(p) < 5 {
			return false
		}
	}
	return true
}

// isTemp reports whether name is the temporary name a shard is written
// under before its rename (".NNNNN<ext>.tmp").
func isTemp(name string) bool {
	inner, ok := strings.CutPrefix(name, ".")
	if !ok {
		return false
	}
	inner, ok = strings.CutSuffix(inner, ".tmp")
	return ok && IsShardName(inner)
}

// Owned reports whether the file at rel, a "/"-separated path relative to
// an output folder, is part of a winnow output: stats.json, report.html,
// the report's report/histograms.json and report/sample.jsonl.zst,
// anything below .dedup/ or .run/ (but .run/lock), or a shard (or its
// temporary file) directly in documents/, rejects/, rejects/dedup/,
// side/<key>/ or attributes/<set>/. Other files, such as a user's notes in
// report/ or a dolma dump's documents/0000.json.gz, are not.
func Owned(rel string) bool {
	el := strings.Split(rel, "/")
	switch el[0] {
	case ".dedup":
		return true
	case ".run":
		return !(len(el) == 2 && el[1] == LockFile)
	case "stats.json", "report.html":
		return len(el) == 1
	case "report":
		return len(el) == 2 && (el[1] == "histograms.json" || el[1] == "sample.jsonl.zst")
	}
	base := el[len(el)-1]
	shard := IsShardName(base) || isTemp(base)
	switch {
	case len(el) == 2 && (el[0] == "documents" || el[0] == "rejects"):
		return shard
	case len(el) == 3 && el[0] == "rejects" && el[1] == "dedup":
		return shard
	case len(el) == 3 && (el[0] == "side" || el[0] == "attributes"):
		return shard
	}
	return false
}
