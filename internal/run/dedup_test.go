package run

import (
	"reflect"
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
