package parquet

import (
	"errors"
	"io"
	"testing"

	"winnow"
	"winnow/internal/format/jsonl"
	"winnow/internal/testutil"
)

// realDocs reads the 697 real pages of dolma's CC-MAIN-2019-30 sample.
func realDocs(b *testing.B) ([]*winnow.Doc, int64) {
	path := testutil.Shared(b, "corpus/warc/dolma/jsonl/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz")
	rd, err := jsonl.Open(path, jsonl.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Close()
	var docs []*winnow.Doc
	var n int64
	for {
		d, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, d)
		n += int64(len(d.Text))
	}
	return docs, n
}

// BenchmarkWrite writes the sample as one zstd shard. Bytes are text bytes.
func BenchmarkWrite(b *testing.B) {
	docs, n := realDocs(b)
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		w, err := NewShardWriter(b.TempDir(), ShardOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range docs {
			w.Write(d)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead reads the sample back from a zstd shard.
func BenchmarkRead(b *testing.B) {
	docs, n := realDocs(b)
	w, err := NewShardWriter(b.TempDir(), ShardOptions{RowGroupRows: 200})
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range docs {
		w.Write(d)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	path := w.Shards()[0]
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err != nil {
				if !errors.Is(err, io.EOF) {
					b.Fatal(err)
				}
				break
			}
		}
		r.Close()
	}
}
