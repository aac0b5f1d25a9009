package jsonl

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"winnow"
	"winnow/internal/format/seek"
)

// readBufferSize is the bufio buffer over the decompressed stream. Lines
// shorter than this are decoded in place without a copy.
const readBufferSize = 1 << 20

// Reader streams documents out of one JSONL input. It implements
// winnow.Reader and, through InputBytes, format.Progresser. It is not safe
// for concurrent use, except InputBytes, which may be called from any
// goroutine.
type Reader struct {
	name  string
	opt   Options
	lines decoder

	raw    *countingReader
	file   io.Closer     // the opened file, nil for NewReader
	dec    io.Closer     // the decompressor, when there is one
	zdec   *zstd.Decoder // closed with Close (it has no error)
	br     *bufio.Reader
	buf    []byte // a line longer than the bufio buffer
	start  bool
	off    int64 // offset of the next line in the decompressed stream
	line   int64 // 0-based number of the next line
	err    error // sticky: io.EOF or a fatal error
	closed bool

	// Seek points: items counts the results Next returned, point is
	// where the last one's line (or the blank lines before it) started.
	plain    bool // set by begin: the input is not compressed
	items    int64
	point    seek.Point
	hasPoint bool
}

// Open opens the JSONL file at path. Compression is sniffed from the
// content. The error is the one from os.Open.
func Open(path string, opt Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("jsonl: %w", err)
	}
	r := NewReader(f, path, opt)
	r.file = f
	return r, nil
}

// NewReader reads JSONL from src, plain or compressed with gzip or zstd
// (sniffed from the first bytes). name is used in positions and errors.
// Nothing is read before the first call to Next.
func NewReader(src io.Reader, name string, opt Options) *Reader {
	opt = opt.withDefaults()
	return &Reader{name: name, opt: opt, lines: decoder{opt: opt}, raw: &countingReader{r: src}}
}

// InputBytes returns how many bytes of the input have been consumed so
// far: compressed bytes for compressed input. The decompressor reads
// ahead, so the figure runs up to one buffer (about 1 MiB) ahead of the
// documents returned.
func (r *Reader) InputBytes() int64 { return r.raw.n.Load() }

// Next returns the next document, or:
//   - io.EOF at the end of the input;
//   - a *winnow.ParseError for a bad line, after which Next goes on with
//     the following line. A line is bad when it is not a JSON object, has
//     no text field or a text that is not a string, is longer than
//     Options.MaxLineBytes, or is not valid UTF-8: invalid UTF-8 anywhere
//     in the line, or an unpaired surrogate escape (\ud800) in the text,
//     rejects the line rather than being replaced with U+FFFD. A
//     compressed stream that ends early (a cut .jsonl.gz) yields every
//     complete line and then one ParseError for the cut line, wrapping
//     io.ErrUnexpectedEOF, then io.EOF; so does a last line without a
//     newline whose JSON stops early (a cut file, compressed or not);
//   - any other error when the input cannot be read further (a failing
//     disk, corrupt compressed data); it is returned again on every later
//     call.
//
// Blank lines (only spaces, tabs, CR) are skipped silently but counted in
// the line numbers. ParseError.Offset is the byte offset of the line in
// the decompressed stream and ParseError.Record its 0-based line number;
// the document's Pos holds the same two for a good line.
func (r *Reader) Next() (*winnow.Doc, error) {
	if r.err == nil && !r.closed && r.start && r.plain {
		r.point = seek.Point{Offset: r.off, Base: r.off, Record: r.line, Items: r.items}
		r.hasPoint = true
	}
	d, err := r.next()
	if err != io.EOF {
		r.items++
	}
	return d, err
}

// SeekPoint returns the point from which a reader opened with OpenAt
// returns the result Next returned last and every later one, exactly as
// this reader does (same Pos, IDs derived from line numbers, errors):
// the start of that result's line in an uncompressed file. ok is false
// for compressed input (gzip and zstd streams cannot be entered in the
// middle) and before the first result.
func (r *Reader) SeekPoint() (seek.Point, bool) {
	return r.point, r.hasPoint
}

// OpenAt opens the uncompressed JSONL file at path and starts reading at
// p, a point that SeekPoint returned for the same file, unchanged: Next
// returns result number p.Items of a full read first, with offsets and
// line numbers counted on from p.Offset and p.Record. A compressed file,
// or a point that is not a line start, is an error naming the file.
func OpenAt(path string, opt Options, p seek.Point) (*Reader, error) {
	if p.Offset < 0 || p.Base != p.Offset || p.Record < 0 || p.Items < 0 {
		return nil, fmt.Errorf("jsonl: %s: bad seek point %+v", path, p)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("jsonl: %w", err)
	}
	fail := func(format string, a ...any) (*Reader, error) {
		f.Close()
		return nil, fmt.Errorf("jsonl: %s: "+format, append([]any{path}, a...)...)
	}
	head := make([]byte, 4)
	n, _ := f.ReadAt(head, 0)
	if n >= 2 && head[0] == 0x1f && head[1] == 0x8b || n == 4 && bytes.Equal(head, zstdMagic) {
		return fail("cannot start inside a compressed file")
	}
	if p.Offset > 0 && !(p.Offset == 3 && n >= 3 && bytes.Equal(head[:3], []byte("\xef\xbb\xbf"))) {
		// The point is a line start: the byte before it ends a line (or
		// it is the first line, after a byte order mark).
		if _, err := f.ReadAt(head[:1], p.Offset-1); err != nil || head[0] != '\n' {
			return fail("no line starts at offset %d", p.Offset)
		}
	}
	if _, err := f.Seek(p.Offset, io.SeekStart); err != nil {
		return fail("%v", err)
	}
	r := NewReader(f, path, opt)
	r.file = f
	r.raw.n.Store(p.Offset)
	r.off, r.line, r.items = p.Offset, p.Record, p.Items
	r.start = true
	r.plain = true
	r.br = bufio.NewReaderSize(r.raw, readBufferSize)
	return r, nil
}

// next is Next without the bookkeeping of seek points.
func (r *Reader) next() (*winnow.Doc, error) {
	for {
		if r.err != nil {
			return nil, r.err
		}
		if r.closed {
			return nil, errors.New("jsonl: read after close")
		}
		if !r.start {
			if err := r.begin(); err != nil {
				r.err = err
				return nil, err
			}
			if r.plain {
				r.point = seek.Point{Offset: r.off, Base: r.off, Record: r.line, Items: r.items}
				r.hasPoint = true
			}
		}
		off, rec := r.off, r.line
		line, n, over, rerr := r.readLine()
		if rerr != nil && rerr != io.EOF {
			cut := errors.Is(rerr, io.ErrUnexpectedEOF)
			if cut {
				r.err = io.EOF
			} else {
				r.err = fmt.Errorf("jsonl: %s: %w", r.name, rerr)
			}
			if n > 0 || cut {
				return nil, &winnow.ParseError{File: r.name, Offset: off, Record: rec,
					Err: fmt.Errorf("jsonl: input ends inside a line after %d bytes: %w", n, rerr)}
			}
			return nil, r.err
		}
		if rerr == io.EOF {
			r.err = io.EOF
			if n == 0 {
				return nil, io.EOF
			}
		}
		if over {
			return nil, &winnow.ParseError{File: r.name, Offset: off, Record: rec,
				Err: fmt.Errorf("jsonl: line of %d bytes is longer than the limit of %d bytes", n, r.opt.MaxLineBytes)}
		}
		if len(bytes.TrimLeft(line, " \t\r\n")) == 0 {
			continue
		}
		d, id, err := r.lines.decode(line)
		var se *syntaxError
		if rerr == io.EOF && errors.As(err, &se) && se.At >= len(line) {
			// The last line has no newline and its JSON stops early: the
			// input was cut (a truncated file, or a complete gzip stream of
			// a truncated file), not a malformed record.
			err = fmt.Errorf("jsonl: input ends inside a line after %d bytes (%s): %w", n, se.What, io.ErrUnexpectedEOF)
		}
		if err != nil {
			return nil, &winnow.ParseError{File: r.name, Offset: off, Record: rec, ID: id, Err: err}
		}
		d.Pos = winnow.Position{File: r.name, Offset: off, Record: rec}
		if d.ID == "" {
			// A document needs an id (dolma's schema requires one, and
			// explain and dedup name documents by it): a line without one
			// gets "<file base name>:<line number>", stable across runs.
			d.ID = fmt.Sprintf("%s:%d", filepath.Base(r.name), rec)
		}
		return d, nil
	}
}

// begin sniffs the compression and sets up the decompressed stream.
func (r *Reader) begin() error {
	r.start = true
	in := bufio.NewReaderSize(r.raw, 64<<10)
	magic, err := in.Peek(4)
	if err != nil && err != io.EOF {
		if len(magic) == 0 || !errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("jsonl: %s: %w", r.name, err)
		}
	}
	var src io.Reader = in
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(in)
		if err != nil {
			return fmt.Errorf("jsonl: %s: %w", r.name, err)
		}
		r.dec, src = zr, zr
	case len(magic) == 4 && bytes.Equal(magic, zstdMagic):
		zr, err := zstd.NewReader(in, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(1<<30))
		if err != nil {
			return fmt.Errorf("jsonl: %s: %w", r.name, err)
		}
		r.zdec, src = zr, zr
	default:
		r.plain = true
	}
	r.br = bufio.NewReaderSize(src, readBufferSize)
	// A UTF-8 byte order mark before the first line is not part of it;
	// offsets still count its three bytes.
	if bom, _ := r.br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		r.br.Discard(3)
		r.off = 3
	}
	return nil
}

var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// readLine reads one line without its newline. n is the number of bytes
// the line took in the stream (newline included). over says the line was
// longer than the cap; its bytes were then discarded, not kept.
func (r *Reader) readLine() (line []byte, n int, over bool, err error) {
	chunk, err := r.br.ReadSlice('\n')
	n = len(chunk)
	if err != bufio.ErrBufferFull {
		r.advance(n)
		line = bytes.TrimSuffix(chunk, []byte{'\n'})
		return line, n, len(line) > r.opt.MaxLineBytes, err
	}
	r.buf = append(r.buf[:0], chunk...)
	for err == bufio.ErrBufferFull {
		chunk, err = r.br.ReadSlice('\n')
		n += len(chunk)
		if !over {
			if len(r.buf)+len(chunk) > r.opt.MaxLineBytes+1 {
				over = true
				r.buf = r.buf[:0]
			} else {
				r.buf = append(r.buf, chunk...)
			}
		}
	}
	r.advance(n)
	if over {
		return nil, n, true, err
	}
	line = bytes.TrimSuffix(r.buf, []byte{'\n'})
	return line, n, len(line) > r.opt.MaxLineBytes, err
}

func (r *Reader) advance(n int) {
	if n > 0 {
		r.off += int64(n)
		r.line++
	}
}

// Close releases the decompressor and closes the file opened by Open.
// Calling it twice is safe; the second call returns nil.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	var err error
	if r.dec != nil {
		err = r.dec.Close()
	}
	if r.zdec != nil {
		r.zdec.Close()
	}
	if r.file != nil {
		if cerr := r.file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("jsonl: %s: %w", r.name, err)
	}
	return nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
