package pipeline

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"winnow"
	"winnow/internal/dedup"
)

// edge joins two documents (nodes: see encodeNode) that share an LSH
// bucket: the same exact content hash (Exact) or the same hash of one
// LSH band.
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

// bucketEdges turns the members of one bucket (nodes, in any order and
// possibly repeated) into edges from the member with the smallest order
// key to each other one: a star has the same connected component as the
// clique and only len(members)-1 edges, as in dedup.Run.
func bucketEdges(members []string, exact bool) []edge {
	key := func(n string) string { k, _, _ := parseNode(n); return k }
	slices.SortFunc(members, func(a, b string) int { return strings.Compare(key(a), key(b)) })
	members = slices.CompactFunc(members, func(a, b string) bool { return key(a) == key(b) })
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
// documents: the component's smallest order key (its id: dedup.Run
// numbers a cluster by its smallest ordinal), its survivor (order key),
// its size, and the rule the document is dropped for ("" for the
// survivor itself).
type member struct {
	Component string
	Survivor  string
	Rule      string
	Size      int
}

// A node is a document in an edge: "key|policy key|exact hash", the last
// two parts empty when not needed (survivor policy "first", no
// verification); a bare order key is a node too.
func encodeNode(key, policy, exact string) string {
	return key + "|" + policy + "|" + exact
}

// parseNode returns the order key, survivor policy key and exact hash of
// a node.
func parseNode(s string) (key, policy, exact string) {
	key, rest, _ := strings.Cut(s, "|")
	policy, exact, _ = strings.Cut(rest, "|")
	return key, policy, exact
}

// Survivor policies, as internal/dedup parses Config.Survivor.
const (
	policyFirst     = "first"
	policyOldest    = "oldest"
	policyAttribute = "attribute"
)

// parsePolicy splits a survivor setting into the policy and, for
// "attribute:<name>", the attribute name.
func parsePolicy(s string) (policy, attr string) {
	if name, ok := strings.CutPrefix(s, "attribute:"); ok {
		return policyAttribute, name
	}
	if s == "" {
		return policyFirst, ""
	}
	return s, ""
}

// policyKey is d's survivor key from internal/dedup's SurvivorKey,
// formatted so that strconv.ParseFloat gives back the same float64; ""
// under policyFirst.
func policyKey(d *winnow.Doc, policy, attr string) string {
	setting := policy
	if policy == policyAttribute {
		setting = "attribute:" + attr
	}
	v, ok := dedup.SurvivorKey(d, setting)
	if !ok {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// better reports whether policy key a beats b: strictly, so that ties
// keep the earlier document (internal/dedup's rule).
func better(policy string, a, b float64) bool {
	if policy == policyOldest {
		return a < b
	}
	return a > b
}

// duplicates finds the connected components of the graph the edges draw
// (their ends are nodes: see encodeNode). In each it keeps one survivor:
// under policyFirst the smallest order key; under policyOldest and
// policyAttribute the member whose policy key is strictly better than
// that of every member before it in order-key order (ties keep the
// earlier document, as in internal/dedup; a node without a policy key
// ranks last). It returns every member of every component with the rule
// it is dropped for: dedup.RuleExact when its exact content hash equals
// the survivor's (the two are joined by exact edges alone), else
// dedup.RuleNear; "" for the survivor. These are dedup.Run's clusters
// and reasons, computed over order keys instead of output ordinals.
func duplicates(edges []edge, policy string) (map[string]member, error) {
	idx := map[string]int{}
	var keys []string
	var pkeys []float64
	all, exact := &unionFind{}, &unionFind{}
	worst := math.Inf(1)
	if policy == policyAttribute {
		worst = math.Inf(-1)
	}
	id := func(n string) (int, error) {
		k, p, _ := parseNode(n)
		i, ok := idx[k]
		if !ok {
			i = all.add()
			exact.add()
			idx[k] = i
			keys = append(keys, k)
			pkeys = append(pkeys, worst)
		}
		if p != "" {
			v, err := strconv.ParseFloat(p, 64)
			if err != nil {
				return 0, fmt.Errorf("pipeline: bad survivor key in node %q", n)
			}
			pkeys[i] = v
		}
		return i, nil
	}
	for _, e := range edges {
		a, err := id(e.A)
		if err != nil {
			return nil, err
		}
		b, err := id(e.B)
		if err != nil {
			return nil, err
		}
		all.union(a, b)
		if e.Exact {
			exact.union(a, b)
		}
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	type comp struct{ min, survivor int }
	comps := map[int]*comp{} // component root -> its smallest key and survivor
	for _, i := range order {
		r := all.find(i)
		c := comps[r]
		if c == nil {
			comps[r] = &comp{min: i, survivor: i}
			continue
		}
		if policy != policyFirst && better(policy, pkeys[i], pkeys[c.survivor]) {
			c.survivor = i
		}
	}
	out := make(map[string]member, len(keys))
	for i, k := range keys {
		r := all.find(i)
		c := comps[r]
		m := member{Component: keys[c.min], Survivor: keys[c.survivor], Size: all.size[r]}
		switch {
		case c.survivor == i:
		case exact.find(i) == exact.find(c.survivor):
			m.Rule = dedup.RuleExact
		default:
			m.Rule = dedup.RuleNear
		}
		out[k] = m
	}
	return out, nil
}
