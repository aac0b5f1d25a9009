package parquet

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"winnow"
)

// FuzzReader feeds arbitrary bytes to the reader, seeded with a valid
// shard and mutations of it: Open fails cleanly or Next yields documents,
// *winnow.ParseError values and finally io.EOF or another error; it
// never panics or loops.
func FuzzReader(f *testing.F) {
	dir := f.TempDir()
	w, _ := NewShardWriter(dir, ShardOptions{RowGroupRows: 2, Compression: "none"})
	for _, d := range sampleDocs(5) {
		w.Write(d)
	}
	w.Close()
	good, _ := os.ReadFile(w.Shards()[0])
	f.Add(good)
	f.Add(good[:len(good)-10])
	f.Add([]byte("PAR1PAR1"))
	f.Add(bytes.Repeat([]byte{0}, 64))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "f.parquet")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(p, Options{})
		if err != nil {
			return
		}
		defer r.Close()
		for range 10000 {
			_, err := r.Next()
			var pe *winnow.ParseError
			if err == nil || errors.As(err, &pe) {
				continue
			}
			if !errors.Is(err, io.EOF) {
				t.Logf("stopped with %v", err)
			}
			return
		}
		t.Fatal("reader did not stop")
	})
}
