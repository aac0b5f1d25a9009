package pipeline

import (
	"maps"
	"testing"

	"winnow/internal/dedup"
)

func TestDuplicates(t *testing.T) {
	x := func(a, b string) edge { return edge{A: a, B: b, Exact: true} }
	n := func(a, b string) edge { return edge{A: a, B: b} }
	tests := []struct {
		name  string
		edges []edge
		want  map[string]string
	}{
		{"no edges", nil, map[string]string{}},
		{"one exact pair", []edge{x("a", "b")}, map[string]string{"b": dedup.RuleExact}},
		{"one near pair", []edge{n("a", "b")}, map[string]string{"b": dedup.RuleNear}},
		{"survivor is the smallest key whatever the edge direction", []edge{n("c", "b"), n("b", "a")},
			map[string]string{"b": dedup.RuleNear, "c": dedup.RuleNear}},
		// a and b are exact copies; c is near b only. c joins the
		// component through b, and is near, not exact, to the survivor a.
		{"exact and near in one component", []edge{x("a", "b"), n("b", "c")},
			map[string]string{"b": dedup.RuleExact, "c": dedup.RuleNear}},
		// c and d are exact copies of each other but not of the survivor
		// a: both are near duplicates of a.
		{"exact pair not equal to survivor", []edge{n("a", "c"), x("c", "d")},
			map[string]string{"c": dedup.RuleNear, "d": dedup.RuleNear}},
		{"two components", []edge{n("a", "b"), x("c", "d"), n("e", "d")},
			map[string]string{"b": dedup.RuleNear, "d": dedup.RuleExact, "e": dedup.RuleNear}},
		{"repeated edge", []edge{n("a", "b"), n("a", "b"), n("b", "a")}, map[string]string{"b": dedup.RuleNear}},
		{"order keys compare as strings", []edge{n("00000001:000000000010", "00000001:000000000009")},
			map[string]string{"00000001:000000000010": dedup.RuleNear}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			members := duplicates(tc.edges)
			got := map[string]string{}
			for k, m := range members {
				if m.Rule != "" {
					got[k] = m.Rule
				}
				if ms := members[m.Survivor]; ms.Rule != "" || ms.Survivor != m.Survivor || ms.Size != m.Size {
					t.Errorf("%s: survivor %s has %+v", k, m.Survivor, ms)
				}
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("duplicates = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDuplicatesMembers(t *testing.T) {
	got := duplicates([]edge{{"c", "d", true}, {"a", "b", false}, {"b", "e", false}})
	want := map[string]member{
		"a": {"a", "", 3}, "b": {"a", dedup.RuleNear, 3}, "e": {"a", dedup.RuleNear, 3},
		"c": {"c", "", 2}, "d": {"c", dedup.RuleExact, 2},
	}
	if !maps.Equal(got, want) {
		t.Errorf("duplicates = %v, want %v", got, want)
	}
}

func TestBucketEdges(t *testing.T) {
	tests := []struct {
		members []string
		exact   bool
		want    []edge
	}{
		{nil, false, nil},
		{[]string{"a"}, false, nil},
		{[]string{"a", "a"}, true, nil},
		{[]string{"c", "a", "b"}, false, []edge{{"a", "b", false}, {"a", "c", false}}},
		{[]string{"b", "a"}, true, []edge{{"a", "b", true}}},
	}
	for _, tc := range tests {
		got := bucketEdges(tc.members, tc.exact)
		if len(got) != len(tc.want) {
			t.Errorf("bucketEdges(%v) = %v, want %v", tc.members, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("bucketEdges(%v) = %v, want %v", tc.members, got, tc.want)
				break
			}
		}
	}
}

func TestEdgeRoundTrip(t *testing.T) {
	for _, e := range []edge{{"a", "b", true}, {"00000000:000000000001", "00000003:000000000000", false}} {
		got, ok := decodeEdge(encodeEdge(e))
		if !ok || got != e {
			t.Errorf("decodeEdge(encodeEdge(%v)) = %v, %v", e, got, ok)
		}
	}
	for _, s := range []string{"", "x", "x\ta", "y\ta\tb"} {
		if _, ok := decodeEdge(s); ok {
			t.Errorf("decodeEdge(%q) accepted", s)
		}
	}
}

func FuzzDecodeEdge(f *testing.F) {
	f.Add("x\ta\tb")
	f.Add("n\t00000000:000000000001\t00000000:000000000002")
	f.Add("\t\t")
	f.Fuzz(func(t *testing.T, s string) {
		e, ok := decodeEdge(s)
		if ok && encodeEdge(e) != s {
			t.Errorf("decodeEdge(%q) = %v does not encode back", s, e)
		}
	})
}
