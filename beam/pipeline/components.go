package pipeline

import (
	"slices"
	"strings"

	"winnow/internal/dedup"
)

// edge joins two documents, by order key, that share an LSH bucket: the
// same exact content hash (Exact) or the same hash of one LSH band.
type edge struct {
	A, B  string
	Exact bool
}

// encodeEdge and decodeEdge give an edge a compact string form for the
// single-key GroupByKey that collects all edges.
func encodeEdge(e edge) string {
	kind := "n"
	if e.Exact {
		kind = "x"
	}
	return kind + "\t" + e.A + "\t" + e.B
}

func decodeEdge(s string) (edge, bool) {
	kind, rest, ok := strings.Cut(s, "\t")
	if !ok {
		return edge{}, false
	}
	a, b, ok := strings.Cut(rest, "\t")
	if !ok || (kind != "x" && kind != "n") {
		return edge{}, false
	}
	return edge{A: a, B: b, Exact: kind == "x"}, true
}

// bucketEdges turns the members of one bucket (order keys, in any order
// and possibly repeated) into edges from the smallest member to each
// other one: a star has the same connected component as the clique and
// only len(members)-1 edges, as in dedup.Run.
func bucketEdges(members []string, exact bool) []edge {
	slices.Sort(members)
	members = slices.Compact(members)
	if len(members) < 2 {
		return nil
	}
	out := make([]edge, 0, len(members)-1)
	for _, m := range members[1:] {
		out = append(out, edge{A: members[0], B: m, Exact: exact})
	}
	return out
}

// unionFind is a disjoint-set forest over dense indices with path
// halving and union by size.
type unionFind struct {
	parent, size []int
}

func (u *unionFind) add() int {
	u.parent = append(u.parent, len(u.parent))
	u.size = append(u.size, 1)
	return len(u.parent) - 1
}

func (u *unionFind) find(x int) int {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(a, b int) {
	a, b = u.find(a), u.find(b)
	if a == b {
		return
	}
	if u.size[a] < u.size[b] {
		a, b = b, a
	}
	u.parent[b] = a
	u.size[a] += u.size[b]
}

// member is one document of a connected component with two or more
// documents: the component's survivor (order key), its size, and the
// rule the document is dropped for ("" for the survivor itself).
type member struct {
	Survivor string
	Rule     string
	Size     int
}

// duplicates finds the connected components of the graph the edges
// draw, keeps in each the survivor with the smallest order key (the
// "first" survivor policy of internal/dedup), and returns every member
// of every component with the rule it is dropped for: dedup.RuleExact
// when its exact content hash equals the survivor's (the two are joined
// by exact edges alone), else dedup.RuleNear; "" for the survivor. These
// are dedup.Run's clusters and reasons, computed over order keys instead
// of output ordinals.
func duplicates(edges []edge) map[string]member {
	idx := map[string]int{}
	var keys []string
	all, exact := &unionFind{}, &unionFind{}
	id := func(k string) int {
		i, ok := idx[k]
		if !ok {
			i = all.add()
			exact.add()
			idx[k] = i
			keys = append(keys, k)
		}
		return i
	}
	for _, e := range edges {
		a, b := id(e.A), id(e.B)
		all.union(a, b)
		if e.Exact {
			exact.union(a, b)
		}
	}
	survivor := map[int]int{} // component root -> index of its smallest key
	for i, k := range keys {
		r := all.find(i)
		if s, ok := survivor[r]; !ok || k < keys[s] {
			survivor[r] = i
		}
	}
	out := make(map[string]member, len(keys))
	for i, k := range keys {
		r := all.find(i)
		s := survivor[r]
		m := member{Survivor: keys[s], Size: all.size[r]}
		switch {
		case s == i:
		case exact.find(i) == exact.find(s):
			m.Rule = dedup.RuleExact
		default:
			m.Rule = dedup.RuleNear
		}
		out[k] = m
	}
	return out
}
