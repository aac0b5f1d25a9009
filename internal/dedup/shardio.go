package dedup

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/klauspost/compress/zstd"

	"winnow"
	"winnow/internal/format/jsonl"
)

// The output layout of a run (written by the shard writer of
// internal/format/jsonl):
//
//	OUTDIR/documents/NNNNN.jsonl.zst   documents, one JSON object a line
//	OUTDIR/side/<key>/NNNNN.bin        per row: uvarint length + bytes
//	OUTDIR/rejects/...                 dropped documents
//
// This file reads and writes that layout directly so that the phase does
// not depend on the writer's options.

const docExt = ".jsonl.zst"

// shardNames lists the document shards of dir/documents, sorted (NNNNN
// sorts numerically as the names have a fixed width).
func shardNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(dir, "documents"))
	if errors.Is(err, os.ErrNotExist) {
		// a run that kept no document may have written no shard
		if _, serr := os.Stat(dir); serr != nil {
			return nil, fmt.Errorf("dedup: %w", serr)
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	var names []string
	for _, e := range ents {
		if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, docExt) && !strings.HasPrefix(n, ".") {
			names = append(names, strings.TrimSuffix(n, docExt))
		}
	}
	sort.Strings(names)
	return names, nil
}

// docReader reads one document shard with the jsonl reader. A line that
// does not parse is an error here: the shard is the run's own output, and
// skipping a row would misalign the side files.
type docReader struct {
	r *jsonl.Reader
}

func openDocs(path string) (*docReader, error) {
	r, err := jsonl.Open(path, jsonl.Options{})
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	return &docReader{r: r}, nil
}

// next returns the next document, or io.EOF.
func (r *docReader) next() (*winnow.Doc, error) {
	d, err := r.r.Next()
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	return d, err
}

func (r *docReader) close() error { return r.r.Close() }

// docWriter writes one zstd JSONL shard at a temporary name.
type docWriter struct {
	f   *os.File
	bw  *bufio.Writer
	z   *zstd.Encoder
	enc *json.Encoder
}

func createDocs(path string) (*docWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	// One encoder goroutine-free stream: the same input gives the same
	// bytes.
	z, err := zstd.NewWriter(bw, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("dedup: %w", err)
	}
	enc := json.NewEncoder(z)
	enc.SetEscapeHTML(false)
	return &docWriter{f: f, bw: bw, z: z, enc: enc}, nil
}

func (w *docWriter) write(v any) error {
	if err := w.enc.Encode(v); err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	return nil
}

func (w *docWriter) close() error {
	err := w.z.Close()
	if e := w.bw.Flush(); err == nil {
		err = e
	}
	if e := w.f.Sync(); err == nil {
		err = e
	}
	if e := w.f.Close(); err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	return nil
}

// sideReader reads the rows of one side file.
type sideReader struct {
	f   *os.File
	r   *bufio.Reader
	buf []byte
}

func openSide(path string) (*sideReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	return &sideReader{f: f, r: bufio.NewReaderSize(f, 1<<16)}, nil
}

// next returns the next row (valid until the next call) or io.EOF.
func (s *sideReader) next() ([]byte, error) {
	n, err := binary.ReadUvarint(s.r)
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("dedup: %s: %w", s.f.Name(), err)
	}
	if n > 1<<30 {
		return nil, fmt.Errorf("dedup: %s: side row of %d bytes", s.f.Name(), n)
	}
	if cap(s.buf) < int(n) {
		s.buf = make([]byte, n)
	}
	s.buf = s.buf[:n]
	if _, err := io.ReadFull(s.r, s.buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("dedup: %s: %w", s.f.Name(), err)
	}
	return s.buf, nil
}

func (s *sideReader) close() error { return s.f.Close() }

// sideWriter writes side rows (uvarint length + bytes).
type sideWriter struct {
	f  *os.File
	w  *bufio.Writer
	lb [binary.MaxVarintLen64]byte
}

func createSide(path string) (*sideWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	return &sideWriter{f: f, w: bufio.NewWriterSize(f, 1<<16)}, nil
}

func (s *sideWriter) write(row []byte) error {
	n := binary.PutUvarint(s.lb[:], uint64(len(row)))
	s.w.Write(s.lb[:n])
	_, err := s.w.Write(row)
	return err
}

func (s *sideWriter) close() error {
	err := s.w.Flush()
	if e := s.f.Sync(); err == nil {
		err = e
	}
	if e := s.f.Close(); err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	return nil
}
