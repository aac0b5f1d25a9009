package fixtext

import "unicode/utf8"

// Repair is one run of text that Fix changed: the bytes Start..End of the
// input became New. Old is the input's text there. Runs of one call do
// not overlap and come in input order; all offsets are into the input.
type Repair struct {
	Start, End int
	Old, New   string
}

// FixRepairs is Fix that also reports each repaired run on its own (a
// mojibake word, an HTML entity, a removed control character, a line
// break), so a reader can see exactly what changed. The text is the same
// as Fix's.
//
// Fix works line by line; each line of its output is compared with the
// input line it came from by a shortest edit script over characters
// (Myers 1986, "An O(ND) difference algorithm"), and every maximal run of
// changed characters is one Repair. A line whose script would need more
// than maxScript changed characters is reported as one run from its first
// to its last change.
func FixRepairs(s string, opts Options) (string, []Repair) {
	out, lines := fix(s, opts, true)
	segs := inputLines(s, opts)
	if len(segs) != len(lines) {
		// Not expected: every output line comes from one input line. Fall
		// back to one run for the whole difference.
		return out, diffRuns(s, out, 0, nil)
	}
	var reps []Repair
	pos := 0
	for i, seg := range segs {
		if seg != lines[i] {
			reps = diffRuns(seg, lines[i], pos, reps)
		}
		pos += len(seg)
	}
	return out, reps
}

// inputLines splits s where Fix's lines end: after each '\n', and, when
// line breaks are fixed, after each "\r\n", '\r', U+2028, U+2029 and
// (unless C1 controls are read as Windows-1252) U+0085. Each piece keeps
// its break. Byte-level search suffices: the bytes of these characters are
// never inside another character, and repair of invalid UTF-8 keeps them.
func inputLines(s string, opts Options) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		end := -1
		switch c := s[i]; {
		case c == '\n':
			end = i + 1
		case !opts.FixLineBreaks:
		case c == '\r':
			end = i + 1
			if i+1 < len(s) && s[i+1] == '\n' {
				end = i + 2
			}
		case c == 0xe2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9):
			end = i + 3
		case c == 0xc2 && !opts.FixC1Controls && i+1 < len(s) && s[i+1] == 0x85:
			end = i + 2
		}
		if end >= 0 {
			out = append(out, s[start:end])
			start = end
			i = end - 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// maxScript bounds the changed characters one line's edit script may hold
// before the line is reported as one run; it keeps the O(ND) search
// linear in practice.
const maxScript = 256

// token is one character of a line: a rune, or -1-b for an invalid byte
// b, which equals no character of the (valid) output.
type token struct {
	r   int32
	off int // byte offset
}

func tokens(s string) []token {
	t := make([]token, 0, len(s)+1)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			t = append(t, token{r: -1 - int32(s[i]), off: i})
		} else {
			t = append(t, token{r: r, off: i})
		}
		i += n
	}
	return append(t, token{r: -1 << 20, off: len(s)}) // end sentinel
}

// diffRuns appends to reps the changed runs between a (input, at byte
// base of the whole input) and b.
func diffRuns(a, b string, base int, reps []Repair) []Repair {
	ta, tb := tokens(a), tokens(b)
	na, nb := len(ta)-1, len(tb)-1
	p := 0
	for p < na && p < nb && ta[p].r == tb[p].r {
		p++
	}
	q := 0
	for q < na-p && q < nb-p && ta[na-1-q].r == tb[nb-1-q].r {
		q++
	}
	add := func(i0, i1, j0, j1 int) {
		r := Repair{Start: base + ta[i0].off, End: base + ta[i1].off, Old: a[ta[i0].off:ta[i1].off], New: b[tb[j0].off:tb[j1].off]}
		reps = append(reps, r)
	}
	if p == na-q && p == nb-q {
		return reps
	}
	ops, ok := editScript(ta[p:na-q], tb[p:nb-q])
	if !ok {
		add(p, na-q, p, nb-q)
		return reps
	}
	// ops: for each step, 0 equal, 1 delete from a, 2 insert from b.
	i, j := p, p
	for k := 0; k < len(ops); {
		if ops[k] == 0 {
			i++
			j++
			k++
			continue
		}
		i0, j0 := i, j
		for k < len(ops) && ops[k] != 0 {
			if ops[k] == 1 {
				i++
			} else {
				j++
			}
			k++
		}
		add(i0, i, j0, j)
	}
	return reps
}

// editScript returns a shortest edit script turning a into b (Myers'
// greedy algorithm with the trace kept for the walk back), or ok false
// when it needs more than maxScript deletions and insertions.
func editScript(a, b []token) (ops []byte, ok bool) {
	n, m := len(a), len(b)
	maxD := min(n+m, maxScript)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	for d := 0; d <= maxD; d++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				x = v[off+k+1] // down: insertion
			} else {
				x = v[off+k-1] + 1 // right: deletion
			}
			y := x - k
			for x < n && y < m && a[x].r == b[y].r {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				return walkBack(trace, d, n, m, off), true
			}
		}
	}
	return nil, false
}

// walkBack turns the trace of editScript, which reached the end of a (n
// tokens) and b (m tokens) after d steps, into the operations in order.
func walkBack(trace [][]int, d, n, m, off int) []byte {
	var rev []byte
	x, y := n, m
	for ; d > 0; d-- {
		v := trace[d] // V after step d-1
		k := x - y
		pk := k - 1 // came right: a deletion
		if k == -d || k != d && v[off+k-1] < v[off+k+1] {
			pk = k + 1 // came down: an insertion
		}
		px := v[off+pk]
		py := px - pk
		midx := px
		if pk == k-1 {
			midx = px + 1
		}
		for x > midx {
			rev = append(rev, 0)
			x--
			y--
		}
		if pk == k+1 {
			rev = append(rev, 2)
		} else {
			rev = append(rev, 1)
		}
		x, y = px, py
	}
	for x > 0 {
		rev = append(rev, 0)
		x--
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}
