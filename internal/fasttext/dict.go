package fasttext

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

type entry struct {
	word  string
	count int64
	label bool
}

// dictionary is fastText's Dictionary as loaded for prediction.
type dictionary struct {
	words    []entry
	nwords   int32
	nlabels  int32
	word2int []int32 // open addressing by hash, -1 = empty

	minn, maxn, bucket, wordNgrams int32

	pruneSize int64 // -1: not pruned
	pruneIdx  map[int32]int32
}

func (d *dictionary) load(p *parser, a *args) error {
	size := p.i32()
	d.nwords = p.i32()
	d.nlabels = p.i32()
	_ = p.i64() // ntokens
	d.pruneSize = p.i64()
	if p.err != nil {
		return p.err
	}
	if size < 0 || d.nwords < 0 || d.nlabels < 0 || int64(d.nwords)+int64(d.nlabels) != int64(size) {
		return fmt.Errorf("bad dictionary sizes: %d entries, %d words, %d labels", size, d.nwords, d.nlabels)
	}
	// Each entry takes at least 10 bytes (NUL, count, type).
	if !p.need(int64(size), 10) {
		return p.err
	}
	d.words = make([]entry, size)
	for i := range d.words {
		e := &d.words[i]
		e.word = p.cstring()
		e.count = p.i64()
		e.label = p.u8() == 1
		if p.err != nil {
			return p.err
		}
		if e.label != (int32(i) >= d.nwords) {
			return fmt.Errorf("dictionary entry %d (%q) is out of order", i, e.word)
		}
	}
	if d.pruneSize > 0 {
		if !p.need(d.pruneSize, 8) {
			return p.err
		}
		d.pruneIdx = make(map[int32]int32, d.pruneSize)
		for range d.pruneSize {
			k, v := p.i32(), p.i32()
			if v < 0 {
				return errors.New("negative pruned n-gram index")
			}
			d.pruneIdx[k] = v
		}
		if p.err != nil {
			return p.err
		}
	}
	d.minn, d.maxn, d.bucket, d.wordNgrams = a.minn, a.maxn, a.bucket, a.wordNgrams
	n := int(math.Ceil(float64(size) / 0.7))
	d.word2int = make([]int32, max(n, 1))
	for i := range d.word2int {
		d.word2int[i] = -1
	}
	for i, e := range d.words {
		d.word2int[d.find(e.word, hash(e.word))] = int32(i)
	}
	return nil
}

// hash is fastText's FNV-1a variant (Dictionary::hash): each byte is
// sign-extended before the XOR, as char is signed where the released
// models were trained.
func hash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(int8(s[i]))
		h *= 16777619
	}
	return h
}

// find returns the slot of w in word2int (Dictionary::find).
func (d *dictionary) find(w string, h uint32) int {
	n := uint32(len(d.word2int))
	id := h % n
	for d.word2int[id] != -1 && d.words[d.word2int[id]].word != w {
		id = (id + 1) % n
	}
	return int(id)
}

func (d *dictionary) id(w string, h uint32) int32 { return d.word2int[d.find(w, h)] }

func (d *dictionary) labelCounts() []int64 {
	out := make([]int64, 0, d.nlabels)
	for _, e := range d.words[d.nwords:] {
		out = append(out, e.count)
	}
	return out
}

// pushHash appends the input row of bucket id (Dictionary::pushHash).
func (d *dictionary) pushHash(line []int32, id int32) []int32 {
	if d.pruneSize == 0 || id < 0 {
		return line
	}
	if d.pruneSize > 0 {
		v, ok := d.pruneIdx[id]
		if !ok {
			return line
		}
		id = v
	}
	return append(line, d.nwords+id)
}

// subwords appends the character n-grams of "<" + w + ">" whose length in
// code points lies in [minn, maxn], except the lone "<" and ">"
// (Dictionary::computeSubwords).
func (d *dictionary) subwords(line []int32, w string) []int32 {
	if d.maxn <= 0 || d.bucket <= 0 {
		return line
	}
	// Hashing "<w>" from a stack buffer instead of through an accessor
	// for the virtual boundary bytes took BenchmarkPredict1KB from about
	// 89 to 50 µs of CPU.
	var buf [64]byte
	word := append(append(append(buf[:0], '<'), w...), '>')
	n := len(word)
	for i := 0; i < n; i++ {
		if word[i]&0xC0 == 0x80 {
			continue
		}
		h := uint32(2166136261)
		j := i
		for k := int32(1); j < n && k <= d.maxn; k++ {
			h = (h ^ uint32(int8(word[j]))) * 16777619
			j++
			for j < n && word[j]&0xC0 == 0x80 {
				h = (h ^ uint32(int8(word[j]))) * 16777619
				j++
			}
			if k >= d.minn && !(k == 1 && (i == 0 || j == n)) {
				line = d.pushHash(line, int32(h%uint32(d.bucket)))
			}
		}
	}
	return line
}

// wordNgramsTo appends the hashed word n-grams of the token hashes
// (Dictionary::addWordNgrams). The hashes are stored as int32 and widened
// to uint64 with sign extension, as the reference does.
func (d *dictionary) wordNgramsTo(line []int32, hashes []int32) []int32 {
	if d.bucket <= 0 {
		return line
	}
	n := int(d.wordNgrams)
	for i := range hashes {
		h := uint64(int64(hashes[i]))
		for j := i + 1; j < len(hashes) && j < i+n; j++ {
			h = h*116049371 + uint64(int64(hashes[j]))
			line = d.pushHash(line, int32(h%uint64(d.bucket)))
		}
	}
	return line
}

// isSpace reports the bytes that end a token (Dictionary::readWord).
func isSpace(c byte) bool {
	switch c {
	case ' ', '\n', '\r', '\t', '\v', '\f', 0:
		return true
	}
	return false
}

// line turns one line of text into input rows (Dictionary::getLine):
// tokens are split on the bytes " \n\r\t\v\f\0"; a newline, or the end of
// text, adds the end-of-sentence token "</s>" and ends the line. In-vocab
// words add their own row and their character n-grams, out-of-vocab words
// only their n-grams; tokens starting with "__label__" are skipped; word
// n-grams come last.
func (d *dictionary) line(text string, words []int32, hashes []int32) ([]int32, []int32) {
	i := 0
	for {
		for i < len(text) && isSpace(text[i]) && text[i] != '\n' {
			i++
		}
		var tok string
		if i >= len(text) || text[i] == '\n' {
			tok = eos
		} else {
			j := i
			for j < len(text) && !isSpace(text[j]) {
				j++
			}
			tok, i = text[i:j], j
		}
		h := hash(tok)
		wid := d.id(tok, h)
		isLabel := wid >= 0 && d.words[wid].label || wid < 0 && strings.HasPrefix(tok, labelStart)
		if !isLabel {
			switch {
			case wid < 0:
				if tok != eos {
					words = d.subwords(words, tok)
				}
			case d.maxn <= 0:
				words = append(words, wid)
			default:
				words = append(words, wid)
				if tok != eos {
					words = d.subwords(words, tok)
				}
			}
			hashes = append(hashes, int32(h))
		}
		if tok == eos {
			break
		}
	}
	return d.wordNgramsTo(words, hashes), hashes
}
