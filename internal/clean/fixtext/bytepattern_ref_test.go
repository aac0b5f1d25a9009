package fixtext

// The byte-level expressions as regular expressions over a Latin-1 view of
// the bytes, as they were matched before bytePattern, kept as the
// reference bytePattern is checked against (TestBytePatternsMatchExpressions).

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

var (
	refAlteredUTF8RE = latin1Regexp(alteredUTF8Pattern)
	refLossyUTF8RE   = latin1Regexp(lossyUTF8Pattern)
)

// Go's regexp matches runes of UTF-8 text, so the byte patterns here are
// applied to a Latin-1 view of the bytes (one rune per byte).

// byteRegexp matches a byte pattern against byte slices by mapping every
// byte to the rune of the same value.
type byteRegexp struct{ re *regexp.Regexp }

func latin1Regexp(pattern string) *byteRegexp {
	return &byteRegexp{re: regexp.MustCompile(pattern)}
}

func toRunes(b []byte) (string, []int) {
	var sb strings.Builder
	offs := make([]int, 0, len(b)+1)
	for _, c := range b {
		offs = append(offs, sb.Len())
		sb.WriteRune(rune(c))
	}
	offs = append(offs, sb.Len())
	return sb.String(), offs
}

func fromRunes(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = append(out, byte(r))
	}
	return out
}

func (r *byteRegexp) Match(b []byte) bool {
	s, _ := toRunes(b)
	return r.re.MatchString(s)
}

func (r *byteRegexp) ReplaceAllFunc(b []byte, f func([]byte) []byte) []byte {
	s, _ := toRunes(b)
	out := r.re.ReplaceAllStringFunc(s, func(m string) string {
		rep := f(fromRunes(m))
		var sb strings.Builder
		for _, c := range rep {
			sb.WriteRune(rune(c))
		}
		return sb.String()
	})
	return fromRunes(out)
}

func (r *byteRegexp) ReplaceAll(b []byte, rep []byte) []byte {
	return r.ReplaceAllFunc(b, func([]byte) []byte { return rep })
}

func (r *byteRegexp) String() string { return r.re.String() }

// checkBytePatterns fails when a bytePattern and its expression disagree
// on b, for a match anywhere and for replacing every match.
func checkBytePatterns(t *testing.T, b []byte) bool {
	t.Helper()
	ok := true
	mark := func(m []byte) []byte { return append([]byte{'<'}, append(append([]byte(nil), m...), '>')...) }
	for _, p := range []struct {
		name string
		pat  *bytePattern
		re   *byteRegexp
	}{{"altered", &alteredUTF8, refAlteredUTF8RE}, {"lossy", &lossyUTF8, refLossyUTF8RE}} {
		if got, want := p.pat.match(b), p.re.Match(b); got != want {
			t.Errorf("%s: match(%q) = %v, expression says %v", p.name, b, got, want)
			ok = false
		}
		if got, want := p.pat.replaceAll(b, mark), p.re.ReplaceAllFunc(b, mark); !bytes.Equal(got, want) {
			t.Errorf("%s: replaceAll(%q) = %q, expression gives %q", p.name, b, got, want)
			ok = false
		}
	}
	return ok
}

// TestBytePatternsMatchExpressions compares on random strings over the
// bytes the patterns name, and on the dolma sample's text encoded with
// each candidate code page.
func TestBytePatternsMatchExpressions(t *testing.T) {
	alphabet := []byte{' ', '?', 'a', 0x1a, 0x80, 0x84, 0x85, 0x86, 0x9f, 0xa0, 0xa1, 0xaf, 0xb0, 0xbf,
		0xc0, 0xc2, 0xc3, 0xc4, 0xc5, 0xce, 0xd0, 0xd9, 0xdf, 0xe0, 0xe2, 0xe3, 0xe4, 0xed, 0xef, 0xf0, 0xf4, 0xf5}
	rng := rand.New(rand.NewPCG(3, 4))
	failed, hits := 0, 0
	for range 50000 {
		b := make([]byte, 1+rng.IntN(10))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if !checkBytePatterns(t, b) {
			if failed++; failed > 20 {
				t.Fatal("too many differences")
			}
		}
		if alteredUTF8.match(b) || lossyUTF8.match(b) {
			hits++
		}
	}
	var buf []byte
	for _, d := range loadDolma(t)[:100] {
		for line := range strings.SplitSeq(d, "\n") {
			for _, c := range candidates {
				var ok bool
				if buf, ok = c.encodeString(line, buf); ok {
					checkBytePatterns(t, buf)
				}
			}
		}
	}
	if hits < 5000 {
		t.Errorf("only %d of 50000 random strings match: the comparison is weak", hits)
	}
}

func FuzzBytePatterns(f *testing.F) {
	for _, s := range []string{"\xc3 ", "\xe2 \x80", "\xf0\x9f \x80", "\xed\xa0\x1a\xed\xb0?", "\xc2?", "\x1a"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkBytePatterns(t, b)
	})
}
