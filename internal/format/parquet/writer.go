package parquet

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"winnow"
)

// row is the document schema (see the package doc).
type row struct {
	ID         string `parquet:"id"`
	Text       string `parquet:"text"`
	Source     string `parquet:"source"`
	Added      string `parquet:"added,optional"`
	Created    string `parquet:"created,optional"`
	Version    string `parquet:"version,optional"`
	URL        string `parquet:"url,optional"`
	Metadata   string `parquet:"metadata"`
	Attributes string `parquet:"attributes,optional"`
}

// Defaults of ShardOptions.
const (
	DefaultMaxShardBytes = 512 << 20
	// DefaultRowGroupRows and DefaultRowGroupBytes keep a row group near
	// the 64-128 MiB that Parquet readers are tuned for while bounding
	// the writer's buffer.
	DefaultRowGroupRows  = 100_000
	DefaultRowGroupBytes = 64 << 20
)

// ShardOptions configures a ShardWriter. The zero value is usable: zstd
// shards of at most 512 MiB of strings from 00000, row groups of at most
// 100,000 rows or 64 MiB of strings.
type ShardOptions struct {
	// Compression of the column pages: "zstd" (default), "snappy",
	// "gzip" or "none".
	Compression string
	// MaxShardBytes is the most string bytes (text, metadata JSON and
	// the other columns, uncompressed) one shard holds. A document that
	// would push the shard past it starts the next shard.
	MaxShardBytes int64
	// FirstIndex is the number of the first shard.
	FirstIndex int
	// RowGroupRows and RowGroupBytes end a row group after this many rows
	// or string bytes, whichever comes first. The writer holds at most
	// one row group in memory.
	RowGroupRows  int
	RowGroupBytes int64
}

var codecs = map[string]compress.Codec{
	"zstd": &pq.Zstd, "snappy": &pq.Snappy, "gzip": &pq.Gzip, "none": &pq.Uncompressed,
}

func (o ShardOptions) withDefaults() (ShardOptions, error) {
	if o.Compression == "" {
		o.Compression = "zstd"
	}
	if _, ok := codecs[o.Compression]; !ok {
		return o, fmt.Errorf("parquet: unknown compression %q (want zstd, snappy, gzip or none)", o.Compression)
	}
	if o.MaxShardBytes == 0 {
		o.MaxShardBytes = DefaultMaxShardBytes
	}
	if o.RowGroupRows == 0 {
		o.RowGroupRows = DefaultRowGroupRows
	}
	if o.RowGroupBytes == 0 {
		o.RowGroupBytes = DefaultRowGroupBytes
	}
	if o.MaxShardBytes < 0 || o.RowGroupRows < 0 || o.RowGroupBytes < 0 || o.FirstIndex < 0 {
		return o, errors.New("parquet: negative shard size, row group size or first index")
	}
	return o, nil
}

// shard is the open output file.
type shard struct {
	f          *os.File
	tmp, final string
	w          *pq.GenericWriter[row]
	bytes      int64
	groupRows  int
	groupBytes int64
}

// ShardWriter writes documents to Parquet shards. It implements
// winnow.Writer: Write keeps the first error and returns it from every
// later call; Close commits the open shard.
type ShardWriter struct {
	dir   string
	opt   ShardOptions
	next  int
	cur   *shard
	done  []string
	docs  int64
	bytes int64
	err   error
	shut  bool
	batch []row
}

var _ winnow.Writer = (*ShardWriter)(nil)

// NewShardWriter writes document shards into dir, creating it.
func NewShardWriter(dir string, opt ShardOptions) (*ShardWriter, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	return &ShardWriter{dir: dir, opt: opt, next: opt.FirstIndex, batch: make([]row, 1)}, nil
}

func (w *ShardWriter) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	if w.cur != nil {
		w.cur.f.Close()
		os.Remove(w.cur.tmp)
		w.cur = nil
	}
	return w.err
}

func (w *ShardWriter) open() error {
	name := fmt.Sprintf("%05d.parquet", w.next)
	w.next++
	final := filepath.Join(w.dir, name)
	tmp := filepath.Join(w.dir, "."+name+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	pw := pq.NewGenericWriter[row](f,
		pq.Compression(codecs[w.opt.Compression]),
		pq.MaxRowsPerRowGroup(int64(w.opt.RowGroupRows)),
		pq.CreatedBy("winnow", "", ""),
	)
	w.cur = &shard{f: f, tmp: tmp, final: final, w: pw}
	return nil
}

// commit closes the open shard and renames it into place.
func (w *ShardWriter) commit() error {
	s := w.cur
	if err := s.w.Close(); err != nil {
		return fmt.Errorf("parquet: %s: %w", s.final, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if err := os.Rename(s.tmp, s.final); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	w.done = append(w.done, s.final)
	w.cur = nil
	return nil
}

// Write appends d to the current shard, rotating first when d would push
// the shard past MaxShardBytes.
func (w *ShardWriter) Write(d *winnow.Doc) error {
	if w.err != nil {
		return w.err
	}
	if w.shut {
		return errors.New("parquet: write after close")
	}
	meta, err := json.Marshal(d.Metadata)
	if err != nil {
		return w.fail(fmt.Errorf("parquet: document %q: metadata: %w", d.ID, err))
	}
	r := row{ID: d.ID, Text: d.Text, Source: d.Source, Added: d.Added, Created: d.Created,
		Version: d.Version, URL: d.Metadata.URL, Metadata: string(meta)}
	if len(d.Attributes) > 0 {
		a, err := json.Marshal(d.Attributes)
		if err != nil {
			return w.fail(fmt.Errorf("parquet: document %q: attributes: %w", d.ID, err))
		}
		r.Attributes = string(a)
	}
	size := int64(len(r.ID) + len(r.Text) + len(r.Source) + len(r.Added) + len(r.Created) +
		len(r.Version) + len(r.URL) + len(r.Metadata) + len(r.Attributes))
	if w.cur != nil && w.cur.bytes > 0 && w.cur.bytes+size > w.opt.MaxShardBytes {
		if err := w.commit(); err != nil {
			return w.fail(err)
		}
	}
	if w.cur == nil {
		if err := w.open(); err != nil {
			return w.fail(err)
		}
	}
	s := w.cur
	w.batch[0] = r
	if _, err := s.w.Write(w.batch); err != nil {
		return w.fail(fmt.Errorf("parquet: %s: %w", s.final, err))
	}
	w.batch[0] = row{}
	s.bytes += size
	s.groupRows++
	s.groupBytes += size
	w.docs++
	w.bytes += size
	if s.groupRows >= w.opt.RowGroupRows || s.groupBytes >= w.opt.RowGroupBytes {
		if err := s.w.Flush(); err != nil {
			return w.fail(fmt.Errorf("parquet: %s: %w", s.final, err))
		}
		s.groupRows, s.groupBytes = 0, 0
	}
	return nil
}

// Close commits the open shard. A writer that failed leaves no partial
// shard under a final name. Calling it twice is safe.
func (w *ShardWriter) Close() error {
	if w.shut {
		return w.err
	}
	w.shut = true
	if w.err != nil || w.cur == nil {
		return w.err
	}
	if err := w.commit(); err != nil {
		return w.fail(err)
	}
	return nil
}

// Shards returns the paths of the committed shards, in order.
func (w *ShardWriter) Shards() []string { return append([]string(nil), w.done...) }

// Written returns the documents written and their string bytes.
func (w *ShardWriter) Written() (docs, bytes int64) { return w.docs, w.bytes }
