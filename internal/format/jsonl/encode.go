package jsonl

import (
	"bytes"
	"encoding/json"
	"sort"

	"winnow"
)

// encoder turns documents into JSON lines. It writes UTF-8 as is: no
// \u003c-style escaping of <, > and &, which web text is full of. Map keys
// come out sorted (encoding/json sorts them), so equal documents give
// equal bytes.
type encoder struct {
	buf  bytes.Buffer
	meta bytes.Buffer
	enc  *json.Encoder
	menc *json.Encoder
}

func newEncoder() *encoder {
	e := &encoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	e.menc = json.NewEncoder(&e.meta)
	e.menc.SetEscapeHTML(false)
	return e
}

// docJSON is dolma's document schema in its field order.
type docJSON struct {
	ID         string          `json:"id"`
	Text       string          `json:"text"`
	Source     string          `json:"source"`
	Added      string          `json:"added,omitempty"`
	Created    string          `json:"created,omitempty"`
	Version    string          `json:"version,omitempty"`
	Metadata   json.RawMessage `json:"metadata"`
	Attributes map[string]any  `json:"attributes,omitempty"`
}

// metaKnown is winnow.Metadata without its methods, so that its known
// fields are encoded here without HTML escaping; Extra is spliced in by
// hand.
type metaKnown winnow.Metadata

// doc returns the line for d, newline included, valid until the next
// call. Attributes are left out when inline is false.
func (e *encoder) doc(d *winnow.Doc, inline bool) ([]byte, error) {
	e.meta.Reset()
	if err := e.menc.Encode(metaKnown(d.Metadata)); err != nil {
		return nil, err
	}
	meta := bytes.TrimSuffix(e.meta.Bytes(), []byte{'\n'})
	if len(d.Metadata.Extra) > 0 {
		meta = spliceExtra(meta, d.Metadata.Extra)
	}
	v := docJSON{ID: d.ID, Text: d.Text, Source: d.Source, Added: d.Added,
		Created: d.Created, Version: d.Version, Metadata: meta}
	if inline {
		v.Attributes = d.Attributes
	}
	e.buf.Reset()
	if err := e.enc.Encode(&v); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// value returns the JSON line for any value, newline included, valid
// until the next call.
func (e *encoder) value(v any) ([]byte, error) {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// spliceExtra appends the Extra keys, sorted, to the object obj.
func spliceExtra(obj []byte, extra map[string]json.RawMessage) []byte {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := append([]byte(nil), obj[:len(obj)-1]...)
	first := len(obj) == 2
	for _, k := range keys {
		if !first {
			out = append(out, ',')
		}
		first = false
		kb, _ := json.Marshal(k)
		out = append(out, kb...)
		out = append(out, ':')
		out = append(out, extra[k]...)
	}
	return append(out, '}')
}
