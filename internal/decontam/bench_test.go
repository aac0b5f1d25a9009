package decontam

import (
	"errors"
	"io"
	"testing"

	"winnow/internal/format/jsonl"
	"winnow/internal/testutil"
)

// BenchmarkMatches looks up every 13-gram of the 697 real pages of
// dolma's CC-MAIN-2019-30 sample in an index built from the first 100 of
// them (so some lookups hit). Bytes are document text bytes.
func BenchmarkMatches(b *testing.B) {
	path := testutil.Shared(b, "corpus/warc/dolma/jsonl/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz")
	rd, err := jsonl.Open(path, jsonl.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Close()
	var texts []string
	var n int64
	for {
		d, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, d.Text)
		n += int64(len(d.Text))
	}
	ix := NewIndex(13)
	for _, t := range texts[:100] {
		ix.Add(t)
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			ix.Matches(t)
		}
	}
}
