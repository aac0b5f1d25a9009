// Package format finds a run's input files and opens them: it expands the
// INPUT arguments into a sorted list of files, tells a WARC file from a
// JSONL or Parquet file by name and by content, and opens the matching
// winnow.Reader.
//
// Readers may offer more than winnow.Reader through the optional
// interfaces [Skipper], [Progresser] and [Seeker]; [OpenAt] starts a
// reader at a point a Seeker reported, instead of at the start of the
// file.
package format

import (
	"fmt"

	"winnow"
	"winnow/internal/blob"
	"winnow/internal/format/jsonl"
	"winnow/internal/format/parquet"
	"winnow/internal/format/seek"
	"winnow/internal/format/warc"
)

// Options says how JSONL input lines map to documents: the text and id
// fields ("text" and "id" by default, dotted paths such as "metadata.url"
// allowed) and the longest line accepted. WARC input ignores it.
type Options = jsonl.Options

// Skipper is implemented by readers that pass over some records on
// purpose (a WARC request record, a non-HTML response): Skipped returns
// how many records were skipped, by reason.
type Skipper interface {
	Skipped() map[string]int64
}

// Progresser is implemented by readers that can say how far they are:
// InputBytes returns the bytes of the input file consumed so far
// (compressed bytes for a compressed file), for a progress bar against
// the file size. It may be called from another goroutine than Next.
type Progresser interface {
	InputBytes() int64
}

// SeekPoint is where a later read of an unchanged input file may start:
// see internal/format/seek.
type SeekPoint = seek.Point

// Seeker is implemented by readers that can say where a later read may
// start instead of at the beginning of the file. SeekPoint returns the
// latest point from which a reader opened with OpenAt returns the result
// Next returned last (a document or an error) and every later one,
// exactly as this reader does: the same documents with the same Pos and
// ID, the same errors, and at the end the same Skipped counts. ok is false
// when the input offers no such point (it cannot be entered in the
// middle). It is called on the goroutine that calls Next.
//
// Which inputs have points: a WARC file compressed per record (one gzip
// member per record, the Common Crawl layout), at every record that starts
// a member, at the compressed offset of that member; an uncompressed WARC
// file, at every record; an uncompressed JSONL file, at every line. Not a
// WARC or JSONL file compressed as one stream (gzip or zstd), not Parquet,
// not an object in object storage.
type Seeker interface {
	SeekPoint() (p SeekPoint, ok bool)
}

// The readers offer what they can.
var (
	_ Progresser = (*jsonl.Reader)(nil)
	_ Progresser = (*warc.Reader)(nil)
	_ Skipper    = (*warc.Reader)(nil)
	_ Seeker     = (*warc.Reader)(nil)
	_ Seeker     = (*jsonl.Reader)(nil)
)

// OpenAt opens the file at path like Open, starting at p, a point a
// Seeker reported for the same file when it had the same content. Next
// then returns result number p.Items of a full read first. An error
// names the file: a URL, a format that cannot start in the middle, or a
// point at which no record starts. OpenAt cannot tell a changed file that
// still has a record at p.Offset: the caller checks that the file is
// unchanged (size and modification time).
func OpenAt(path string, opt Options, p SeekPoint) (winnow.Reader, error) {
	if blob.IsURL(path) {
		return nil, fmt.Errorf("format: %s: object storage input cannot start at an offset", path)
	}
	kind, err := Detect(path)
	if err != nil {
		return nil, err
	}
	switch kind {
	case JSONL:
		r, err := jsonl.OpenAt(path, opt, p)
		if err != nil {
			return nil, err
		}
		return r, nil
	case WARC:
		r, err := warc.OpenAt(path, warc.Options{}, p)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	return nil, fmt.Errorf("format: %s: %s input cannot start at an offset", path, kind)
}

// parquetOptions maps the field names of opt to Parquet columns. A
// dotted JSONL path such as "metadata.url" names no Parquet column; only
// plain names carry over.
func parquetOptions(opt Options) parquet.Options {
	return parquet.Options{TextColumn: opt.TextField, IDColumn: opt.IDField}
}

// Open detects the format of the file at path and opens a reader for it.
// The error names the file: it is not a known format, or it cannot be
// opened. An s3:// or gs:// URL (see internal/blob) is read as a stream
// from object storage; WARC and JSONL objects are supported.
func Open(path string, opt Options) (winnow.Reader, error) {
	if blob.IsURL(path) {
		return openURL(path, opt)
	}
	kind, err := Detect(path)
	if err != nil {
		return nil, err
	}
	switch kind {
	case JSONL:
		r, err := jsonl.Open(path, opt)
		if err != nil {
			return nil, err // not a typed nil inside a non-nil interface
		}
		return r, nil
	case WARC:
		return warc.Open(path)
	case Parquet:
		r, err := parquet.Open(path, parquetOptions(opt))
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	return nil, fmt.Errorf("format: %s: %s input is not supported yet", path, kind)
}
