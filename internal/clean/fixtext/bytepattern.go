package fixtext

import "strconv"

// bytePattern matches the byte-level expressions ftfy applies to encoded
// text (ALTERED_UTF8_RE, LOSSY_UTF8_RE): alternatives of fixed-length
// sequences of byte classes. It replaces Go's regexp there, which matches
// runes and so needed every byte turned into a rune and back; that
// conversion and the backtracking matcher were three quarters of the time
// of repairing a mojibake line (BenchmarkFix). bytepattern_ref_test.go
// checks it against the expressions.
//
// The syntax is the subset of regular expressions the patterns use: '|'
// between alternatives; a literal byte, \xNN, or a class [...] of literal
// bytes, \xNN and ranges a-b. Matching is leftmost-first, as for the
// expression: at the first position where an alternative matches, the
// first alternative in order wins.
type bytePattern struct {
	alts  [][]*byteClass
	first byteClass // bytes that start some alternative
}

type byteClass [256]bool

// parseBytePattern parses p; it panics on syntax outside the subset, which
// is a mistake in a constant pattern.
func parseBytePattern(p string) bytePattern {
	var out [][]*byteClass
	var alt []*byteClass
	// atom reads one byte at i: \xNN or a literal.
	atom := func(i int) (byte, int) {
		if p[i] == '\\' {
			if i+3 >= len(p) || p[i+1] != 'x' {
				panic("fixtext: bad escape in byte pattern " + strconv.Quote(p))
			}
			v, err := strconv.ParseUint(p[i+2:i+4], 16, 8)
			if err != nil {
				panic("fixtext: bad escape in byte pattern " + strconv.Quote(p))
			}
			return byte(v), i + 4
		}
		return p[i], i + 1
	}
	for i := 0; i < len(p); {
		c := new(byteClass)
		switch p[i] {
		case '|':
			out = append(out, alt)
			alt = nil
			i++
			continue
		case '[':
			i++
			for p[i] != ']' {
				var lo byte
				lo, i = atom(i)
				hi := lo
				if p[i] == '-' {
					hi, i = atom(i + 1)
				}
				for b := int(lo); b <= int(hi); b++ {
					c[b] = true
				}
			}
			i++
		default:
			var b byte
			b, i = atom(i)
			c[b] = true
		}
		alt = append(alt, c)
	}
	out = append(out, alt)
	p2 := bytePattern{alts: out}
	for _, a := range out {
		for b, ok := range a[0] {
			p2.first[b] = p2.first[b] || ok
		}
	}
	return p2
}

// matchAt returns the length of the match starting at b[i], or 0.
func (p *bytePattern) matchAt(b []byte, i int) int {
	if !p.first[b[i]] {
		return 0
	}
	for _, alt := range p.alts {
		if i+len(alt) > len(b) {
			continue
		}
		ok := true
		for k, c := range alt {
			if !c[b[i+k]] {
				ok = false
				break
			}
		}
		if ok {
			return len(alt)
		}
	}
	return 0
}

// match reports whether p matches anywhere in b.
func (p *bytePattern) match(b []byte) bool {
	for i := range b {
		if p.matchAt(b, i) > 0 {
			return true
		}
	}
	return false
}

// replaceAll replaces each match, leftmost first and not overlapping, with
// f of it. It returns b itself when nothing matches.
func (p *bytePattern) replaceAll(b []byte, f func(m []byte) []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		n := p.matchAt(b, i)
		if n == 0 {
			i++
			continue
		}
		out = append(out, b[last:i]...)
		out = append(out, f(b[i:i+n])...)
		i += n
		last = i
	}
	if out == nil && last == 0 {
		return b
	}
	return append(out, b[last:]...)
}
