package jsonl

import (
	"errors"
	"fmt"
	"math"

	"winnow"
)

// RejectWriter writes one row per dropped document or unparsable record,
// to dir/NNNNN.jsonl.zst with the rotation and atomic commit of
// ShardWriter (SideDir and the attribute options are ignored). A row is
//
//	{"file","offset","record","id","reason","stage","rule","value","detail","text","url"}
//
// where reason is winnow.Drop.Reason() ("stage/rule") for a dropped
// document and "read/parse_error" for a record that could not be parsed
// (stage "read", rule "parse_error", detail the parse error). value is
// null when the drop has no finite signal value (NaN or ±Inf). text, the
// document's text, is present only for dropped documents; url is the
// document's Metadata.URL.
type RejectWriter struct {
	s   *shards
	enc *encoder
}

// NewRejectWriter writes reject shards into dir, creating it.
func NewRejectWriter(dir string, opt ShardOptions) (*RejectWriter, error) {
	opt.SideDir, opt.StandoffAttributes, opt.AttrDir = "", false, ""
	s, err := newShards(dir, opt)
	if err != nil {
		return nil, err
	}
	return &RejectWriter{s: s, enc: newEncoder()}, nil
}

// rejectRow is one row of a rejects shard, in column order.
type rejectRow struct {
	File   string   `json:"file"`
	Offset int64    `json:"offset"`
	Record int64    `json:"record"`
	ID     string   `json:"id"`
	Reason string   `json:"reason"`
	Stage  string   `json:"stage"`
	Rule   string   `json:"rule"`
	Value  *float64 `json:"value"`
	Detail string   `json:"detail"`
	Text   *string  `json:"text,omitempty"`
	URL    string   `json:"url"`
}

// WriteParseError records a record that could not be parsed.
func (w *RejectWriter) WriteParseError(e *winnow.ParseError) error {
	if e == nil {
		return w.fail(errors.New("jsonl: nil parse error"))
	}
	detail := ""
	if e.Err != nil {
		detail = e.Err.Error()
	}
	return w.put(&rejectRow{File: e.File, Offset: e.Offset, Record: e.Record, ID: e.ID,
		Reason: "read/parse_error", Stage: "read", Rule: "parse_error", Detail: detail})
}

// WriteDropped records a dropped document: d.Drop must be set.
func (w *RejectWriter) WriteDropped(d *winnow.Doc) error {
	if d == nil || d.Drop == nil {
		return w.fail(errors.New("jsonl: rejected document has no drop reason"))
	}
	row := &rejectRow{File: d.Pos.File, Offset: d.Pos.Offset, Record: d.Pos.Record, ID: d.ID,
		Reason: d.Drop.Reason(), Stage: d.Drop.Stage, Rule: d.Drop.Rule, Detail: d.Drop.Detail,
		Text: &d.Text, URL: d.Metadata.URL}
	if v := d.Drop.Value; !math.IsNaN(v) && !math.IsInf(v, 0) {
		row.Value = &v
	}
	return w.put(row)
}

// Write is WriteDropped, so that a RejectWriter is a winnow.Writer.
func (w *RejectWriter) Write(d *winnow.Doc) error { return w.WriteDropped(d) }

func (w *RejectWriter) fail(err error) error {
	if w.s.err != nil {
		return w.s.err
	}
	return w.s.fail(err)
}

func (w *RejectWriter) put(row *rejectRow) error {
	s := w.s
	if s.err != nil {
		return s.err
	}
	if s.shut {
		return errors.New("jsonl: write after close")
	}
	line, err := w.enc.value(row)
	if err != nil {
		return s.fail(fmt.Errorf("jsonl: reject row for %q: %w", row.ID, err))
	}
	if _, err := s.prepare(len(line)); err != nil {
		return err
	}
	return s.add(line)
}

// Close commits the open shard. Calling it twice is safe.
func (w *RejectWriter) Close() error { return w.s.close() }

// Shards returns the paths of the committed reject shards, in order.
func (w *RejectWriter) Shards() []string { return append([]string(nil), w.s.done...) }

// Written returns the number of rows written and their uncompressed bytes.
func (w *RejectWriter) Written() (rows, bytes int64) { return w.s.docs, w.s.bytes }
