package jsonl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"winnow"
)

// decoder turns JSON lines into documents, reusing its buffers.
type decoder struct {
	opt     Options
	members []member
	top     map[string][]byte
	scratch []byte
}

// decodeLine turns one JSON line into a document. The id is returned even
// when the line is rejected, if it could be read.
//
// Top-level keys: the text and id fields (Options), then dolma's source,
// added, created and version (when they are strings), metadata (an
// object, into winnow.Metadata) and attributes (an object). A top-level
// "url" string fills Metadata.URL when metadata has none. Every other
// top-level key, or a known key of an unexpected type, is kept verbatim in
// Metadata.Extra unless metadata already has a key of that name.
func decodeLine(line []byte, opt Options) (*winnow.Doc, string, error) {
	dec := decoder{opt: opt}
	return dec.decode(line)
}

func (dec *decoder) decode(line []byte) (*winnow.Doc, string, error) {
	opt := dec.opt
	var err error
	dec.members, dec.scratch, err = splitObject(line, dec.members[:0], dec.scratch)
	if err != nil {
		return nil, "", err
	}
	if dec.top == nil {
		dec.top = make(map[string][]byte)
	}
	top := dec.top
	clear(top)
	for _, m := range dec.members {
		top[m.key] = m.val
	}
	idRaw, _ := lookup(top, opt.IDField)
	id, idErr := dec.decodeID(idRaw)
	if idErr != nil {
		return nil, "", idErr
	}
	if !utf8.Valid(line) {
		return nil, id, fmt.Errorf("jsonl: invalid utf-8 at byte %d of the line", invalidAt(line))
	}
	textRaw, ok := lookup(top, opt.TextField)
	if !ok {
		return nil, id, fmt.Errorf("jsonl: no %q field", opt.TextField)
	}
	if len(textRaw) == 0 || textRaw[0] != '"' {
		return nil, id, fmt.Errorf("jsonl: field %q is not a string", opt.TextField)
	}
	d := &winnow.Doc{ID: id}
	if d.Text, err = dec.str(textRaw); err != nil {
		return nil, id, fmt.Errorf("jsonl: field %q: %w", opt.TextField, err)
	}
	// The text and id are moved out of the record, not copied: a nested
	// field is removed from its object, so metadata never carries a second,
	// uncleaned copy of the text.
	removeField(top, opt.TextField)
	removeField(top, opt.IDField)

	var extra map[string]json.RawMessage
	keep := func(k string, v []byte) {
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		extra[k] = append(json.RawMessage(nil), v...)
	}
	if raw, ok := top["metadata"]; ok {
		delete(top, "metadata")
		if raw[0] == '{' {
			if err := json.Unmarshal(raw, &d.Metadata); err != nil {
				return nil, id, fmt.Errorf("jsonl: field \"metadata\": %w", err)
			}
		} else if !isNull(raw) {
			keep("metadata", raw)
		}
	}
	if raw, ok := top["attributes"]; ok {
		delete(top, "attributes")
		if raw[0] == '{' {
			if err := json.Unmarshal(raw, &d.Attributes); err != nil {
				return nil, id, fmt.Errorf("jsonl: field \"attributes\": %w", err)
			}
			if len(d.Attributes) == 0 {
				d.Attributes = nil
			}
		} else if !isNull(raw) {
			keep("attributes", raw)
		}
	}
	for k, raw := range top {
		var dst *string
		switch k {
		case "source":
			dst = &d.Source
		case "added":
			dst = &d.Added
		case "created":
			dst = &d.Created
		case "version":
			dst = &d.Version
		case "url":
			if d.Metadata.URL == "" {
				dst = &d.Metadata.URL
			}
		}
		if dst != nil && raw[0] == '"' {
			if s, err := dec.str(raw); err == nil {
				*dst = s
				continue
			}
		}
		if dst != nil && isNull(raw) {
			continue
		}
		if _, dup := d.Metadata.Extra[k]; !dup {
			keep(k, raw)
		}
	}
	if extra != nil {
		if d.Metadata.Extra == nil {
			d.Metadata.Extra = extra
		} else {
			for k, v := range extra {
				d.Metadata.Extra[k] = v
			}
		}
	}
	return d, id, nil
}

// str decodes a string literal checked by splitObject.
func (dec *decoder) str(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var err error
	dec.scratch, err = unquote(dec.scratch[:0], raw)
	if err != nil {
		return "", err
	}
	return string(dec.scratch), nil
}

// lookup finds a possibly dotted field.
func lookup(top map[string][]byte, field string) ([]byte, bool) {
	if v, ok := top[field]; ok || !strings.Contains(field, ".") {
		return v, ok
	}
	obj := top
	parts := strings.Split(field, ".")
	for i, p := range parts {
		v, ok := obj[p]
		if !ok {
			return nil, false
		}
		if i == len(parts)-1 {
			return v, true
		}
		var next map[string]json.RawMessage
		if len(v) == 0 || v[0] != '{' || json.Unmarshal(v, &next) != nil {
			return nil, false
		}
		obj = make(map[string][]byte, len(next))
		for k, v := range next {
			obj[k] = v
		}
	}
	return nil, false
}

// removeField deletes a possibly dotted field from top. For a nested
// field the objects on its path are re-encoded without it (keys sorted);
// an object left empty is removed too.
func removeField(top map[string][]byte, field string) {
	if _, ok := top[field]; ok || !strings.Contains(field, ".") {
		delete(top, field)
		return
	}
	parts := strings.SplitN(field, ".", 2)
	raw, ok := top[parts[0]]
	if !ok || len(raw) == 0 || raw[0] != '{' {
		return
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return
	}
	inner := make(map[string][]byte, len(obj))
	for k, v := range obj {
		inner[k] = v
	}
	removeField(inner, parts[1])
	if len(inner) == 0 {
		delete(top, parts[0])
		return
	}
	out := make(map[string]json.RawMessage, len(inner))
	for k, v := range inner {
		out[k] = v
	}
	if b, err := json.Marshal(out); err == nil {
		top[parts[0]] = b
	}
}

// decodeID reads a string or numeric id; an absent or null id is "".
func (dec *decoder) decodeID(raw []byte) (string, error) {
	if len(raw) == 0 || isNull(raw) {
		return "", nil
	}
	switch c := raw[0]; {
	case c == '"':
		s, err := dec.str(raw)
		if err != nil {
			return "", fmt.Errorf("jsonl: id: %w", err)
		}
		return s, nil
	case c == '-' || (c >= '0' && c <= '9'):
		s := string(raw)
		if strings.IndexFunc(s[1:], func(r rune) bool { return r < '0' || r > '9' }) < 0 {
			return s, nil // an integer, kept exactly whatever its size
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return "", fmt.Errorf("jsonl: id %s: %w", s, err)
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("jsonl: id is neither a string nor a number: %.40s", raw)
}

func isNull(raw []byte) bool { return string(raw) == "null" }

// invalidAt returns the byte index of the first invalid UTF-8 sequence.
func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
