package run

import (
	"reflect"
	"strings"
	"testing"

	"winnow/internal/dedup"
)

func TestFoldDedup(t *testing.T) {
	s := newStats("")
	s.Documents.Kept, s.Documents.Dropped = 10, 2
	s.Documents.DroppedByReason["language/language"] = 2
	res := &dedup.Result{Documents: 10, ExactDuplicates: 2, NearDuplicates: 3, EmptiedDocuments: 1, Kept: 4, LinesRemoved: 7}
	s.FoldDedup(res)
	want := map[string]int64{"language/language": 2, "dedup/exact": 2, "dedup/near_duplicate": 3, "dedup/repeated_lines": 1}
	if s.Documents.Kept != 4 || s.Documents.Dropped != 8 || !reflect.DeepEqual(s.Documents.DroppedByReason, want) {
		t.Errorf("after fold: %+v", s.Documents)
	}
	// Folding the same phase again (a rerun) counts nothing twice.
	again := *res
	again.Resumed = []string{dedup.PhaseClusters}
	s.FoldDedup(&again)
	if s.Documents.Kept != 4 || s.Documents.Dropped != 8 || !reflect.DeepEqual(s.Documents.DroppedByReason, want) || s.Dedup != &again {
		t.Errorf("after refold: %+v", s.Documents)
	}
	// Tag-only: duplicates counted in Dedup, nothing dropped.
	s = newStats("")
	s.Documents.Kept = 10
	s.FoldDedup(&dedup.Result{Documents: 10, ExactDuplicates: 2, NearDuplicates: 3, Kept: 10})
	if s.Documents.Kept != 10 || s.Documents.Dropped != 0 || len(s.Documents.DroppedByReason) != 0 {
		t.Errorf("tag-only fold: %+v", s.Documents)
	}
}

// TestSummaryWithoutTimings: stats without wall time (a Beam job's) print
// no bytes-in, wall time or throughput rows; a timed run prints them.
func TestSummaryWithoutTimings(t *testing.T) {
	s := newStats("")
	s.Documents.Read, s.Documents.Kept, s.BytesOut = 3, 2, 906
	var b strings.Builder
	if err := s.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{"bytes in", "wall time", "throughput"} {
		if strings.Contains(b.String(), absent) {
			t.Errorf("summary without timings has %q:\n%s", absent, b.String())
		}
	}
	if !strings.Contains(b.String(), "bytes out (uncompressed)  906") {
		t.Errorf("summary lacks bytes out:\n%s", b.String())
	}
	s.BytesIn, s.WallSeconds, s.DocsPerSecond = 5000, 2, 1.5
	b.Reset()
	s.WriteSummary(&b)
	for _, want := range []string{"bytes in                  5000", "wall time                 2.00 s", "throughput                2 docs/s, 0.00 MB/s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("timed summary lacks %q:\n%s", want, b.String())
		}
	}
}
