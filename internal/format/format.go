// Package format finds a run's input files and opens them: it expands the
// INPUT arguments into a sorted list of files, tells a WARC file from a
// JSONL file by name and by content, and opens the matching
// winnow.Reader.
//
// Readers may offer more than winnow.Reader through the optional
// interfaces [Skipper] and [Progresser].
package format

import (
	"fmt"

	"winnow"
	"winnow/internal/format/jsonl"
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

// The JSONL reader reports its progress.
var _ Progresser = (*jsonl.Reader)(nil)

// Open detects the format of the file at path and opens a reader for it.
// The error names the file: it is not a known format, or it cannot be
// opened.
func Open(path string, opt Options) (winnow.Reader, error) {
	kind, err := Detect(path)
	if err != nil {
		return nil, err
	}
	switch kind {
	case JSONL:
		return jsonl.Open(path, opt)
	case WARC:
		if openWARC == nil {
			return nil, fmt.Errorf("format: %s: no WARC reader is built in", path)
		}
		return openWARC(path)
	}
	return nil, fmt.Errorf("format: %s: %s input is not supported yet", path, kind)
}

// openWARC opens a WARC or WET file; set by warc.go.
var openWARC func(path string) (winnow.Reader, error)
