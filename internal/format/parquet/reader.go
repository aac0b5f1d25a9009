package parquet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"winnow"
)

// Options says which columns hold the document fields. Empty names take
// the defaults. Only TextColumn must exist; a missing optional column is
// ignored.
type Options struct {
	TextColumn       string // "text"
	IDColumn         string // "id"; when absent, the id is "<file base name>/<row>"
	URLColumn        string // "url", into Metadata.URL
	SourceColumn     string // "source"
	CreatedColumn    string // "created"; a string, or a TIMESTAMP column
	AddedColumn      string // "added"
	VersionColumn    string // "version"
	MetadataColumn   string // "metadata": a JSON object string, as ShardWriter writes
	AttributesColumn string // "attributes": a JSON object string
	// BatchRows is how many rows are decoded at once (default 256).
	BatchRows int
}

func (o Options) withDefaults() Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.TextColumn, "text")
	def(&o.IDColumn, "id")
	def(&o.URLColumn, "url")
	def(&o.SourceColumn, "source")
	def(&o.CreatedColumn, "created")
	def(&o.AddedColumn, "added")
	def(&o.VersionColumn, "version")
	def(&o.MetadataColumn, "metadata")
	def(&o.AttributesColumn, "attributes")
	if o.BatchRows <= 0 {
		o.BatchRows = 256
	}
	return o
}

// Field slots, the order of Reader.cols.
const (
	colText = iota
	colID
	colURL
	colSource
	colCreated
	colAdded
	colVersion
	colMetadata
	colAttributes
	numCols
)

// Reader yields one document per row. It implements winnow.Reader.
type Reader struct {
	path string
	base string
	f    io.Closer
	pf   *pq.File

	cols  [numCols]int     // leaf column index per slot, -1 absent
	nodes [numCols]pq.Node // leaf node per slot
	slot  map[int]int      // leaf column index -> slot

	rg     int     // next row group
	rows   pq.Rows // rows of the current row group, nil between groups
	left   int64   // rows of the current group not yet read
	buf    []pq.Row
	n, i   int
	row    int64 // file row number of buf[i]
	closed bool
}

var _ winnow.Reader = (*Reader)(nil)

// Open opens a Parquet file. It fails when the file is not Parquet, its
// footer cannot be read, or the text column is missing, repeated or not
// a byte array.
func Open(path string, opt Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("parquet: %w", err)
	}
	return open(path, filepath.Base(path), f, fi.Size(), f, opt)
}

// RemoteReadBuffer is the read buffer, in bytes, of each column chunk a
// Reader from OpenReaderAt reads: one ranged request fetches this much.
// parquet-go's ReadBufferSize documentation suggests about 4 MiB for
// network storage; 1 MiB keeps the nine columns a Reader may read within
// 9 MiB per open input, at about one request per MiB of column data.
const RemoteReadBuffer = 1 << 20

// OpenReaderAt opens Parquet data of size bytes read through ra, such as
// an object in object storage (internal/blob.OpenReaderAt); name is its
// path or URL for positions and errors, c (may be nil) is closed by
// Close. Columns are read RemoteReadBuffer bytes at a time. Errors are
// Open's.
func OpenReaderAt(name string, ra io.ReaderAt, size int64, c io.Closer, opt Options) (*Reader, error) {
	base := name
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	return open(name, base, ra, size, c, opt, pq.ReadBufferSize(RemoteReadBuffer))
}

func open(path, base string, ra io.ReaderAt, size int64, c io.Closer, opt Options, extra ...pq.FileOption) (*Reader, error) {
	opt = opt.withDefaults()
	if c == nil {
		c = io.NopCloser(nil)
	}
	f := c
	pf, err := pq.OpenFile(ra, size, append([]pq.FileOption{pq.SkipPageIndex(true), pq.SkipBloomFilters(true)}, extra...)...)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("parquet: %s: %w", path, err)
	}
	r := &Reader{path: path, base: base, f: f, pf: pf, slot: map[int]int{}}
	names := [numCols]string{opt.TextColumn, opt.IDColumn, opt.URLColumn, opt.SourceColumn,
		opt.CreatedColumn, opt.AddedColumn, opt.VersionColumn, opt.MetadataColumn, opt.AttributesColumn}
	for s, name := range names {
		r.cols[s] = -1
		leaf, ok := pf.Schema().Lookup(strings.Split(name, ".")...)
		if !ok || !leaf.Node.Leaf() {
			if s == colText {
				f.Close()
				return nil, fmt.Errorf("parquet: %s: no text column %q", path, name)
			}
			continue
		}
		if leaf.MaxRepetitionLevel > 0 {
			f.Close()
			return nil, fmt.Errorf("parquet: %s: column %q is repeated", path, name)
		}
		if s == colText && leaf.Node.Type().Kind() != pq.ByteArray {
			f.Close()
			return nil, fmt.Errorf("parquet: %s: text column %q is %s, not a string", path, name, leaf.Node.Type())
		}
		r.cols[s] = leaf.ColumnIndex
		r.nodes[s] = leaf.Node
		r.slot[leaf.ColumnIndex] = s
	}
	r.buf = make([]pq.Row, opt.BatchRows)
	return r, nil
}

// NumRows returns the number of rows the file holds.
func (r *Reader) NumRows() int64 { return r.pf.NumRows() }

// Next returns the next document, io.EOF after the last row, or a
// *winnow.ParseError for a bad row or an undecodable row group.
func (r *Reader) Next() (*winnow.Doc, error) {
	if r.closed {
		return nil, errors.New("parquet: read after close")
	}
	for r.i >= r.n {
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
	row := r.buf[r.i]
	num := r.row
	r.i++
	r.row++
	return r.decode(row, num)
}

// fill decodes the next batch of rows.
func (r *Reader) fill() error {
	r.i, r.n = 0, 0
	if r.rows == nil {
		groups := r.pf.RowGroups()
		if r.rg >= len(groups) {
			return io.EOF
		}
		g := groups[r.rg]
		r.rg++
		r.rows = g.Rows()
		r.left = g.NumRows()
	}
	n, err := r.rows.ReadRows(r.buf)
	r.n = n
	r.left -= int64(n)
	if err == nil && r.left <= 0 {
		err = io.EOF
	}
	if err != nil {
		r.rows.Close()
		r.rows = nil
		if !errors.Is(err, io.EOF) || r.left > 0 {
			// The rest of the row group is lost; the next call starts
			// the next group.
			bad := r.row + int64(n)
			r.n = 0
			r.row = bad + max(r.left, 0)
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return &winnow.ParseError{File: r.path, Offset: -1, Record: bad,
				Err: fmt.Errorf("parquet: row group %d: %w", r.rg-1, err)}
		}
	}
	return nil
}

func (r *Reader) bad(row int64, id string, format string, args ...any) error {
	return &winnow.ParseError{File: r.path, Offset: -1, Record: row, ID: id,
		Err: fmt.Errorf("parquet: "+format, args...)}
}

// decode turns one row into a document.
func (r *Reader) decode(row pq.Row, num int64) (*winnow.Doc, error) {
	var vals [numCols]pq.Value
	var have [numCols]bool
	for _, v := range row {
		if s, ok := r.slot[v.Column()]; ok && !v.IsNull() {
			vals[s], have[s] = v, true
		}
	}
	d := &winnow.Doc{Pos: winnow.Position{File: r.path, Offset: -1, Record: num}}
	if have[colID] {
		d.ID = r.str(colID, vals[colID])
	} else {
		d.ID = r.base + "/" + strconv.FormatInt(num, 10)
	}
	if !have[colText] {
		return nil, r.bad(num, d.ID, "row has no text")
	}
	d.Text = string(vals[colText].ByteArray())
	if !utf8.ValidString(d.Text) {
		return nil, r.bad(num, d.ID, "text is not valid UTF-8")
	}
	if have[colMetadata] {
		if err := json.Unmarshal(vals[colMetadata].ByteArray(), &d.Metadata); err != nil {
			return nil, r.bad(num, d.ID, "metadata: %v", err)
		}
	}
	if have[colAttributes] {
		if err := json.Unmarshal(vals[colAttributes].ByteArray(), &d.Attributes); err != nil {
			return nil, r.bad(num, d.ID, "attributes: %v", err)
		}
	}
	if have[colURL] {
		if u := r.str(colURL, vals[colURL]); u != "" {
			d.Metadata.URL = u
		}
	}
	if have[colSource] {
		d.Source = r.str(colSource, vals[colSource])
	}
	if have[colCreated] {
		d.Created = r.str(colCreated, vals[colCreated])
	}
	if have[colAdded] {
		d.Added = r.str(colAdded, vals[colAdded])
	}
	if have[colVersion] {
		d.Version = r.str(colVersion, vals[colVersion])
	}
	return d, nil
}

// str renders a value as a string: byte arrays as they are, TIMESTAMP
// columns as RFC 3339 in UTC, other numbers in decimal.
func (r *Reader) str(slot int, v pq.Value) string {
	switch v.Kind() {
	case pq.ByteArray, pq.FixedLenByteArray:
		return string(v.ByteArray())
	case pq.Int64, pq.Int32:
		x := v.Int64()
		if v.Kind() == pq.Int32 {
			x = int64(v.Int32())
		}
		if lt := r.nodes[slot].Type().LogicalType(); lt != nil {
			if ts, ok := lt.Value.(*format.TimestampType); ok && ts.Unit.Value != nil {
				unit := int64(ts.Unit.Value.Duration())
				return time.Unix(0, x*unit).UTC().Format(time.RFC3339Nano)
			}
		}
		return strconv.FormatInt(x, 10)
	}
	return v.String()
}

// Close releases the file; calling it twice is safe.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.rows != nil {
		r.rows.Close()
		r.rows = nil
	}
	return r.f.Close()
}
