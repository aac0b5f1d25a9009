package format

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"winnow"
	"winnow/internal/blob"
	"winnow/internal/format/jsonl"
	"winnow/internal/format/parquet"
	"winnow/internal/format/warc"
)

// urlSniffBytes is how much of an object's start openURL buffers to tell
// its format: enough compressed bytes to inflate sniffBytes of content.
const urlSniffBytes = 64 << 10

// plainURL is u without its query (the bucket's driver parameters,
// which blob remembers): the name documents and errors carry, so that the
// last path element is the object's base name.
func plainURL(u string) string { return blob.Plain(u) }

// openURL opens the object at u with one streaming GET: it reads the
// object's first bytes to tell its format, as Detect does for a file, and
// hands the same stream on to the reader.
func openURL(rawURL string, opt Options) (winnow.Reader, error) {
	u := plainURL(rawURL)
	if KindOf(u) == Parquet {
		// A Parquet object is opened for ranged reads at once, without
		// a streaming GET of the whole object to sniff it, unless its
		// first bytes say it is something else.
		ra, size, err := blob.OpenReaderAt(context.Background(), rawURL)
		if err != nil {
			return nil, fmt.Errorf("format: %w", err)
		}
		var magic [4]byte
		if _, err := ra.ReadAt(magic[:], 0); err == nil && string(magic[:]) == "PAR1" {
			return openParquetAt(u, ra, size, opt)
		}
		ra.Close()
	}
	obj, _, err := blob.Open(context.Background(), rawURL)
	if err != nil {
		return nil, fmt.Errorf("format: %w", err)
	}
	br := bufio.NewReaderSize(obj, urlSniffBytes)
	kind, err := detectStream(u, br)
	if err != nil {
		obj.Close()
		return nil, err
	}
	switch kind {
	case JSONL:
		return &jsonlURL{Reader: jsonl.NewReader(br, u, opt), obj: obj}, nil
	case WARC:
		return &warcURL{Reader: warc.NewReaderOptions(br, u, warc.Options{}), obj: obj}, nil
	case Parquet:
		// Parquet is read from its footer on, by ranged requests.
		obj.Close()
		ra, size, err := blob.OpenReaderAt(context.Background(), rawURL)
		if err != nil {
			return nil, fmt.Errorf("format: %w", err)
		}
		return openParquetAt(u, ra, size, opt)
	}
	obj.Close()
	return nil, fmt.Errorf("format: %s: %s input from object storage is not supported", u, kind)
}

// openParquetAt opens the Parquet object u through ra, which its Close
// closes.
func openParquetAt(u string, ra blob.ReaderAt, size int64, opt Options) (winnow.Reader, error) {
	r, err := parquet.OpenReaderAt(u, ra, size, ra, parquetOptions(opt))
	if err != nil {
		return nil, err
	}
	return r, nil
}

// detectURL is Detect for an object URL.
func detectURL(u string) (Kind, error) {
	obj, _, err := blob.Open(context.Background(), u)
	if err != nil {
		return Unknown, fmt.Errorf("format: %w", err)
	}
	defer obj.Close()
	return detectStream(plainURL(u), bufio.NewReaderSize(obj, urlSniffBytes))
}

// detectStream tells the format of the stream in br from its first bytes
// without consuming them, and from name when the content is empty, by
// Detect's rules.
func detectStream(name string, br *bufio.Reader) (Kind, error) {
	peek, err := br.Peek(urlSniffBytes)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return Unknown, fmt.Errorf("format: %s: %w", name, err)
	}
	head, err := sniff(bytes.NewReader(peek))
	if err != nil {
		return Unknown, fmt.Errorf("format: %s: %w", name, err)
	}
	if k := kindOfContent(head); k != Unknown {
		return k, nil
	}
	if len(bytes.TrimSpace(head)) == 0 {
		if k := KindOf(name); k != Unknown {
			return k, nil
		}
	}
	return Unknown, fmt.Errorf("format: %s: not a WARC or JSONL file", name)
}

// jsonlURL is a JSONL reader over an object; Close closes the object too.
type jsonlURL struct {
	*jsonl.Reader
	obj io.Closer
}

func (r *jsonlURL) Close() error { return errors.Join(r.Reader.Close(), r.obj.Close()) }

// warcURL is a WARC reader over an object; Close closes the object too.
type warcURL struct {
	*warc.Reader
	obj io.Closer
}

func (r *warcURL) Close() error { return errors.Join(r.Reader.Close(), r.obj.Close()) }

var (
	_ Progresser = (*jsonlURL)(nil)
	_ Progresser = (*warcURL)(nil)
	_ Skipper    = (*warcURL)(nil)
)

// Stat returns the size in bytes and the modification time of the input
// at path: a file, or an s3:// or gs:// object.
func Stat(path string) (size int64, modTime time.Time, err error) {
	if blob.IsURL(path) {
		info, err := blob.Stat(context.Background(), path)
		if err != nil {
			return 0, time.Time{}, fmt.Errorf("format: %w", err)
		}
		return info.Size, time.Unix(info.ModTime, 0).UTC(), nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("format: %w", err)
	}
	return fi.Size(), fi.ModTime(), nil
}
