package dedup

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"unicode/utf8"

	"github.com/zeebo/xxh3"
)

// mersenne61 is the prime 2^61−1 of the permutation family
// (a·h+b) mod (2^61−1) (datatrove dedup/minhash.py `_mersenne_prime`).
const mersenne61 = 1<<61 - 1

// Hasher computes MinHash signatures and LSH band hashes for one
// MinHashConfig. It keeps reusable buffers, so one Hasher must not be used
// by two goroutines at once; the stage builds one per worker.
type Hasher struct {
	cfg  MinHashConfig
	a, b []uint64 // one (a, b) per permutation, Bands*Rows of each

	text   []byte   // simplified text
	shing  []byte   // the current shingle, words joined by " "
	ring   []span   // the last NGram words
	sig    []uint64 // the signature being computed
	rowBuf []byte
}

type span struct{ start, end int32 }

// NewHasher builds a Hasher; the permutations are drawn from math/rand/v2
// PCG seeded with (cfg.Seed, 0): a ∈ [1, 2^61−1), b ∈ [0, 2^61−1).
func NewHasher(cfg MinHashConfig) (*Hasher, error) {
	if cfg.NGram < 1 || cfg.Bands < 1 || cfg.Rows < 1 || cfg.Bands > 255 || cfg.Rows > 64 || cfg.NGram > 64 {
		return nil, fmt.Errorf("dedup: bad minhash parameters %+v", cfg)
	}
	n := cfg.Bands * cfg.Rows
	h := &Hasher{cfg: cfg, a: make([]uint64, n), b: make([]uint64, n),
		ring: make([]span, cfg.NGram), sig: make([]uint64, n), rowBuf: make([]byte, 8*cfg.Rows)}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0))
	for i := range n {
		h.a[i] = 1 + rng.Uint64N(mersenne61-1)
		h.b[i] = rng.Uint64N(mersenne61)
	}
	return h, nil
}

// permute returns (a·x+b) mod (2^61−1) computed exactly for
// a, b < 2^61−1 and any 64-bit x: x is first reduced modulo the prime,
// then a·x < 2^122 and, since 2^61 ≡ 1, hi·2^64 + lo ≡ hi·8 + lo>>61 +
// lo&(2^61−1).
func permute(a, x, b uint64) uint64 {
	x = (x & mersenne61) + x>>61 // < 2^61 + 8, congruent to x
	hi, lo := bits.Mul64(a, x)
	s := (lo & mersenne61) + lo>>61 + hi<<3 + b // < 2^63
	s = (s & mersenne61) + s>>61
	if s >= mersenne61 {
		s -= mersenne61
	}
	return s
}

// Signature computes the MinHash signature of text: Bands*Rows values,
// each the minimum over the document's shingles of one permutation of the
// 64-bit xxh3 shingle hash. It returns the number of shingles hashed (0
// when the text has no word, in which case the signature is meaningless)
// and a slice owned by h, valid until the next call.
//
// The shingles are iterated once and the minimums updated in place: the
// memory used is O(NGram + Bands*Rows) beyond the simplified text, never
// a permutations × shingles matrix.
func (h *Hasher) Signature(text string) (int, []uint64) {
	h.text = appendSimplified(h.text[:0], text)
	for i := range h.sig {
		h.sig[i] = math.MaxUint64
	}
	n := h.cfg.NGram
	words, shingles := 0, 0
	t := h.text
	for i := 0; ; {
		var start int
		start, i = nextWord(t, i)
		if start < 0 {
			break
		}
		h.ring[words%n] = span{int32(start), int32(i)}
		words++
		if words >= n {
			h.addShingle(words-n, n)
			shingles++
		}
	}
	if words > 0 && words < n {
		h.addShingle(0, words)
		shingles++
	}
	return shingles, h.sig
}

// addShingle hashes the count words starting at word index first (their
// spans are in the ring) joined by single spaces, and updates the
// signature.
func (h *Hasher) addShingle(first, count int) {
	n := h.cfg.NGram
	h.shing = h.shing[:0]
	for k := range count {
		s := h.ring[(first+k)%n]
		if k > 0 {
			h.shing = append(h.shing, ' ')
		}
		h.shing = append(h.shing, h.text[s.start:s.end]...)
	}
	x := xxh3.Hash(h.shing)
	x = (x & mersenne61) + x>>61
	a, b, sig := h.a, h.b[:len(h.a)], h.sig[:len(h.a)]
	for i, ai := range a {
		// permute(ai, x, b[i]) inlined, x already reduced
		hi, lo := bits.Mul64(ai, x)
		s := (lo & mersenne61) + lo>>61 + hi<<3 + b[i]
		s = (s & mersenne61) + s>>61
		if s >= mersenne61 {
			s -= mersenne61
		}
		if s < sig[i] {
			sig[i] = s
		}
	}
}

// Shingles returns the distinct 64-bit shingle hashes of text, sorted, as
// used for exact Jaccard verification. It appends to dst.
func (h *Hasher) Shingles(dst []uint64, text string) []uint64 {
	h.text = appendSimplified(h.text[:0], text)
	start := len(dst)
	n := h.cfg.NGram
	words := 0
	t := h.text
	hashAt := func(first, count int) uint64 {
		h.shing = h.shing[:0]
		for k := range count {
			s := h.ring[(first+k)%n]
			if k > 0 {
				h.shing = append(h.shing, ' ')
			}
			h.shing = append(h.shing, t[s.start:s.end]...)
		}
		return xxh3.Hash(h.shing)
	}
	for i := 0; ; {
		var st int
		st, i = nextWord(t, i)
		if st < 0 {
			break
		}
		h.ring[words%n] = span{int32(st), int32(i)}
		words++
		if words >= n {
			dst = append(dst, hashAt(words-n, n))
		}
	}
	if words > 0 && words < n {
		dst = append(dst, hashAt(0, words))
	}
	return sortUnique(dst, start)
}

func sortUnique(s []uint64, start int) []uint64 {
	part := s[start:]
	slicesSort(part)
	w := 0
	for i, v := range part {
		if i == 0 || v != part[w-1] {
			part[w] = v
			w++
		}
	}
	return s[:start+w]
}

// Jaccard returns |A∩B| / |A∪B| of two sorted sets without duplicates
// (1 when both are empty).
func Jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// BandHashes appends the Bands band hashes of sig to dst: band j is the
// xxh3-64 of its Rows values, little-endian.
func (h *Hasher) BandHashes(dst []uint64, sig []uint64) []uint64 {
	r := h.cfg.Rows
	for j := range h.cfg.Bands {
		for k, v := range sig[j*r : (j+1)*r] {
			binary.LittleEndian.PutUint64(h.rowBuf[8*k:], v)
		}
		dst = append(dst, xxh3.Hash(h.rowBuf))
	}
	return dst
}

// nextWord finds the word at or after byte i of the simplified text t: a
// run of bytes other than ' ', or a single character of a script written
// without spaces. It returns its start (-1 at the end) and its end.
func nextWord(t []byte, i int) (int, int) {
	for i < len(t) && t[i] == ' ' {
		i++
	}
	if i == len(t) {
		return -1, i
	}
	start := i
	for i < len(t) && t[i] != ' ' {
		if t[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(t[i:])
		if unspaced(r) {
			if i == start {
				i += size
			}
			break
		}
		i += size
	}
	return start, i
}
