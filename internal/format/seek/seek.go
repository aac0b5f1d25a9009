// Package seek defines the point at which a reader of one input file can
// start instead of at the beginning: a byte offset in the file as stored
// together with the reader state that a full read has at that offset, so
// that a reader started there numbers records and reports positions
// exactly as a full read does.
//
// The readers (internal/format/warc, internal/format/jsonl) report points
// through a SeekPoint method and start at one with OpenAt; internal/format
// gathers both. A point is only valid for the file it was taken from,
// unchanged: the caller checks that (size and modification time, say).
package seek

// Point is where a later read of the same file may start.
type Point struct {
	// Offset is the byte offset in the file as stored where reading
	// starts: the gzip member that begins with a record in a WARC file
	// compressed per record, the record in an uncompressed WARC file, the
	// line in an uncompressed JSONL file.
	Offset int64 `json:"offset"`
	// Base is the offset of that byte in the decompressed stream (equal
	// to Offset for an uncompressed file). Positions of records that do
	// not start a gzip member are reported in the decompressed stream,
	// so a reader started at Offset counts on from Base.
	Base int64 `json:"base"`
	// Record is the 0-based number (Pos.Record) of the record or line
	// that starts at Offset.
	Record int64 `json:"record"`
	// Items is how many results a full read returned from Next before
	// the point: documents and errors other than io.EOF. A reader started
	// at the point returns result number Items of the full read first.
	Items int64 `json:"items"`
	// Skipped holds the records a full read had skipped on purpose
	// before the point, by reason (the reader's Skipped counts); nil for
	// formats that skip nothing.
	Skipped map[string]int64 `json:"skipped,omitempty"`
}
