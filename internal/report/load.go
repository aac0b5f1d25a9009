package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/klauspost/compress/zstd"
)

// Stats is the part of OUTDIR/stats.json (internal/run.Stats) the report
// reads.
type Stats struct {
	Version string `json:"version"`
	Inputs  struct {
		Total      int `json:"total"`
		Unreadable int `json:"unreadable"`
	} `json:"inputs"`
	Documents struct {
		Read            int64            `json:"read"`
		Kept            int64            `json:"kept"`
		Dropped         int64            `json:"dropped"`
		DroppedByReason map[string]int64 `json:"dropped_by_reason"`
	} `json:"documents"`
	Rejected struct {
		Total int64 `json:"total"`
	} `json:"rejected_records"`
	Skipped     map[string]int64 `json:"skipped"`
	BytesIn     int64            `json:"bytes_in"`
	BytesOut    int64            `json:"bytes_out"`
	WallSeconds float64          `json:"wall_seconds"`
	Config      map[string]any   `json:"config"`
}

// DedupResult is the part of OUTDIR/.dedup/result.json
// (internal/dedup.Result) the report shows.
type DedupResult struct {
	Documents       int64 `json:"documents"`
	Clusters        int64 `json:"clusters"`
	ClusteredDocs   int64 `json:"clustered_documents"`
	ExactDuplicates int64 `json:"exact_duplicates"`
	NearDuplicates  int64 `json:"near_duplicates"`
	LinesRemoved    int64 `json:"lines_removed"`
	Kept            int64 `json:"kept"`
}

// Data is everything a report is drawn from.
type Data struct {
	Stats      Stats
	Histograms Histograms
	Samples    []*Sample
	Dedup      *DedupResult // nil when no dedup ran
}

// Load reads the report's data from a run's output folder: stats.json,
// report/histograms.json, report/sample.jsonl.zst and, when dedup ran,
// .dedup/result.json. Reading is independent of the run's size.
func Load(outDir string) (*Data, error) {
	d := &Data{}
	if err := readJSON(filepath.Join(outDir, "stats.json"), &d.Stats); err != nil {
		return nil, err
	}
	if err := readJSON(filepath.Join(outDir, Dir, HistogramsFile), &d.Histograms); err != nil {
		return nil, fmt.Errorf("%w (was the run made with --report?)", err)
	}
	f, err := os.Open(filepath.Join(outDir, Dir, SampleFile))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer f.Close()
	zr, err := zstd.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer zr.Close()
	if d.Samples, err = readSamples(zr); err != nil {
		return nil, fmt.Errorf("report: %s: %w", SampleFile, err)
	}
	var dr DedupResult
	switch err := readJSON(filepath.Join(outDir, ".dedup", "result.json"), &dr); {
	case err == nil:
		d.Dedup = &dr
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	return d, nil
}

// readSamples decodes JSON lines of Sample.
func readSamples(r io.Reader) ([]*Sample, error) {
	var out []*Sample
	dec := json.NewDecoder(bufio.NewReader(r))
	for {
		var s Sample
		err := dec.Decode(&s)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append(out, &s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return nil
}
