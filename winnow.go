package winnow

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
)

// Doc is one document. Its JSON form is dolma's document schema
// (allenai/dolma, docs/data-format.md): id, text, source, added, created,
// metadata, plus an attributes map that quality steps fill with signals.
//
// Ownership: a Reader hands out a fresh *Doc on every Next call; from then
// on the executor owns it and passes it to one stage at a time. A stage may
// modify the documents it is given, but must not keep a reference to them
// after Process returns.
type Doc struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Source  string `json:"source"`
	Added   string `json:"added,omitempty"`   // RFC 3339, when winnow read the record
	Created string `json:"created,omitempty"` // RFC 3339, when the page was captured (WARC-Date)
	Version string `json:"version,omitempty"`

	Metadata Metadata `json:"metadata"`

	// Attributes holds quality signals and labels by name, for example
	// "language" -> "en" or "gopher_quality/mean_word_length" -> 4.2.
	// Values must be JSON-encodable (string, float64, int, bool, slices).
	Attributes map[string]any `json:"attributes,omitempty"`

	// Payload is the raw record body still to be converted to Text (the
	// HTML of a WARC response). It is never serialised; the extract step
	// consumes it and sets it to nil.
	Payload []byte `json:"-"`

	// Pos says where the document came from, for errors and rejects.
	Pos Position `json:"-"`

	// Drop, when non-nil, says the document was removed and why. Stages set
	// it; the executor routes dropped documents to the rejects shard and
	// stops passing them to later stages.
	Drop *Drop `json:"-"`

	// Edits records the spans that cleaning removed, in order, when the run
	// asks to explain its decisions.
	Edits []Edit `json:"-"`

	// Side holds per-document binary data that a stage hands to the
	// output: for each key, the shard writer stores the value in
	// side/<key>/NNNNN.bin aligned row for row with document shard NNNNN
	// (a MinHash signature, say). Never serialised with the document.
	Side map[string][]byte `json:"-"`
}

// Metadata is the provenance of a document. Known fields have names; any
// other key read from input JSON is kept in Extra and written back out.
type Metadata struct {
	URL           string `json:"url,omitempty"`
	WARCRecordID  string `json:"warc_record_id,omitempty"`
	WARCDate      string `json:"warc_date,omitempty"`
	WARCFilename  string `json:"warc_filename,omitempty"`
	ContentType   string `json:"content_type,omitempty"`
	Charset       string `json:"charset,omitempty"`
	CharsetSource string `json:"charset_source,omitempty"` // "http", "meta", "bom", "detected" or "default"
	Language      string `json:"language,omitempty"`

	// Extra holds metadata keys winnow does not know, verbatim.
	Extra map[string]json.RawMessage `json:"-"`
}

// metadataKnown is Metadata without its methods, for the default codec.
type metadataKnown Metadata

// MarshalJSON writes the known fields followed by Extra, keys sorted.
func (m Metadata) MarshalJSON() ([]byte, error) {
	known, err := json.Marshal(metadataKnown(m))
	if err != nil || len(m.Extra) == 0 {
		return known, err
	}
	keys := make([]string, 0, len(m.Extra))
	for k := range m.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := known[:len(known)-1] // drop '}'
	first := len(known) == 2
	for _, k := range keys {
		if !first {
			out = append(out, ',')
		}
		first = false
		kb, _ := json.Marshal(k)
		out = append(out, kb...)
		out = append(out, ':')
		out = append(out, m.Extra[k]...)
	}
	return append(out, '}'), nil
}

// UnmarshalJSON reads the known fields and keeps every other key in Extra.
func (m *Metadata) UnmarshalJSON(b []byte) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	var known metadataKnown
	if err := json.Unmarshal(b, &known); err != nil {
		// A known key of an unexpected type (say a numeric url): keep
		// everything verbatim rather than fail the document.
		known = metadataKnown{}
	} else {
		for _, k := range []string{"url", "warc_record_id", "warc_date", "warc_filename",
			"content_type", "charset", "charset_source", "language"} {
			delete(all, k)
		}
	}
	*m = Metadata(known)
	if len(all) > 0 {
		m.Extra = all
	}
	return nil
}

// Position locates a record in its input: the file, the byte offset where
// the record starts (in the compressed file for a WARC with one gzip member
// per record, else in the decompressed stream, as Offset's doc on the
// Reader says), and the 0-based record number in that file.
type Position struct {
	File   string
	Offset int64
	Record int64
}

func (p Position) String() string {
	return fmt.Sprintf("%s: record %d at offset %d", p.File, p.Record, p.Offset)
}

// Drop says why a document was removed: the stage, the rule inside the
// stage, and the value of the signal that decided it (NaN when there is
// none).
type Drop struct {
	Stage  string  `json:"stage"`
	Rule   string  `json:"rule"`
	Value  float64 `json:"value,omitempty"`
	Detail string  `json:"detail,omitempty"`
}

// Reason is the stable "stage/rule" key under which drops are counted.
func (d *Drop) Reason() string { return d.Stage + "/" + d.Rule }

// Edit is one span removed from a document's text by a cleaning rule, or,
// when Repl is set or the rule says so, replaced by Repl (a Unicode
// repair). Start and End are byte offsets into the text as it was before
// this edit; Text is what stood there.
type Edit struct {
	Rule  string `json:"rule"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
	Repl  string `json:"repl,omitempty"`
}

// SetDrop marks d as dropped by stage for rule with the signal's value.
func (d *Doc) SetDrop(stage, rule string, value float64, detail string) {
	d.Drop = &Drop{Stage: stage, Rule: rule, Value: value, Detail: detail}
}

// SetAttr sets one attribute, creating the map when needed.
func (d *Doc) SetAttr(name string, v any) {
	if d.Attributes == nil {
		d.Attributes = make(map[string]any)
	}
	d.Attributes[name] = v
}

// ParseError is a bad record in an otherwise readable input: a truncated
// record, a malformed JSON line, a corrupt gzip member. Readers return it
// from Next and stay usable: the next call resumes after the bad record.
// Any other error from Next means the input cannot be read further.
type ParseError struct {
	File   string
	Offset int64 // byte offset of the bad record, -1 when unknown
	Record int64 // 0-based record (or line) number, -1 when unknown
	ID     string
	Err    error
}

func (e *ParseError) Error() string {
	s := e.File
	if e.Record >= 0 {
		s += fmt.Sprintf(": record %d", e.Record)
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf(" at offset %d", e.Offset)
	}
	if e.ID != "" {
		s += " (" + e.ID + ")"
	}
	return s + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Reader yields documents one at a time.
//
// Next returns the next document, io.EOF at the end, a *ParseError for a
// bad record after which reading may go on, or any other error when the
// input cannot be read further. Close releases the input; calling it twice
// is safe.
type Reader interface {
	Next() (*Doc, error)
	Close() error
}

// Writer stores documents. Write keeps the first error it meets and
// returns it from every later call (a sticky error). Close flushes and
// commits the output atomically (a temporary name renamed on success); a
// Writer that failed leaves no partial output under its final name.
type Writer interface {
	Write(*Doc) error
	Close() error
}

// Stage is one synchronous step of per-document work.
//
// Process is given a batch of live documents (none has Drop set) and
// returns the batch to pass on: usually the same slice, with some
// documents modified and some marked with SetDrop. It may also return
// fewer or more documents. It must not start goroutines or keep the
// documents after it returns. An error means the run is broken (not that
// a document is bad: that is a Drop) and stops the run.
//
// The executor calls Process from one goroutine per Stage value; it builds
// one Stage value per worker, so a Stage needs no locking of its own state.
// Close is called once, after the last Process.
type Stage interface {
	Name() string
	Process(ctx context.Context, docs []*Doc) ([]*Doc, error)
	Close() error
}

// Pipeline is an ordered list of stages applied to each batch.
type Pipeline []Stage

// Process runs the batch through every stage in order. Documents dropped
// by a stage are appended to dropped (in the order they were dropped) and
// are not passed to later stages. The returned kept slice shares storage
// with docs.
func (p Pipeline) Process(ctx context.Context, docs []*Doc, dropped []*Doc) (kept, _ []*Doc, err error) {
	kept = docs
	for _, s := range p {
		if len(kept) == 0 {
			break
		}
		kept, err = s.Process(ctx, kept)
		if err != nil {
			return nil, dropped, fmt.Errorf("%s: %w", s.Name(), err)
		}
		n := 0
		for _, d := range kept {
			if d.Drop != nil {
				dropped = append(dropped, d)
				continue
			}
			kept[n] = d
			n++
		}
		clear(kept[n:])
		kept = kept[:n]
	}
	return kept, dropped, nil
}

// Close closes every stage and returns the first error.
func (p Pipeline) Close() error {
	var first error
	for _, s := range p {
		if err := s.Close(); err != nil && first == nil {
			first = fmt.Errorf("%s: %w", s.Name(), err)
		}
	}
	return first
}
