package pipeline

import (
	"maps"
	"testing"

	"winnow"
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
			members, err := duplicates(tc.edges, policyFirst)
			if err != nil {
				t.Fatal(err)
			}
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
	got, err := duplicates([]edge{{"c", "d", true}, {"a", "b", false}, {"b", "e", false}}, policyFirst)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]member{
		"a": {"a", "a", "", 3}, "b": {"a", "a", dedup.RuleNear, 3}, "e": {"a", "a", dedup.RuleNear, 3},
		"c": {"c", "c", "", 2}, "d": {"c", "c", dedup.RuleExact, 2},
	}
	if !maps.Equal(got, want) {
		t.Errorf("duplicates = %v, want %v", got, want)
	}
}

// TestDuplicatesPolicies checks the survivor policies on nodes carrying
// policy keys. Component {a, b, c, d}: a and b are exact copies, c and d
// near ones. Under "oldest" (smallest key wins) c (key 10) beats a (30)
// and b (20); d ties with c at 10 and loses, being later. Under
// "attribute" (largest key wins) a (30) stays. The component id is a,
// its smallest order key, whoever survives; b is an exact duplicate of a
// and so near_duplicate of the survivor c.
func TestDuplicatesPolicies(t *testing.T) {
	a, b, c, d := encodeNode("a", "30", ""), encodeNode("b", "20", ""), encodeNode("c", "10", ""), encodeNode("d", "10", "")
	edges := []edge{{a, b, true}, {a, c, false}, {c, d, false}}
	got, err := duplicates(edges, policyOldest)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]member{
		"a": {"a", "c", dedup.RuleNear, 4}, "b": {"a", "c", dedup.RuleNear, 4},
		"c": {"a", "c", "", 4}, "d": {"a", "c", dedup.RuleNear, 4},
	}
	if !maps.Equal(got, want) {
		t.Errorf("oldest: duplicates = %v, want %v", got, want)
	}
	got, err = duplicates(edges, policyAttribute)
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]member{
		"a": {"a", "a", "", 4}, "b": {"a", "a", dedup.RuleExact, 4},
		"c": {"a", "a", dedup.RuleNear, 4}, "d": {"a", "a", dedup.RuleNear, 4},
	}
	if !maps.Equal(got, want) {
		t.Errorf("attribute: duplicates = %v, want %v", got, want)
	}
	// +Inf (no created time) ranks last under oldest.
	got, err = duplicates([]edge{{encodeNode("a", "+Inf", ""), encodeNode("b", "5", ""), false}}, policyOldest)
	if err != nil || got["b"].Rule != "" || got["a"].Rule != dedup.RuleNear {
		t.Errorf("oldest with +Inf: %v, %v", got, err)
	}
	if _, err := duplicates([]edge{{encodeNode("a", "x", ""), "b", false}}, policyOldest); err == nil {
		t.Error("a bad policy key gave no error")
	}
}

func TestPolicyKey(t *testing.T) {
	d := &winnow.Doc{Created: "2019-03-01T00:00:00Z", Attributes: map[string]any{"score": 0.5, "flag": true, "name": "x"}}
	for _, tc := range []struct{ policy, attr, want string }{
		{policyOldest, "", "1.5513984e+09"}, // date -d 2019-03-01T00:00:00Z +%s: 1551398400
		{policyAttribute, "score", "0.5"},
		{policyAttribute, "flag", "1"},
		{policyAttribute, "name", "-Inf"},
		{policyAttribute, "missing", "-Inf"},
		{policyFirst, "", ""},
	} {
		if got := policyKey(d, tc.policy, tc.attr); got != tc.want {
			t.Errorf("policyKey(%s, %s) = %q, want %q", tc.policy, tc.attr, got, tc.want)
		}
	}
	if got := policyKey(&winnow.Doc{}, policyOldest, ""); got != "+Inf" {
		t.Errorf("oldest without created = %q, want +Inf", got)
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
