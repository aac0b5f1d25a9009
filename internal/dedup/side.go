package dedup

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/zeebo/xxh3"
)

// Side keys written by the stage.
const (
	SideMinHash = "minhash"
	SideLines   = "lines"
)

// sideVersion is the first byte of every side row this package writes.
const sideVersion = 1

// A "minhash" side row (one per document, little-endian):
//
//	offset  size      field
//	0       1         version (1)
//	1       4         parameter fingerprint (paramsFingerprint)
//	5       16        exact content hash, xxh3-128: high 64 bits, low 64 bits
//	21      1         k: number of band hashes (0 when the text has no word)
//	22      8·k       band hashes, xxh3-64 of each band's rows
//
// 134 bytes at the default 14 bands. The full signature is not stored:
// LSH needs only the band hashes, and Jaccard verification re-reads the
// text from the output shards.
type sideRow struct {
	fp     uint32
	exact  [2]uint64
	bands  []uint64
	hasSig bool
}

const sideHeader = 22

func appendSideRow(dst []byte, fp uint32, exact xxh3.Uint128, bands []uint64) []byte {
	dst = append(dst, sideVersion)
	dst = binary.LittleEndian.AppendUint32(dst, fp)
	dst = binary.LittleEndian.AppendUint64(dst, exact.Hi)
	dst = binary.LittleEndian.AppendUint64(dst, exact.Lo)
	dst = append(dst, byte(len(bands)))
	for _, b := range bands {
		dst = binary.LittleEndian.AppendUint64(dst, b)
	}
	return dst
}

// parseSideRow decodes a "minhash" side row; bands aliases a slice reused
// by the caller (appended to bandsBuf[:0]).
func parseSideRow(p []byte, bandsBuf []uint64) (sideRow, error) {
	if len(p) < sideHeader {
		return sideRow{}, fmt.Errorf("dedup: minhash side row of %d bytes, want at least %d", len(p), sideHeader)
	}
	if p[0] != sideVersion {
		return sideRow{}, fmt.Errorf("dedup: minhash side row version %d, want %d", p[0], sideVersion)
	}
	k := int(p[21])
	if len(p) != sideHeader+8*k {
		return sideRow{}, fmt.Errorf("dedup: minhash side row of %d bytes, want %d for %d bands", len(p), sideHeader+8*k, k)
	}
	r := sideRow{
		fp:    binary.LittleEndian.Uint32(p[1:]),
		exact: [2]uint64{binary.LittleEndian.Uint64(p[5:]), binary.LittleEndian.Uint64(p[13:])},
	}
	bands := bandsBuf[:0]
	for i := range k {
		bands = append(bands, binary.LittleEndian.Uint64(p[sideHeader+8*i:]))
	}
	r.bands = bands
	r.hasSig = k > 0
	return r, nil
}

// A "lines" side row: version (1), the 4-byte line-parameter fingerprint,
// then the distinct xxh3-64 hashes of the document's eligible normalised
// lines, 8 bytes each, in order of first appearance.
func parseLinesRow(p []byte, dst []uint64) ([]uint64, uint32, error) {
	if len(p) < 5 || p[0] != sideVersion || (len(p)-5)%8 != 0 {
		return nil, 0, fmt.Errorf("dedup: malformed lines side row of %d bytes", len(p))
	}
	fp := binary.LittleEndian.Uint32(p[1:])
	for i := 5; i < len(p); i += 8 {
		dst = append(dst, binary.LittleEndian.Uint64(p[i:]))
	}
	return dst, fp, nil
}

// paramsFingerprint identifies the parameters that a "minhash" side row
// depends on, so that the phase refuses rows signed differently.
func paramsFingerprint(c Config) uint32 {
	m := c.MinHash
	s := strings.Join([]string{"minhash/v1", strconv.Itoa(m.NGram), strconv.Itoa(m.Bands),
		strconv.Itoa(m.Rows), strconv.FormatUint(m.Seed, 10), c.ExactNorm}, ",")
	return uint32(xxh3.HashString(s))
}

func linesFingerprint(c Config) uint32 {
	return uint32(xxh3.HashString("lines/v1," + strconv.Itoa(c.Lines.MinLength)))
}

// appendExactNorm appends the text normalised for the exact hash.
func appendExactNorm(dst []byte, text, mode string) []byte {
	switch mode {
	case "none":
		return append(dst, text...)
	case "simplify":
		return appendSimplified(dst, text)
	}
	// whitespace: trim, collapse runs of Unicode white space to one space
	start := len(dst)
	pending := false
	for i := 0; i < len(text); {
		c := text[i]
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if unicode.IsSpace(r) {
			pending = true
		} else {
			if pending && len(dst) > start {
				dst = append(dst, ' ')
			}
			pending = false
			dst = append(dst, text[i:i+size]...)
		}
		i += size
	}
	return dst
}

// ccnetPunct is cc_net's UNICODE_PUNCT key set (facebookresearch/cc_net
// cc_net/text_normalizer.py): the characters removed by
// normalize_for_dedup besides the non-printing ones.
const ccnetPunct = "，。、„”“«»１」「《》´∶：？！（）；–—．～’…━〈〉【】％►"

// appendLineNorm appends cc_net's normalize_for_dedup(line) (dedup.py):
// strip, lowercase, every Unicode digit to "0", remove ccnetPunct and the
// non-printing characters U+0000–U+001F and U+007F–U+009F.
func appendLineNorm(dst []byte, line string) []byte {
	line = strings.TrimFunc(line, unicode.IsSpace)
	for _, r := range line {
		switch {
		case r < 32 || (r >= 127 && r < 160):
		case r < utf8.RuneSelf:
			if r >= '0' && r <= '9' {
				r = '0'
			} else if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			dst = append(dst, byte(r))
		case strings.ContainsRune(ccnetPunct, r):
		case unicode.IsDigit(r):
			dst = append(dst, '0')
		default:
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
	}
	return dst
}
