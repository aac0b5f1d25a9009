package pipeline

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"winnow"
	"winnow/internal/dedup"
	"winnow/internal/run"
)

// Repeated-line dedup (the minhash step's lines.enabled), cc_net style
// as internal/dedup's lines phase does it:
//
//	documents that survive document dedup (all of them, tag_only)
//	  ─▶ lineRefsFn: (line hash, rank) for each distinct eligible line
//	  ─▶ GroupByKey on the line hash ─▶ lineOwnersFn: the line stays in
//	     the document of smallest rank, (document, line hash) removals
//	     for the others
//	  ─▶ CoGroupByKey with the documents ─▶ removeLinesFn
//
// The line hashes are the minhash stage's own: the "lines" side row it
// writes for each document (normalised lines of at least
// lines.min_length bytes, each distinct hash once); the lines are removed
// by internal/dedup's RemoveLines, which hashes them the same way.

func init() {
	register.DoFn3x1[string, []byte, func(string, string), error](&lineRefsFn{})
	register.Function3x0[string, func(*string) bool, func(string, string)](lineOwnersFn)
	register.DoFn7x1[context.Context, string, func(*[]byte) bool, func(*string) bool, func(string, []byte), func([]byte), func(string, int64), error](&removeLinesFn{})
}

// parseLinesRow decodes a "lines" side row as laid out in
// internal/dedup/side.go: version (1), a 4-byte parameter fingerprint,
// then the distinct xxh3-64 hashes of the document's eligible normalised
// lines, 8 bytes each little-endian, in order of first appearance.
// Errors: another version or a length that is not 5 + 8·k.
func parseLinesRow(p []byte) ([]uint64, error) {
	if len(p) < 5 || p[0] != 1 || (len(p)-5)%8 != 0 {
		return nil, fmt.Errorf("pipeline: malformed lines side row of %d bytes", len(p))
	}
	out := make([]uint64, 0, (len(p)-5)/8)
	for i := 5; i < len(p); i += 8 {
		out = append(out, binary.LittleEndian.Uint64(p[i:]))
	}
	return out, nil
}

// orderedBits maps a float64 to a uint64 with the same order (−Inf
// first), as internal/dedup ranks line owners.
func orderedBits(f float64) uint64 {
	b := math.Float64bits(f)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// lineRank is the rank of a document as the owner of its lines: the
// smallest rank keeps a line. For "first" it is the order key; otherwise
// the survivor policy key (oldest `created` first, highest attribute
// first) as 16 hex digits of an order-preserving integer, then the order
// key for ties: internal/dedup's (policy rank, ordinal) order.
func lineRank(key string, d *winnow.Doc, policy, attr string) (string, error) {
	if policy == policyFirst {
		return key, nil
	}
	v, err := strconv.ParseFloat(policyKey(d, policy, attr), 64)
	if err != nil {
		return "", fmt.Errorf("pipeline: survivor key of %s: %w", key, err)
	}
	if policy == policyAttribute {
		v = -v
	}
	return fmt.Sprintf("%016x", orderedBits(v)) + key, nil
}

// lineRefsFn emits, for a document, one (line hash as 16 hex digits,
// "rank\torder key") pair per distinct hash of its "lines" side row.
type lineRefsFn struct {
	Survivor string
}

func (f *lineRefsFn) ProcessElement(key string, doc []byte, emit func(string, string)) error {
	w, err := decodeWire(doc)
	if err != nil {
		return err
	}
	if w.Lines == nil {
		return fmt.Errorf("pipeline: document %s has no lines side row: put the minhash step last", key)
	}
	hs, err := parseLinesRow(w.Lines)
	if err != nil {
		return fmt.Errorf("%w (document %s)", err, key)
	}
	if len(hs) == 0 {
		return nil
	}
	policy, attr := parsePolicy(f.Survivor)
	var d *winnow.Doc
	if policy != policyFirst {
		if d, err = w.decode(); err != nil {
			return err
		}
	}
	rank, err := lineRank(key, d, policy, attr)
	if err != nil {
		return err
	}
	for _, h := range hs {
		emit(fmt.Sprintf("%016x", h), rank+"\t"+key)
	}
	return nil
}

// lineOwnersFn keeps a line in the document of smallest rank among those
// that have it and emits (order key, line hash) for every other one.
func lineOwnersFn(hash string, refs func(*string) bool, emit func(string, string)) {
	var all []string
	var r string
	for refs(&r) {
		all = append(all, r)
	}
	if len(all) < 2 {
		return
	}
	owner := 0
	for i, r := range all {
		if r < all[owner] {
			owner = i
		}
	}
	for i, r := range all {
		if i == owner {
			continue
		}
		_, key, _ := strings.Cut(r, "\t")
		emit(key, hash)
	}
}

// removeLinesFn joins a document with the hashes of its lines that an
// earlier document keeps (lineOwnersFn) and removes every line (split on
// "\n") with such a hash, as internal/dedup's rewrite does: in the owner
// a line repeated inside the document stays every time, elsewhere it is
// removed every time. An emptied document (only white space left) is
// dropped with dedup/repeated_lines and goes to reject as a row for
// rejects/dedup. With TagOnly the text is kept and the attribute
// dedup/repeated_lines is set to the number of lines that would go.
// Counts: lines_removed, emptied_documents, kept (of the dedup result)
// and the drop.
type removeLinesFn struct {
	Config     string
	ConfigName string
	TagOnly    bool

	minLength int
}

func (f *removeLinesFn) Setup() error {
	cfg, err := loadConfig(f.ConfigName, []byte(f.Config))
	if err != nil {
		return err
	}
	dc, ok := run.DedupConfig(cfg)
	if !ok {
		return fmt.Errorf("pipeline: config %s has no minhash step", f.ConfigName)
	}
	f.minLength = dc.Lines.MinLength
	return nil
}

func (f *removeLinesFn) ProcessElement(ctx context.Context, key string, docs func(*[]byte) bool, hashes func(*string) bool, emit func(string, []byte), reject func([]byte), count func(string, int64)) error {
	remove := map[uint64]bool{}
	var hs string
	for hashes(&hs) {
		h, err := strconv.ParseUint(hs, 16, 64)
		if err != nil {
			return fmt.Errorf("pipeline: bad line hash %q", hs)
		}
		remove[h] = true
	}
	var b []byte
	n := 0
	for docs(&b) {
		if n++; n > 1 {
			return fmt.Errorf("pipeline: two documents with order key %s", key)
		}
		if len(remove) == 0 {
			count(countKey(cDedup, dKept), 1)
			emit(key, b)
			continue
		}
		w, err := decodeWire(b)
		if err != nil {
			return err
		}
		d, err := w.decode()
		if err != nil {
			return err
		}
		text, n := dedup.RemoveLines(d.Text, remove, f.minLength)
		removed := int64(n)
		count(countKey(cDedup, dLinesRemoved), removed)
		if f.TagOnly {
			d.SetAttr(dedup.AttrRepeatedLines, removed)
		} else {
			d.Text = text
			if strings.TrimSpace(d.Text) == "" {
				count(countKey(cDedup, dEmptied), 1)
				count(countKey(cDropped, "dedup/"+dedup.RuleRepeatedLines), 1)
				file, err := fileOf(key)
				if err != nil {
					return err
				}
				d.Drop = &winnow.Drop{Stage: "dedup", Rule: dedup.RuleRepeatedLines, Detail: "every line was seen in an earlier document"}
				rb, err := encodeReject(droppedReject(file, key, d))
				if err != nil {
					return err
				}
				reject(rb)
				continue
			}
		}
		count(countKey(cDedup, dKept), 1)
		nw, err := encodeDoc(key, d)
		if err != nil {
			return err
		}
		nw.MinHash, nw.Lines = w.MinHash, w.Lines
		out, err := encodeWire(nw)
		if err != nil {
			return err
		}
		emit(key, out)
	}
	return nil
}
