package format

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"winnow/internal/blob"
)

// Kind is an input format.
type Kind int

const (
	Unknown Kind = iota // neither of the formats below
	WARC                // WARC or WET records, plain or gzip
	JSONL               // JSON Lines documents, plain, gzip or zstd
	Parquet             // Apache Parquet
)

func (k Kind) String() string {
	switch k {
	case WARC:
		return "WARC"
	case JSONL:
		return "JSONL"
	case Parquet:
		return "Parquet"
	}
	return "unknown"
}

// suffixes maps file-name endings to kinds, longest first where one ends
// another. A trailing ".open" (a WARC still being written) is stripped
// before matching.
var suffixes = []struct {
	ext  string
	kind Kind
}{
	{".warc.wet.gz", WARC}, {".warc.gz", WARC}, {".warc.zst", WARC}, {".wet.gz", WARC},
	{".warc", WARC}, {".wet", WARC},
	{".jsonl.gz", JSONL}, {".jsonl.zst", JSONL}, {".json.gz", JSONL}, {".json.zst", JSONL},
	{".ndjson.gz", JSONL}, {".ndjson.zst", JSONL}, {".jsonl", JSONL}, {".json", JSONL}, {".ndjson", JSONL},
	{".parquet", Parquet},
}

// KindOf returns the kind that a file name says, or Unknown. Case is
// ignored.
func KindOf(name string) Kind {
	n := strings.ToLower(name)
	n = strings.TrimSuffix(n, ".open")
	for _, s := range suffixes {
		if strings.HasSuffix(n, s.ext) {
			return s.kind
		}
	}
	return Unknown
}

// sniffBytes is how much decompressed content Detect looks at.
const sniffBytes = 512

// Detect tells the format of the file at path from its name and its first
// bytes. The content is decompressed first when it starts with the gzip
// (1f 8b) or zstd (28 b5 2f fd) magic number; then, after an optional
// UTF-8 byte order mark and white space, "WARC/" means WARC, "{" means
// JSONL and "PAR1" (uncompressed) means Parquet. When name and content
// disagree, the content wins. An empty file (or empty compressed stream)
// has the kind of its name. Anything else is an error naming the file,
// "format: x.bin: not a WARC or JSONL file". An s3:// or gs:// path is
// looked at the same way, through the start of the object.
func Detect(path string) (Kind, error) {
	if blob.IsURL(path) {
		return detectURL(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return Unknown, fmt.Errorf("format: %w", err)
	}
	defer f.Close()
	head, err := sniff(f)
	if err != nil {
		return Unknown, fmt.Errorf("format: %s: %w", path, err)
	}
	if k := kindOfContent(head); k != Unknown {
		return k, nil
	}
	if len(bytes.TrimSpace(head)) == 0 {
		if k := KindOf(path); k != Unknown {
			return k, nil
		}
	}
	return Unknown, fmt.Errorf("format: %s: not a WARC or JSONL file", path)
}

// sniff returns up to sniffBytes of the decompressed start of r. A
// compressed stream cut short still gives the bytes before the cut.
func sniff(r io.Reader) ([]byte, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, err
	}
	var src io.Reader = br
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("bad gzip header: %w", err)
		}
		defer zr.Close()
		src = zr
	case bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		src = zr
	}
	head := make([]byte, sniffBytes)
	n, err := io.ReadFull(src, head)
	if err != nil && err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) {
		if n == 0 {
			return nil, err
		}
	}
	return head[:n], nil
}

func kindOfContent(head []byte) Kind {
	if bytes.HasPrefix(head, []byte("PAR1")) {
		return Parquet
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("WARC/")):
		return WARC
	case bytes.HasPrefix(head, []byte("{")):
		return JSONL
	}
	return Unknown
}
