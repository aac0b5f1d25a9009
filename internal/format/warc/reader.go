package warc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"winnow"
	"winnow/internal/format/seek"
)

// DefaultMaxPayload is the default limit on a document's payload, 16 MiB.
// Common Crawl truncates payloads at 1 MiB (its fetcher's content limit,
// marked by WARC-Truncated: length), so a CC record never reaches it;
// the limit is for other crawls, where a multi-GB video or ISO would
// otherwise be held in memory.
const DefaultMaxPayload = 16 << 20

// Options tunes a Reader. The zero value means the defaults.
type Options struct {
	// MaxPayload bounds, in bytes, the block of a record that may become
	// a document and its payload after decoding. A larger record is
	// skipped with a *winnow.ParseError wrapping the limit; 0 means
	// DefaultMaxPayload.
	MaxPayload int64
}

// maxHeader bounds the WARC header block of one record.
const maxHeader = 1 << 20

// peekHTTP is how much of an oversized response block is read to learn
// whether it would have become a document.
const peekHTTP = 64 << 10

// Reader reads documents from one WARC or WET input. Its methods are not
// safe for concurrent use.
type Reader struct {
	name  string // for errors and Pos.File
	base  string // Metadata.WARCFilename
	opts  Options
	close io.Closer

	cnt *countingReader
	src *bufio.Reader
	gz  *gunzip // set for a gzip input
	zs  *unzstd // set for a zstd input
	s   *stream

	started bool
	done    bool // no more records: Next returns io.EOF
	closed  bool
	err     error              // sticky input failure
	pending *winnow.ParseError // a second error found with the last one
	record  int64              // number of the next record
	skipped map[string]int64

	// Seek points (see SeekPoint): items counts the results Next has
	// returned; point is the latest record start from which a reader
	// opened with OpenAt reads what a full read reads; since lists the
	// skip reasons counted after it, so that the skip counts at the point
	// need no copy of the map per record.
	items    int64
	point    seek.Point
	hasPoint bool
	since    []string
	startAt  int64 // decompressed offset of the first byte read (OpenAt)
}

var _ winnow.Reader = (*Reader)(nil)

// errClosed is returned by Next after Close.
var errClosed = errors.New("warc: reader is closed")

// Open opens a WARC or WET file, plain, gzip-compressed (one member per
// record, or one member for the whole file) or zstd-compressed (.warc.zst,
// with or without the dictionary frame of the IIPC warc-zstd
// specification), with default Options.
// Compression is detected from the first bytes, not the name, so
// in-progress ".open" files read like any other. An ARC file (".arc",
// ".arc.gz") is refused with an error.
func Open(path string) (winnow.Reader, error) {
	return OpenOptions(path, Options{})
}

// OpenOptions is Open with options.
func OpenOptions(path string, opts Options) (*Reader, error) {
	n := strings.TrimSuffix(strings.ToLower(path), ".open")
	if strings.HasSuffix(n, ".arc") || strings.HasSuffix(n, ".arc.gz") {
		return nil, fmt.Errorf("warc: %s: ARC files are not supported", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("warc: %w", err)
	}
	r := NewReaderOptions(f, path, opts)
	r.close = f
	return r, nil
}

// OpenAt opens the WARC file at path like OpenOptions and starts reading
// at p, a point that SeekPoint returned for the same file, unchanged:
// Next then returns result number p.Items of a full read and everything
// after it, with the same positions, record numbers, IDs and errors, and
// Skipped counts on from p.Skipped. The file must be uncompressed or
// gzip-compressed, and a gzip member (for a gzip file) or "WARC/" (for an
// uncompressed file) must start at p.Offset; otherwise OpenAt returns an
// error naming the file.
func OpenAt(path string, opts Options, p seek.Point) (*Reader, error) {
	if p.Offset < 0 || p.Base < 0 || p.Record < 0 || p.Items < 0 {
		return nil, fmt.Errorf("warc: %s: bad seek point %+v", path, p)
	}
	r, err := OpenOptions(path, opts)
	if err != nil {
		return nil, err
	}
	f := r.close.(*os.File)
	fail := func(format string, a ...any) (*Reader, error) {
		f.Close()
		return nil, fmt.Errorf("warc: %s: "+format, append([]any{path}, a...)...)
	}
	head := make([]byte, len(gzipMagic))
	if _, err := f.ReadAt(head, 0); err != nil {
		return fail("%v", err)
	}
	gz := bytes.Equal(head, gzipMagic)
	if !gz && p.Base != p.Offset {
		return fail("cannot start at offset %d of an uncompressed file at stream offset %d", p.Offset, p.Base)
	}
	at := make([]byte, len(warcMagic))
	if _, err := f.ReadAt(at, p.Offset); err != nil {
		return fail("no record at offset %d: %v", p.Offset, err)
	}
	switch {
	case gz && !bytes.HasPrefix(at, gzipMagic):
		return fail("no gzip member starts at offset %d", p.Offset)
	case !gz && !bytes.Equal(at, warcMagic):
		return fail("no record starts at offset %d", p.Offset)
	}
	if _, err := f.Seek(p.Offset, io.SeekStart); err != nil {
		return fail("%v", err)
	}
	r.cnt.n = p.Offset
	r.startAt = p.Base
	r.record = p.Record
	r.items = p.Items
	for k, v := range p.Skipped {
		r.skipped[k] = v
	}
	return r, nil
}

// NewReader reads WARC records from r, like Open; name is used in errors
// and Doc.Pos.File, and its base name is Metadata.WARCFilename. Closing
// the Reader does not close r.
func NewReader(r io.Reader, name string) winnow.Reader {
	return NewReaderOptions(r, name, Options{})
}

// NewReaderOptions is NewReader with options.
func NewReaderOptions(r io.Reader, name string, opts Options) *Reader {
	if opts.MaxPayload <= 0 {
		opts.MaxPayload = DefaultMaxPayload
	}
	cnt := &countingReader{r: r}
	return &Reader{
		name:    name,
		base:    filepath.Base(name),
		opts:    opts,
		cnt:     cnt,
		src:     bufio.NewReaderSize(cnt, 64<<10),
		skipped: make(map[string]int64),
	}
}

// Skipped returns how many records were read but not turned into
// documents, by reason. The reasons are:
//
//	type:<t>          a record of WARC-Type t that never holds a document:
//	                  warcinfo, request, metadata, revisit, continuation;
//	                  type:other for any other or missing type
//	status:<c>xx      an HTTP response whose status is not 2xx, by class
//	                  (status:3xx, status:4xx, ...; status:other outside
//	                  100-599)
//	non_html:<mt>     a response or resource record whose media type is not
//	                  text/html or application/xhtml+xml; non_html:none
//	                  when there is no Content-Type and the payload does
//	                  not sniff as HTML
//	non_text:<mt>     a conversion record whose media type is not text/plain
//	empty             a record that would be a document but has no payload
//
// A media type that does not look like one is counted as "invalid". The
// map is a copy.
func (r *Reader) Skipped() map[string]int64 {
	m := make(map[string]int64, len(r.skipped))
	for k, v := range r.skipped {
		m[k] = v
	}
	return m
}

// skip counts a record skipped on purpose for reason.
func (r *Reader) skip(reason string) {
	r.skipped[reason]++
	if r.hasPoint {
		r.since = append(r.since, reason)
	}
}

// SeekPoint returns the latest point from which a reader opened with
// OpenAt returns the result Next returned last and every later one,
// exactly as this reader does (documents with the same Pos and ID, the
// same errors, the same Skipped counts at the end). Points are the starts
// of records that begin a gzip member (a file compressed per record, the
// Common Crawl layout) or, in an uncompressed file, of any record. ok is
// false when there is none: a zstd file, or a gzip file whose records do
// not start members (one member for the whole file) after the first.
func (r *Reader) SeekPoint() (p seek.Point, ok bool) {
	if !r.hasPoint || r.zs != nil {
		return seek.Point{}, false
	}
	p = r.point
	m := r.Skipped()
	for _, k := range r.since {
		if m[k]--; m[k] == 0 {
			delete(m, k)
		}
	}
	if len(m) > 0 {
		p.Skipped = m
	}
	return p, true
}

// InputBytes returns how many bytes of the input (compressed, as stored)
// have been read so far, for throughput and progress. It runs ahead of the
// last document by the read-ahead buffers: at most 64 KiB of compressed
// input plus 128 KiB of decompressed data.
func (r *Reader) InputBytes() int64 { return r.cnt.n }

// Close releases the file opened by Open. Calling it twice is safe.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.zs != nil {
		r.zs.close()
	}
	if r.close != nil {
		if err := r.close.Close(); err != nil {
			return fmt.Errorf("warc: %w", err)
		}
	}
	return nil
}

// Next returns the next document, io.EOF at the end, a *winnow.ParseError
// for a bad record or a region that is not a record (reading goes on with
// the next call), or another error when the input cannot be read further.
func (r *Reader) Next() (*winnow.Doc, error) {
	d, err := r.read()
	if err != io.EOF {
		r.items++
	}
	return d, err
}

// read is Next without the count of results.
func (r *Reader) read() (*winnow.Doc, error) {
	if r.closed {
		return nil, errClosed
	}
	if r.err != nil {
		return nil, r.err
	}
	if !r.started {
		r.started = true
		b, err := r.src.Peek(4)
		if err != nil && r.cnt.err != nil {
			r.err = fmt.Errorf("warc: read %s: %w", r.name, r.cnt.err)
			return nil, r.err
		}
		switch {
		case bytes.HasPrefix(b, gzipMagic[:2]):
			r.gz = &gunzip{src: r.src, cnt: r.cnt, upos: r.startAt}
			r.s = newStream(r.gz)
			r.s.members = &r.gz.members
		case bytes.HasPrefix(b, zstdMagic), bytes.HasPrefix(b, zstdDictFrame):
			zs, err := newUnzstd(r)
			if err != nil {
				r.err = fmt.Errorf("warc: read %s: %w", r.name, err)
				return nil, r.err
			}
			r.zs = zs
			r.s = newStream(zs)
		default:
			r.s = newStream(r.src)
		}
		r.s.base = r.startAt
	}
	for {
		if r.pending != nil {
			pe := r.pending
			r.pending = nil
			return nil, pe
		}
		if r.done {
			return nil, io.EOF
		}
		doc, err := r.next()
		if err != nil {
			var pe *winnow.ParseError
			if !errors.As(err, &pe) && err != io.EOF {
				r.err = fmt.Errorf("warc: read %s: %w", r.name, err)
				return nil, r.err
			}
			if err == io.EOF {
				r.done = true
			}
			return nil, err
		}
		if doc != nil {
			return doc, nil
		}
	}
}

// offsetAt maps a decompressed offset to the offset reported in
// Pos.Offset: in a gzip input, the compressed offset of the member that
// starts there, if one does, else the decompressed offset itself.
func (r *Reader) offsetAt(upos int64) int64 {
	off, _ := r.memberAt(upos)
	return off
}

// memberAt is offsetAt that also says whether a gzip member starts at
// upos.
func (r *Reader) memberAt(upos int64) (int64, bool) {
	if r.gz == nil {
		return upos, false
	}
	m := r.gz.members
	i := 0
	for i < len(m) && m[i].upos < upos {
		i++
	}
	for i+1 < len(m) && m[i+1].upos == upos {
		i++
	}
	// Forget members before this one; keep the slice from growing with
	// one entry per record.
	r.gz.members = append(m[:0], m[i:]...)
	if len(r.gz.members) > 0 && r.gz.members[0].upos == upos {
		return r.gz.members[0].cpos, true
	}
	return upos, false
}

// gapError builds the ParseError of a bad region between records.
func (r *Reader) gapError(off int64, err error) *winnow.ParseError {
	return &winnow.ParseError{File: r.name, Offset: off, Record: -1, Err: err}
}

// classify turns a stream error met outside a record into the value Next
// returns: io.EOF, a ParseError for a corrupt gzip region, or the failure.
func (r *Reader) classify(err error) error {
	var ge *corruptError
	if errors.As(err, &ge) {
		return r.gapError(ge.Offset, ge)
	}
	if err == io.ErrUnexpectedEOF {
		return io.EOF
	}
	return err
}

// truncated is the error of a record whose input ended or broke before the
// record did.
func truncated(err error) error {
	var ge *corruptError
	if errors.As(err, &ge) {
		return fmt.Errorf("warc: truncated record: %w", ge)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New("warc: truncated record: input ends early")
	}
	return err
}

// isFailure says whether err means the input itself failed.
func isFailure(err error) bool {
	var ge *corruptError
	return err != nil && err != io.EOF && err != io.ErrUnexpectedEOF && !errors.As(err, &ge)
}

// next reads one record or one bad region. It returns a document, nil and
// nil for a skipped record, a *ParseError, io.EOF, or an input failure.
func (r *Reader) next() (*winnow.Doc, error) {
	s := r.s
	if err := s.skipSpace(); err != nil {
		return nil, r.classify(err)
	}
	ok, err := s.atRecord()
	if isFailure(err) {
		return nil, err
	}
	if !ok {
		return nil, r.junk(err)
	}
	return r.readRecord()
}

// junk skips a region that is not a record up to the next line starting
// with "WARC/" and reports it. err is an error met while looking at its
// first bytes.
func (r *Reader) junk(err error) error {
	s := r.s
	off := r.offsetAt(s.pos())
	if b := s.buffered(); s.pos() == 0 && bytes.HasPrefix(b, []byte("filedesc:")) {
		r.done = true
		return r.gapError(off, errors.New("warc: input is an ARC file, which is not supported"))
	}
	var n int64
	if err == nil {
		n, err = s.resync()
	} else {
		// Fewer than five bytes are left before the end or a corrupt
		// gzip region.
		n = int64(len(s.buffered()))
		s.r = s.w
	}
	if isFailure(err) {
		return err
	}
	var ge *corruptError
	if errors.As(err, &ge) {
		if n == 0 {
			return r.gapError(ge.Offset, ge)
		}
		r.pending = r.gapError(ge.Offset, ge)
	}
	return r.gapError(off, fmt.Errorf("warc: skipped %d bytes that are not a WARC record", n))
}

// readRecord reads the record that starts at the stream position.
func (r *Reader) readRecord() (*winnow.Doc, error) {
	s := r.s
	off, member := r.memberAt(s.pos())
	pos := winnow.Position{File: r.name, Offset: off, Record: r.record}
	if r.zs == nil && (r.gz == nil || member) {
		// A fresh reader started at off sees the same bytes from here on:
		// the start of a gzip member, or of a record in a plain file.
		r.point = seek.Point{Offset: off, Base: s.pos(), Record: r.record, Items: r.items}
		r.hasPoint = true
		r.since = r.since[:0]
	}
	r.record++
	bad := func(id string, err error) *winnow.ParseError {
		return &winnow.ParseError{File: r.name, Offset: pos.Offset, Record: pos.Record, ID: id, Err: err}
	}

	// Header: the version line, then fields up to an empty line.
	line, err := s.readLine()
	if err != nil {
		if isFailure(err) {
			return nil, err
		}
		if err == errLineTooLong {
			return nil, r.resyncAfter(bad("", err))
		}
		return nil, bad("", truncated(err))
	}
	var hdr fields
	size := len(line)
	for {
		line, err = s.readLine()
		if err != nil {
			if isFailure(err) {
				return nil, err
			}
			if err == errLineTooLong {
				return nil, r.resyncAfter(bad(recordID(hdr), err))
			}
			return nil, bad(recordID(hdr), truncated(err))
		}
		size += len(line)
		l := trimEOL(line)
		if len(l) == 0 {
			break
		}
		if bytes.HasPrefix(l, warcMagic) {
			// A new record begins inside this header: this one was cut.
			s.r -= len(line)
			return nil, bad(recordID(hdr), errors.New("warc: record header ends without an empty line"))
		}
		if size > maxHeader {
			return nil, r.resyncAfter(bad(recordID(hdr), errors.New("warc: record header longer than 1 MiB")))
		}
		hdr = hdr.addLine(l)
	}

	id := recordID(hdr)
	cl := hdr.get("content-length")
	n, err := strconv.ParseInt(cl, 10, 64)
	if err != nil || n < 0 {
		return nil, r.resyncAfter(bad(id, fmt.Errorf("warc: bad Content-Length %q", truncate([]byte(cl), 32))))
	}
	typ := strings.ToLower(hdr.get("warc-type"))
	switch typ {
	case "response", "resource", "conversion":
	case "warcinfo", "request", "metadata", "revisit", "continuation":
		return r.skipBlock(n, "type:"+typ, bad, id)
	default:
		return r.skipBlock(n, "type:other", bad, id)
	}

	if n > r.opts.MaxPayload {
		return r.oversized(typ, n, hdr, bad, id)
	}
	block := make([]byte, n)
	if k, err := s.readFull(block); err != nil {
		if isFailure(err) {
			return nil, err
		}
		return nil, bad(id, fmt.Errorf("%w (%d of %d bytes)", truncated(err), k, n))
	}
	if over := r.overrun(n); over > 0 {
		block = trimRecordEnd(block[:n-int64(over)])
		r.pending = bad(id, fmt.Errorf("warc: Content-Length %d runs %d bytes into the next record", n, over))
	}

	doc := &winnow.Doc{
		ID:      id,
		Created: normDate(hdr.get("warc-date")),
		Pos:     pos,
		Metadata: winnow.Metadata{
			URL:          stripBrackets(hdr.get("warc-target-uri")),
			WARCRecordID: id,
			WARCDate:     hdr.get("warc-date"),
			WARCFilename: r.base,
		},
	}
	if doc.ID == "" {
		doc.ID = fmt.Sprintf("%s#%d", r.base, pos.Record)
	}
	switch typ {
	case "response":
		return r.response(doc, hdr, block, bad)
	case "resource":
		ct := hdr.get("content-type")
		if mt := mediaType(ct); !isHTML(mt) {
			r.skip("non_html:" + mediaLabel(mt))
			return nil, nil
		}
		if len(block) == 0 {
			r.skip("empty")
			return nil, nil
		}
		doc.Metadata.ContentType = ct
		doc.Payload = block
		return doc, nil
	default: // conversion
		ct := hdr.get("content-type")
		if mt := mediaType(ct); mt != "" && mt != "text/plain" {
			r.skip("non_text:" + mediaLabel(mt))
			return nil, nil
		}
		if len(block) == 0 {
			r.skip("empty")
			return nil, nil
		}
		doc.Metadata.ContentType = ct
		doc.Text = string(block)
		if ref := stripBrackets(hdr.get("warc-refers-to")); ref != "" {
			v, _ := json.Marshal(ref)
			doc.Metadata.Extra = map[string]json.RawMessage{"warc_refers_to": v}
		}
		return doc, nil
	}
}

// response turns a response record's HTTP block into a document, or
// counts why it is skipped.
func (r *Reader) response(doc *winnow.Doc, hdr fields, block []byte, bad func(string, error) *winnow.ParseError) (*winnow.Doc, error) {
	if len(block) == 0 {
		r.skip("empty")
		return nil, nil
	}
	h, body, err := parseHTTP(block)
	if err != nil {
		return nil, bad(doc.Metadata.WARCRecordID, err)
	}
	if reason := r.httpSkip(h); reason != "" {
		r.skip(reason)
		return nil, nil
	}
	ct := h.fields.get("content-type")
	if te := strings.ToLower(h.fields.get("transfer-encoding")); strings.Contains(te, "chunked") {
		if body, err = dechunk(body, r.opts.MaxPayload); err != nil {
			return nil, bad(doc.Metadata.WARCRecordID, err)
		}
	}
	if body, err = decodeContent(body, h.fields.get("content-encoding"), r.opts.MaxPayload); err != nil {
		return nil, bad(doc.Metadata.WARCRecordID, err)
	}
	if len(body) == 0 {
		r.skip("empty")
		return nil, nil
	}
	if mediaType(ct) == "" && !sniffHTML(body) {
		r.skip("non_html:none")
		return nil, nil
	}
	doc.Metadata.ContentType = ct
	doc.Payload = body
	return doc, nil
}

// httpSkip returns the reason to skip a response with head h, or "".
func (r *Reader) httpSkip(h httpHead) string {
	switch {
	case h.status < 100 || h.status > 599:
		return "status:other"
	case h.status/100 != 2:
		return "status:" + strconv.Itoa(h.status/100) + "xx"
	}
	if mt := mediaType(h.fields.get("content-type")); mt != "" && !isHTML(mt) {
		return "non_html:" + mediaLabel(mt)
	}
	return ""
}

// oversized handles a response, resource or conversion record whose block
// is over MaxPayload: it is skipped with its usual reason when it would
// not have become a document, else reported as too large. Either way the
// block is discarded without being held in memory.
func (r *Reader) oversized(typ string, n int64, hdr fields, bad func(string, error) *winnow.ParseError, id string) (*winnow.Doc, error) {
	reason := ""
	head := make([]byte, min(n, peekHTTP))
	k, err := r.s.readFull(head)
	if err == nil {
		switch typ {
		case "response":
			if h, _, err := parseHTTP(head); err == nil {
				reason = r.httpSkip(h)
			}
		case "resource":
			if mt := mediaType(hdr.get("content-type")); !isHTML(mt) {
				reason = "non_html:" + mediaLabel(mt)
			}
		default:
			if mt := mediaType(hdr.get("content-type")); mt != "" && mt != "text/plain" {
				reason = "non_text:" + mediaLabel(mt)
			}
		}
		_, err = r.s.discard(n - int64(k))
	}
	if err != nil {
		if isFailure(err) {
			return nil, err
		}
		return nil, bad(id, truncated(err))
	}
	if reason != "" {
		r.skip(reason)
		return nil, nil
	}
	return nil, bad(id, errTooLarge{size: n, limit: r.opts.MaxPayload})
}

// skipBlock discards the block of a record that is not a document.
func (r *Reader) skipBlock(n int64, reason string, bad func(string, error) *winnow.ParseError, id string) (*winnow.Doc, error) {
	if _, err := r.s.discard(n); err != nil {
		if isFailure(err) {
			return nil, err
		}
		return nil, bad(id, truncated(err))
	}
	r.skip(reason)
	if over := r.overrun(n); over > 0 {
		return nil, bad(id, fmt.Errorf("warc: Content-Length %d runs %d bytes into the next record", n, over))
	}
	return nil, nil
}

// overrunWindow is how far back from the end of a block overrun looks for
// the start of the next record: a Content-Length a few bytes too long.
const overrunWindow = 64

// overrun checks the end of a block of n bytes just read. When what
// follows is neither line ends, the end of input nor "WARC/", and a line
// starting with "WARC/" begins within the last overrunWindow bytes of the
// block, the Content-Length was too long: overrun puts the bytes from that
// line on back into the stream and returns how many there are.
func (r *Reader) overrun(n int64) int {
	s := r.s
	tail := s.consumed(int(min(n, overrunWindow)))
	if len(tail) == 0 {
		return 0
	}
	next := s.peekSoft(16)
	rest := bytes.TrimLeft(next, "\r\n")
	if len(rest) == 0 || bytes.HasPrefix(rest, warcMagic) || len(next) < 16 && bytes.HasPrefix(warcMagic, rest) {
		return 0
	}
	i := bytes.LastIndex(tail, []byte("\nWARC/"))
	if i < 0 {
		return 0
	}
	back := tail[i+1:]
	s.unread(back)
	return len(back)
}

// trimRecordEnd removes the empty lines that end a record ("\r\n\r\n",
// or "\n\n" with LF-only lines) from a block cut at the next record.
func trimRecordEnd(b []byte) []byte {
	if c := bytes.TrimSuffix(b, []byte("\r\n\r\n")); len(c) < len(b) {
		return c
	}
	return bytes.TrimSuffix(b, []byte("\n\n"))
}

// resyncAfter skips to the next line starting with "WARC/" after a record
// that cannot be framed, and returns pe (or the input failure met).
func (r *Reader) resyncAfter(pe *winnow.ParseError) error {
	_, err := r.s.resync()
	if isFailure(err) {
		return err
	}
	var ge *corruptError
	if errors.As(err, &ge) {
		r.pending = r.gapError(ge.Offset, ge)
	}
	return pe
}

// recordID is the WARC-Record-ID without its angle brackets.
func recordID(h fields) string {
	return stripBrackets(h.get("warc-record-id"))
}
