package run

import (
	"winnow"
	"winnow/internal/config"
	"winnow/internal/format"
)

// Backend is where a run reads and writes. Files() is the real one; tests
// and embedding programs may supply their own.
type Backend struct {
	// Expand turns files, folders and globs into the input files. Run
	// calls it once per argument so that one bad argument does not hide
	// the others.
	Expand func(args []string) ([]string, error)
	// ExpandWith, when set, is used instead of Expand: it also never
	// lists a file in the run's output folder and counts what folder
	// walks passed over (format.ExpandWith).
	ExpandWith func(args []string, opt format.ExpandOptions) (format.Expansion, error)
	// Open opens one input file. An error means the input is unreadable.
	Open func(path string, in config.Input) (winnow.Reader, error)
	// OpenAt, when set, opens one input file at a seek point that its
	// reader reported (format.Seeker) in an earlier run over the same
	// file: a resumed run starts the partly read input there. Nil means
	// a resumed run reads that input from its start again.
	OpenAt func(path string, in config.Input, at format.SeekPoint) (winnow.Reader, error)
	// Documents creates the writer of kept documents under outDir
	// (documents/, side/, attributes/), numbering shards from first.
	Documents func(outDir string, out config.Output, first int) (ShardWriter, error)
	// Rejects creates the writer of bad records and dropped documents
	// under outDir (rejects/), numbering shards from first. A run closes
	// it and creates another at each checkpoint.
	Rejects func(outDir string, out config.Output, first int) (RejectWriter, error)
}

// ShardWriter writes kept documents to numbered shards.
type ShardWriter interface {
	winnow.Writer
	// Shards lists the shard files committed so far.
	Shards() []string
	// Written returns the documents and uncompressed JSON bytes written.
	Written() (docs, bytes int64)
}

// RejectWriter writes one row per bad record, unreadable input or dropped
// document.
type RejectWriter interface {
	WriteParseError(*winnow.ParseError) error
	WriteDropped(*winnow.Doc) error
	Close() error
	// Shards lists the reject shard files committed so far.
	Shards() []string
}
