// Package layout names what winnow writes into an output folder (OUTDIR,
// or an s3:// or gs:// prefix), so that --overwrite removes exactly that
// and nothing else, and a folder walk knows an earlier output when it
// meets one:
//
//	stats.json, report/, report.html      the run's counts and report
//	.run/                                 checkpoint, merge record, lock
//	.dedup/                               state of the dedup phase
//	documents/NNNNN.<ext>                 document shards
//	rejects/NNNNN.<ext>, rejects/dedup/NNNNN.<ext>
//	side/<key>/NNNNN.bin, attributes/<set>/NNNNN.<ext>
//
// A shard name is a non-negative decimal number, or two joined by "-",
// before its first ".". Other files in those folders are not winnow's.
package layout

import (
	"strconv"
	"strings"
)

// Names are the entries of OUTDIR that belong to winnow whole.
var Names = []string{"stats.json", "report", "report.html", ".dedup", ".run"}

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

// IsShardName reports whether name is a shard file's name: "NNNNN.<ext>"
// or "NNNNN-MMMMM.<ext>".
func IsShardName(name string) bool {
	num, _, _ := strings.Cut(name, ".")
	parts := strings.Split(num, "-")
	if len(parts) > 2 {
		return false
	}
	for _, p := range parts {
		if _, ok := ShardIndex(p); !ok {
			return false
		}
	}
	return true
}

// Owned reports whether the file at rel, a "/"-separated path relative to
// an output folder, is part of a winnow output: below one of Names (but
// .run/lock), or a shard (or a temporary file, whose name starts with
// ".") directly in documents/, rejects/, rejects/dedup/, side/<key>/ or
// attributes/<set>/.
func Owned(rel string) bool {
	el := strings.Split(rel, "/")
	for _, n := range Names {
		if el[0] == n {
			return !(n == ".run" && len(el) == 2 && el[1] == LockFile)
		}
	}
	base := el[len(el)-1]
	shard := IsShardName(base) || strings.HasPrefix(base, ".")
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
