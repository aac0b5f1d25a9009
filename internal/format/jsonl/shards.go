package jsonl

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// ShardOptions configures a ShardWriter or a RejectWriter. The zero value
// is usable: zstd shards of at most 512 MiB from 00000, no side files,
// attributes inline.
type ShardOptions struct {
	// Compression of the shards: "zst" (default), "gz" or "none".
	Compression string
	// MaxShardBytes is the most uncompressed JSON, in bytes, one shard
	// holds (default 512 MiB). A document that would push the shard past
	// it starts the next shard; a single larger document gets a shard of
	// its own.
	MaxShardBytes int64
	// FirstIndex is the number of the first shard.
	FirstIndex int
	// SideDir is the root of the side files (SideDir/<key>/NNNNN.bin).
	// Empty means that winnow.Doc.Side is not written.
	SideDir string
	// StandoffAttributes writes attributes to AttrDir/<set>/NNNNN.jsonl.zst
	// instead of inline; AttrDir must then be set.
	StandoffAttributes bool
	AttrDir            string
}

// DefaultMaxShardBytes is the default ShardOptions.MaxShardBytes: 512 MiB,
// a size that common object stores and dolma's tooling move comfortably.
const DefaultMaxShardBytes = 512 << 20

func (o ShardOptions) withDefaults() (ShardOptions, error) {
	if o.Compression == "" {
		o.Compression = "zst"
	}
	if _, ok := extensions[o.Compression]; !ok {
		return o, fmt.Errorf("jsonl: unknown compression %q (want zst, gz or none)", o.Compression)
	}
	if o.MaxShardBytes == 0 {
		o.MaxShardBytes = DefaultMaxShardBytes
	}
	if o.MaxShardBytes < 0 {
		return o, fmt.Errorf("jsonl: negative shard size %d", o.MaxShardBytes)
	}
	if o.FirstIndex < 0 {
		return o, fmt.Errorf("jsonl: negative first shard index %d", o.FirstIndex)
	}
	if o.StandoffAttributes && o.AttrDir == "" {
		return o, errors.New("jsonl: stand-off attributes need an attribute directory")
	}
	return o, nil
}

var extensions = map[string]string{"zst": ".jsonl.zst", "gz": ".jsonl.gz", "none": ".jsonl"}

// shardName is the base name of shard i.
func shardName(i int, ext string) string { return fmt.Sprintf("%05d%s", i, ext) }

// file is one output file written under a temporary name (".name.tmp" in
// the same directory) and renamed to its final name by commit.
type file struct {
	final, tmp string
	f          *os.File
	bw         *bufio.Writer
	zw         io.WriteCloser // the compressor, nil for plain files
	w          io.Writer      // where to write: zw or bw
}

// createFile creates the temporary file for final, making its directory.
func createFile(final, compression string) (*file, error) {
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("jsonl: %w", err)
	}
	tmp := filepath.Join(dir, "."+filepath.Base(final)+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("jsonl: %w", err)
	}
	out := &file{final: final, tmp: tmp, f: f, bw: bufio.NewWriterSize(f, 256<<10)}
	out.w = out.bw
	switch compression {
	case "zst":
		// One synchronous encoder per file: the executor owns concurrency.
		zw, err := zstd.NewWriter(out.bw, zstd.WithEncoderConcurrency(1), zstd.WithZeroFrames(true))
		if err != nil {
			out.abort()
			return nil, fmt.Errorf("jsonl: %w", err)
		}
		out.zw, out.w = zw, zw
	case "gz":
		zw, err := gzip.NewWriterLevel(out.bw, gzip.DefaultCompression)
		if err != nil {
			out.abort()
			return nil, fmt.Errorf("jsonl: %w", err)
		}
		out.zw, out.w = zw, zw
	}
	return out, nil
}

func (f *file) write(p []byte) error {
	if _, err := f.w.Write(p); err != nil {
		return fmt.Errorf("jsonl: %s: %w", f.final, err)
	}
	return nil
}

// finish flushes and closes the temporary file; it is still to be renamed.
func (f *file) finish() error {
	var err error
	if f.zw != nil {
		err = f.zw.Close()
	}
	if ferr := f.bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	f.f = nil
	if err != nil {
		return fmt.Errorf("jsonl: %s: %w", f.final, err)
	}
	return nil
}

// abort closes and removes the temporary file.
func (f *file) abort() {
	if f.f != nil {
		f.f.Close()
		f.f = nil
	}
	os.Remove(f.tmp)
}

// commitAll finishes the files and renames them to their final names, the
// first file last (the document shard, which readers look for). On error
// every file of the group is removed, final names included.
func commitAll(files []*file) error {
	var err error
	for _, f := range files {
		if ferr := f.finish(); ferr != nil && err == nil {
			err = ferr
		}
	}
	if err == nil {
		for i := len(files) - 1; i >= 0; i-- {
			if rerr := os.Rename(files[i].tmp, files[i].final); rerr != nil {
				err = fmt.Errorf("jsonl: %w", rerr)
				for _, g := range files[i+1:] {
					os.Remove(g.final)
				}
				break
			}
		}
	}
	if err != nil {
		for _, f := range files {
			f.abort()
		}
	}
	return err
}

// shards is the rotation and commit machinery shared by ShardWriter and
// RejectWriter: a sequence of line-oriented shards in one directory, each
// with optional companion files that are committed with it.
type shards struct {
	dir   string
	opt   ShardOptions
	ext   string
	next  int     // index of the next shard to open
	cur   *file   // the open shard, nil between shards
	comp  []*file // companion files of the open shard
	rows  int64   // lines in the open shard
	size  int64   // uncompressed bytes in the open shard
	done  []string
	dRows []int64 // lines of each committed shard
	docs  int64
	bytes int64
	err   error
	shut  bool
}

func newShards(dir string, opt ShardOptions) (*shards, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("jsonl: %w", err)
	}
	return &shards{dir: dir, opt: opt, ext: extensions[opt.Compression], next: opt.FirstIndex}, nil
}

// fail records the first error and removes the open shard.
func (s *shards) fail(err error) error {
	if s.err == nil {
		s.err = err
	}
	if s.cur != nil {
		s.cur.abort()
		for _, f := range s.comp {
			f.abort()
		}
		s.cur, s.comp = nil, nil
	}
	return s.err
}

// prepare makes room for a line of n bytes: it commits the open shard if
// the line would push it past the limit, then opens a shard if none is
// open. opened reports a new shard.
func (s *shards) prepare(n int) (opened bool, err error) {
	if s.cur != nil && s.rows > 0 && s.size+int64(n) > s.opt.MaxShardBytes {
		if err := s.commit(); err != nil {
			return false, err
		}
	}
	if s.cur != nil {
		return false, nil
	}
	f, err := createFile(filepath.Join(s.dir, shardName(s.next, s.ext)), s.opt.Compression)
	if err != nil {
		return false, s.fail(err)
	}
	s.cur, s.rows, s.size = f, 0, 0
	s.next++
	return true, nil
}

// index is the number of the open shard.
func (s *shards) index() int { return s.next - 1 }

// add writes one line (newline included) to the open shard.
func (s *shards) add(line []byte) error {
	if err := s.cur.write(line); err != nil {
		return s.fail(err)
	}
	s.rows++
	s.size += int64(len(line))
	s.docs++
	s.bytes += int64(len(line))
	return nil
}

// commit closes the open shard and its companions and renames them.
func (s *shards) commit() error {
	if s.cur == nil {
		return nil
	}
	files := append([]*file{s.cur}, s.comp...)
	s.cur, s.comp = nil, nil
	if err := commitAll(files); err != nil {
		return s.fail(err)
	}
	s.done = append(s.done, files[0].final)
	s.dRows = append(s.dRows, s.rows)
	return nil
}

// close commits the open shard once; later calls return the same error.
func (s *shards) close() error {
	if s.shut {
		return s.err
	}
	s.shut = true
	if s.err != nil {
		return s.err
	}
	if err := s.commit(); err != nil {
		return err
	}
	return nil
}
