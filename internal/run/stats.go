package run

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
	"winnow/internal/blob"

	"winnow/internal/dedup"
)

// Stats is what a run did. It is written to OUTDIR/stats.json.
type Stats struct {
	// Version is the winnow version that wrote the output.
	Version string `json:"version"`
	Inputs  struct {
		// Total counts input files plus arguments that named nothing
		// readable.
		Total int `json:"total"`
		// Unreadable counts inputs that could not be read at all.
		Unreadable int `json:"unreadable"`
		// UnreadableFiles maps each unreadable input to the reason.
		UnreadableFiles map[string]string `json:"unreadable_files,omitempty"`
		// SkippedFiles counts the files that folder walks passed over
		// because their names are not of a known input format, by
		// extension (format.SkipKey: ".arc.gz", ".warc.lz4", ".bad").
		SkippedFiles map[string]int64 `json:"skipped_files,omitempty"`
		// SkippedOutputs counts folders that folder walks did not enter
		// because they hold a winnow output (the run's own OUTDIR, or an
		// earlier run's: see format.IsOutputDir).
		SkippedOutputs int64 `json:"skipped_outputs,omitempty"`
	} `json:"inputs"`
	Documents struct {
		// Read counts documents the readers yielded.
		Read int64 `json:"read"`
		// Kept counts documents written to the documents shards.
		Kept int64 `json:"kept"`
		// Dropped counts documents a stage dropped.
		Dropped int64 `json:"dropped"`
		// DroppedByReason counts drops by "stage/rule".
		DroppedByReason map[string]int64 `json:"dropped_by_reason"`
	} `json:"documents"`
	Rejected struct {
		// Total counts bad records (parse errors) in readable inputs.
		Total int64 `json:"total"`
		// ByFile counts them per input file.
		ByFile map[string]int64 `json:"by_file"`
	} `json:"rejected_records"`
	// Skipped counts records the readers skipped on purpose (a WARC
	// request record, a non-HTML response), by reason.
	Skipped map[string]int64 `json:"skipped"`
	// BytesIn is the size of the input files as stored (compressed).
	BytesIn int64 `json:"bytes_in"`
	// BytesOut is the uncompressed JSON size of the kept documents.
	BytesOut int64 `json:"bytes_out"`
	// WallSeconds is the run's wall time.
	WallSeconds float64 `json:"wall_seconds"`
	// DocsPerSecond is Documents.Read / WallSeconds.
	DocsPerSecond float64 `json:"docs_per_second"`
	// MBPerSecond is BytesIn / 1e6 / WallSeconds.
	MBPerSecond float64 `json:"mb_per_second"`
	// Shards lists the documents shard files, relative to the output
	// folder ("documents/00000.jsonl.zst").
	Shards []string `json:"shards"`
	// Config is the effective pipeline config.
	Config map[string]any `json:"config"`
	// Dedup is what the dedup phase did, when the pipeline has a minhash
	// step; its drops are also counted in Documents (see FoldDedup).
	Dedup *dedup.Result `json:"dedup,omitempty"`
	// DedupSeconds is the dedup phase's wall time (not in WallSeconds).
	DedupSeconds float64 `json:"dedup_seconds,omitempty"`
}

func newStats(version string) *Stats {
	s := &Stats{Version: version, Skipped: map[string]int64{}, Shards: []string{}}
	s.Inputs.UnreadableFiles = map[string]string{}
	s.Documents.DroppedByReason = map[string]int64{}
	s.Rejected.ByFile = map[string]int64{}
	return s
}

// IncompleteMessage is the one line a command prints when a run finished
// but could not read everything (exit code 3): "finished, but 2 inputs
// were unreadable and 1 record was rejected (see OUTDIR/rejects and
// stats.json)".
func IncompleteMessage(unreadable int, rejected int64, outDir string) string {
	var parts []string
	if unreadable > 0 {
		parts = append(parts, plural(int64(unreadable), "input was unreadable", "inputs were unreadable"))
	}
	if rejected > 0 {
		parts = append(parts, plural(rejected, "record was rejected", "records were rejected"))
	}
	return fmt.Sprintf("finished, but %s (see %s/rejects and stats.json)", strings.Join(parts, " and "), strings.TrimSuffix(blob.Plain(outDir), "/"))
}

// plural is "1 one" or "n many".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Incomplete reports whether some inputs or records could not be read.
// Documents dropped by a stage do not count: dropping is the job.
func (s *Stats) Incomplete() bool {
	return s.Inputs.Unreadable > 0 || s.Rejected.Total > 0
}

func (s *Stats) finish(wall time.Duration) {
	s.WallSeconds = wall.Seconds()
	if s.WallSeconds > 0 {
		s.DocsPerSecond = float64(s.Documents.Read) / s.WallSeconds
		s.MBPerSecond = float64(s.BytesIn) / 1e6 / s.WallSeconds
	}
}

// writeFile writes the stats as indented JSON, atomically: a temporary
// file in the same folder, synced, then renamed.
func (s *Stats) writeFile(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("run: stats: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".stats-*.json")
	if err != nil {
		return fmt.Errorf("run: stats: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644) // as the shards; CreateTemp makes 0600
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("run: stats: %w", err)
	}
	return nil
}

// maxSummaryFiles bounds the per-file lines of the summary table.
const maxSummaryFiles = 10

// WriteSummary prints the run's figures as an aligned table.
func (s *Stats) WriteSummary(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k string, v any) { fmt.Fprintf(tw, "%s\t%v\n", k, v) }
	row("inputs", s.Inputs.Total)
	row("unreadable inputs", s.Inputs.Unreadable)
	for _, k := range sortedKeys(s.Inputs.SkippedFiles) {
		row("skipped files "+k, s.Inputs.SkippedFiles[k])
	}
	if s.Inputs.SkippedOutputs > 0 {
		row("skipped output folders", s.Inputs.SkippedOutputs)
	}
	for i, f := range sortedKeys(s.Inputs.UnreadableFiles) {
		if i == maxSummaryFiles {
			row(fmt.Sprintf("  … and %d more", len(s.Inputs.UnreadableFiles)-i), "(see stats.json)")
			break
		}
		row("  "+f, s.Inputs.UnreadableFiles[f])
	}
	row("documents read", s.Documents.Read)
	row("documents kept", s.Documents.Kept)
	row("documents dropped", s.Documents.Dropped)
	for _, k := range sortedKeys(s.Documents.DroppedByReason) {
		row("  "+k, s.Documents.DroppedByReason[k])
	}
	row("rejected records", s.Rejected.Total)
	for i, k := range sortedKeys(s.Rejected.ByFile) {
		if i == maxSummaryFiles {
			row(fmt.Sprintf("  … and %d more files", len(s.Rejected.ByFile)-i), "(see stats.json)")
			break
		}
		row("  "+k, s.Rejected.ByFile[k])
	}
	for _, k := range sortedKeys(s.Skipped) {
		row("skipped "+k, s.Skipped[k])
	}
	if d := s.Dedup; d != nil {
		row("dedup documents", d.Documents)
		row("  clusters (documents)", fmt.Sprintf("%d (%d)", d.Clusters, d.ClusteredDocs))
		row("  exact duplicates", d.ExactDuplicates)
		row("  near duplicates", d.NearDuplicates)
		row("  lines removed", d.LinesRemoved)
		row("  kept", d.Kept)
		if len(d.Resumed) > 0 {
			row("  resumed after", strings.Join(d.Resumed, ", "))
		}
		if s.DedupSeconds > 0 {
			row("  dedup wall time", fmt.Sprintf("%.2f s", s.DedupSeconds))
		}
	}
	// Stats without timings (the Beam pipeline's: its workers measure
	// neither input bytes nor wall time) leave those rows out rather than
	// print zeros that read as measurements.
	timed := s.WallSeconds > 0
	if timed {
		row("bytes in", s.BytesIn)
	}
	row("bytes out (uncompressed)", s.BytesOut)
	if timed {
		row("wall time", fmt.Sprintf("%.2f s", s.WallSeconds))
		row("throughput", fmt.Sprintf("%.0f docs/s, %.2f MB/s", s.DocsPerSecond, s.MBPerSecond))
	}
	return tw.Flush()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
