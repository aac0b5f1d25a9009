package dedup

import (
	"context"
	"encoding/binary"
	"strings"

	"github.com/zeebo/xxh3"

	"winnow"
)

// StageName is the name of the signing stage in a pipeline config.
const StageName = "minhash"

// Stage signs documents for the dedup phase: for each document it sets
// Side["minhash"] (exact hash and LSH band hashes, layout in side.go) and,
// when Lines.Enabled, Side["lines"] (hashes of the normalised lines). It
// never drops or edits a document. Put it last in the pipeline so that
// only surviving documents, with their final text, are signed.
//
// A Stage keeps reusable buffers and is not safe for concurrent use; the
// executor builds one per worker. The side rows depend only on the
// document's text, so any batching or worker count gives the same bytes.
type Stage struct {
	cfg     Config
	fp, lfp uint32
	h       *Hasher
	bands   []uint64
	buf     []byte
	lineSet map[uint64]struct{}
}

// New builds the stage from a validated config.
func New(cfg Config) (winnow.Stage, error) {
	return newStage(cfg)
}

func newStage(cfg Config) (*Stage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h, err := NewHasher(cfg.MinHash)
	if err != nil {
		return nil, err
	}
	return &Stage{cfg: cfg, fp: paramsFingerprint(cfg), lfp: linesFingerprint(cfg), h: h,
		lineSet: map[uint64]struct{}{}}, nil
}

// Name returns "minhash".
func (s *Stage) Name() string { return StageName }

// Close releases nothing and returns nil.
func (s *Stage) Close() error { return nil }

// Process signs every document of the batch and returns it unchanged
// otherwise.
func (s *Stage) Process(ctx context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	for _, d := range docs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if d.Side == nil {
			d.Side = make(map[string][]byte, 2)
		}
		d.Side[SideMinHash] = s.sign(nil, d.Text)
		if s.cfg.Lines.Enabled {
			d.Side[SideLines] = s.lineRow(nil, d.Text)
		}
	}
	return docs, nil
}

// sign appends the "minhash" side row of text to dst.
func (s *Stage) sign(dst []byte, text string) []byte {
	s.buf = appendExactNorm(s.buf[:0], text, s.cfg.ExactNorm)
	exact := xxh3.Hash128(s.buf)
	s.bands = s.bands[:0]
	if s.cfg.Near {
		if n, sig := s.h.Signature(text); n > 0 {
			s.bands = s.h.BandHashes(s.bands, sig)
		}
	}
	return appendSideRow(dst, s.fp, exact, s.bands)
}

// lineRow appends the "lines" side row of text to dst: the distinct
// hashes of its lines (split on "\n") whose normalised form has at least
// Lines.MinLength bytes.
func (s *Stage) lineRow(dst []byte, text string) []byte {
	dst = append(dst, sideVersion)
	dst = binary.LittleEndian.AppendUint32(dst, s.lfp)
	clear(s.lineSet)
	for line := range strings.SplitSeq(text, "\n") {
		h, ok := lineHash(&s.buf, line, s.cfg.Lines.MinLength)
		if !ok {
			continue
		}
		if _, seen := s.lineSet[h]; seen {
			continue
		}
		s.lineSet[h] = struct{}{}
		dst = binary.LittleEndian.AppendUint64(dst, h)
	}
	return dst
}

// lineHash returns the xxh3-64 of the normalised line and whether the
// line is long enough to take part. cc_net uses the first 8 bytes of
// SHA-1; any 64-bit hash serves, and xxh3 is much faster.
func lineHash(buf *[]byte, line string, minLen int) (uint64, bool) {
	*buf = appendLineNorm((*buf)[:0], line)
	if len(*buf) < max(minLen, 1) {
		return 0, false
	}
	return xxh3.Hash(*buf), true
}
