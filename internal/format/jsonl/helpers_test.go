package jsonl

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"testing"

	"github.com/klauspost/compress/zstd"

	"winnow"
)

// item is one thing a reader gave: a document or a parse error.
type item struct {
	doc *winnow.Doc
	pe  *winnow.ParseError
}

// readItems reads everything from r until io.EOF, failing on a fatal error.
func readItems(t testing.TB, r *Reader) []item {
	t.Helper()
	var out []item
	for i := 0; i < 1<<20; i++ {
		d, err := r.Next()
		if err == io.EOF {
			return out
		}
		var pe *winnow.ParseError
		switch {
		case errors.As(err, &pe):
			out = append(out, item{pe: pe})
		case err != nil:
			t.Fatalf("fatal error after %d items: %v", len(out), err)
		default:
			out = append(out, item{doc: d})
		}
	}
	t.Fatal("reader does not end")
	return nil
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zstdBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf, zstd.WithZeroFrames(true))
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func unzstd(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := zstd.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
