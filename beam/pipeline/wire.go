package pipeline

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"winnow"
	"winnow/internal/format/jsonl"
)

// wireDoc is a document as it travels between transforms. The JSON form
// of winnow.Doc leaves out the fields that are never written (Payload,
// Pos, Side), but the stages need Payload and Pos, and the dedup
// transforms need the "minhash" side row, so they travel beside it.
type wireDoc struct {
	// Key is the document's order key (see orderKey).
	Key     string          `json:"k"`
	Doc     json.RawMessage `json:"d"`
	Payload []byte          `json:"p,omitempty"`
	File    string          `json:"f,omitempty"`
	Offset  int64           `json:"o,omitempty"`
	Record  int64           `json:"r,omitempty"`
	// MinHash is Doc.Side["minhash"] after the stages ran.
	MinHash []byte `json:"m,omitempty"`
	// Lines is Doc.Side["lines"] after the stages ran (the minhash step
	// with lines.enabled): the distinct hashes of the document's lines.
	Lines []byte `json:"l,omitempty"`
}

// orderKey is a document's place in the input order: the index of its
// input file in the sorted input list, then its index among the
// documents of that file, both zero-padded so that keys sort as the
// documents were read. The "first" survivor policy keeps the smallest
// key of a connected component, as `winnow run` keeps the smallest
// output ordinal.
func orderKey(file, doc int64) string {
	return fmt.Sprintf("%08d:%012d", file, doc)
}

func encodeDoc(key string, d *winnow.Doc) (wireDoc, error) {
	b, err := marshal(d)
	if err != nil {
		return wireDoc{}, fmt.Errorf("pipeline: encode document %s: %w", d.ID, err)
	}
	w := wireDoc{Key: key, Doc: b, Payload: d.Payload, File: d.Pos.File, Offset: d.Pos.Offset, Record: d.Pos.Record}
	if d.Side != nil {
		w.MinHash = d.Side[sideMinHash]
		w.Lines = d.Side[sideLines]
	}
	return w, nil
}

func (w wireDoc) decode() (*winnow.Doc, error) {
	d := &winnow.Doc{}
	if err := json.Unmarshal(w.Doc, d); err != nil {
		return nil, fmt.Errorf("pipeline: decode document %s: %w", w.Key, err)
	}
	d.Payload = w.Payload
	d.Pos = winnow.Position{File: w.File, Offset: w.Offset, Record: w.Record}
	return d, nil
}

func encodeBatch(b []wireDoc) ([]byte, error) {
	out, err := marshal(b)
	if err != nil {
		return nil, fmt.Errorf("pipeline: encode batch: %w", err)
	}
	return out, nil
}

func decodeBatch(p []byte) ([]wireDoc, error) {
	var b []wireDoc
	if err := json.Unmarshal(p, &b); err != nil {
		return nil, fmt.Errorf("pipeline: decode batch: %w", err)
	}
	return b, nil
}

func encodeWire(w wireDoc) ([]byte, error) {
	out, err := marshal(w)
	if err != nil {
		return nil, fmt.Errorf("pipeline: encode document %s: %w", w.Key, err)
	}
	return out, nil
}

func decodeWire(p []byte) (wireDoc, error) {
	var w wireDoc
	if err := json.Unmarshal(p, &w); err != nil {
		return wireDoc{}, fmt.Errorf("pipeline: decode document: %w", err)
	}
	return w, nil
}

// sideMinHash is dedup.SideMinHash, the side key of the minhash stage.
const sideMinHash = "minhash"

// sideLines is dedup.SideLines, the side key of the minhash stage's
// line hashes.
const sideLines = "lines"

// signature is what the dedup transforms need of a "minhash" side row.
type signature struct {
	exact [2]uint64
	bands []uint64
}

// parseMinHashRow decodes a "minhash" side row as laid out in
// internal/dedup/side.go (little-endian):
//
//	offset  size  field
//	0       1     version (1)
//	1       4     parameter fingerprint
//	5       16    exact content hash, xxh3-128: high 64 bits, low 64 bits
//	21      1     k: number of band hashes (0 when the text has no word)
//	22      8·k   band hashes
//
// Errors: a row shorter than its header, another version, or a length
// that does not match k.
func parseMinHashRow(p []byte) (signature, error) {
	const header = 22
	if len(p) < header {
		return signature{}, fmt.Errorf("pipeline: minhash side row of %d bytes, want at least %d", len(p), header)
	}
	if p[0] != 1 {
		return signature{}, fmt.Errorf("pipeline: minhash side row version %d, want 1", p[0])
	}
	k := int(p[21])
	if len(p) != header+8*k {
		return signature{}, fmt.Errorf("pipeline: minhash side row of %d bytes, want %d for %d bands", len(p), header+8*k, k)
	}
	s := signature{exact: [2]uint64{binary.LittleEndian.Uint64(p[5:]), binary.LittleEndian.Uint64(p[13:])}}
	for i := range k {
		s.bands = append(s.bands, binary.LittleEndian.Uint64(p[header+8*i:]))
	}
	return s, nil
}

// wireReject is one row of a rejects shard as it travels to the writer
// of its input file's rejects: a bad record (Bad) or a dropped document.
type wireReject struct {
	// FileIdx is the index of the input file (the unit of rejects
	// sharding); Sort orders the rows of one file: the order key of a
	// dropped document with "~" appended, or for a bad record the order
	// key of the next document with "!" and the record number, so that
	// a bad record sorts before the documents read after it.
	FileIdx int64  `json:"i"`
	Sort    string `json:"s"`
	Bad     bool   `json:"b,omitempty"`
	File    string `json:"f"`
	Offset  int64  `json:"o"`
	Record  int64  `json:"r"`
	ID      string `json:"id,omitempty"`
	// Err is a bad record's error text.
	Err string `json:"e,omitempty"`
	// A dropped document's text, URL and drop; Value is nil when the
	// drop's value is not finite (JSON has no NaN).
	Text   string   `json:"t,omitempty"`
	URL    string   `json:"u,omitempty"`
	Stage  string   `json:"st,omitempty"`
	Rule   string   `json:"ru,omitempty"`
	Detail string   `json:"de,omitempty"`
	Value  *float64 `json:"v,omitempty"`
}

// badReject is the row of a bad record or unreadable input.
func badReject(fileIdx int64, sort string, pe *winnow.ParseError) wireReject {
	r := wireReject{FileIdx: fileIdx, Sort: sort, Bad: true, File: pe.File, Offset: pe.Offset, Record: pe.Record, ID: pe.ID}
	if pe.Err != nil {
		r.Err = pe.Err.Error()
	}
	return r
}

// droppedReject is the row of a dropped document; d.Drop must be set.
func droppedReject(fileIdx int64, sort string, d *winnow.Doc) wireReject {
	r := wireReject{FileIdx: fileIdx, Sort: sort, File: d.Pos.File, Offset: d.Pos.Offset, Record: d.Pos.Record, ID: d.ID,
		Text: d.Text, URL: d.Metadata.URL, Stage: d.Drop.Stage, Rule: d.Drop.Rule, Detail: d.Drop.Detail}
	if v := d.Drop.Value; !math.IsNaN(v) && !math.IsInf(v, 0) {
		r.Value = &v
	}
	return r
}

// write writes the row with the rejects writer w.
func (r wireReject) write(w *jsonl.RejectWriter) error {
	if r.Bad {
		pe := &winnow.ParseError{File: r.File, Offset: r.Offset, Record: r.Record, ID: r.ID}
		if r.Err != "" {
			pe.Err = errors.New(r.Err)
		}
		return w.WriteParseError(pe)
	}
	d := &winnow.Doc{ID: r.ID, Text: r.Text, Pos: winnow.Position{File: r.File, Offset: r.Offset, Record: r.Record},
		Drop: &winnow.Drop{Stage: r.Stage, Rule: r.Rule, Detail: r.Detail, Value: math.NaN()}}
	d.Metadata.URL = r.URL
	if r.Value != nil {
		d.Drop.Value = *r.Value
	}
	return w.WriteDropped(d)
}

func encodeReject(r wireReject) ([]byte, error) {
	b, err := marshal(r)
	if err != nil {
		return nil, fmt.Errorf("pipeline: encode reject row %s: %w", r.ID, err)
	}
	return b, nil
}

func decodeReject(p []byte) (wireReject, error) {
	var r wireReject
	if err := json.Unmarshal(p, &r); err != nil {
		return wireReject{}, fmt.Errorf("pipeline: decode reject row: %w", err)
	}
	return r, nil
}

// marshal is json.Marshal without HTML escaping. json.Marshal writes
// "&", "<" and ">" as \u0026, \u003c and \u003e, also inside a
// json.RawMessage (a document in a wireDoc, the raw metadata fields of a
// document), and those escapes would then reach the shards verbatim:
// the documents `winnow run` writes (internal/format/jsonl) carry the
// characters themselves.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
