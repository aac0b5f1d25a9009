// Package format finds a run's input files and opens them: it expands the
// INPUT arguments into a sorted list of files, tells a WARC file from a
// JSONL or Parquet file by name and by content, and opens the matching
// winnow.Reader.
//
// Readers may offer more than winnow.Reader through the optional
// interfaces [Skipper] and [Progresser].
package format

import (
	"fmt"

	"winnow"
	"winnow/internal/blob"
	"winnow/internal/format/jsonl"
	"winnow/internal/format/parquet"
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

// The readers offer what they can.
var (
	_ Progresser = (*jsonl.Reader)(nil)
	_ Progresser = (*warc.Reader)(nil)
	_ Skipper    = (*warc.Reader)(nil)
)

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
		// A dotted JSONL path such as "metadata.url" names no Parquet
		// column; only plain names carry over.
		r, err := parquet.Open(path, parquet.Options{TextColumn: opt.TextField, IDColumn: opt.IDField})
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	return nil, fmt.Errorf("format: %s: %s input is not supported yet", path, kind)
}
