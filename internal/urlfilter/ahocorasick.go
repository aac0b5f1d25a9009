package urlfilter

// matcher is an Aho-Corasick automaton over the 36 symbols a normalised
// URL is made of ([a-z0-9], see normalize). With so small an alphabet
// every state holds a dense transition row, so a search is one table
// lookup per byte (Aho and Corasick 1975, with the goto and failure
// functions folded into one DFA). Own code rather than a library: the
// automaton is forty lines and needs no more than "does any pattern
// occur, and which".
type matcher struct {
	next [][36]int32 // next[state][symbol] = state
	out  []int32     // pattern index ending at state (via failure links), -1 none
	pats []string
}

func symbol(c byte) int {
	if c >= 'a' && c <= 'z' {
		return int(c - 'a')
	}
	if c >= '0' && c <= '9' {
		return 26 + int(c-'0')
	}
	return -1
}

// newMatcher builds the automaton for patterns, which must hold only
// [a-z0-9]; other patterns and empty ones are ignored.
func newMatcher(patterns []string) *matcher {
	m := &matcher{next: make([][36]int32, 1, 64), out: []int32{-1}}
	for _, p := range patterns {
		ok := p != ""
		for i := 0; i < len(p) && ok; i++ {
			ok = symbol(p[i]) >= 0
		}
		if !ok {
			continue
		}
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := symbol(p[i])
			if m.next[s][c] == 0 {
				m.next = append(m.next, [36]int32{})
				m.out = append(m.out, -1)
				m.next[s][c] = int32(len(m.next) - 1)
			}
			s = m.next[s][c]
		}
		if m.out[s] < 0 {
			m.out[s] = int32(len(m.pats))
		}
		m.pats = append(m.pats, p)
	}
	// Breadth-first: failure links, then missing transitions borrowed
	// from the failure state, and outputs inherited along failure links.
	fail := make([]int32, len(m.next))
	queue := make([]int32, 0, len(m.next))
	for c := 0; c < 36; c++ {
		if t := m.next[0][c]; t != 0 {
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if m.out[s] < 0 {
			m.out[s] = m.out[fail[s]]
		}
		for c := 0; c < 36; c++ {
			t := m.next[s][c]
			if t == 0 {
				m.next[s][c] = m.next[fail[s]][c]
				continue
			}
			fail[t] = m.next[fail[s]][c]
			queue = append(queue, t)
		}
	}
	return m
}

// find returns the first pattern (by end position) that occurs in text,
// which must be normalised, and whether there is one.
func (m *matcher) find(text string) (string, bool) {
	if len(m.pats) == 0 {
		return "", false
	}
	s := int32(0)
	for i := 0; i < len(text); i++ {
		c := symbol(text[i])
		if c < 0 {
			s = 0
			continue
		}
		s = m.next[s][c]
		if o := m.out[s]; o >= 0 {
			return m.pats[o], true
		}
	}
	return "", false
}
