package pii

import (
	"errors"
	"io"
	"testing"

	"winnow/internal/format/jsonl"
	"winnow/internal/testutil"
)

// sampleTexts reads the 697 real pages of dolma's CC-MAIN-2019-30 sample.
func sampleTexts(b *testing.B) ([]string, int64) {
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
	return texts, n
}

func benchRedact(b *testing.B, c Config) {
	texts, n := sampleTexts(b)
	r, err := NewRedactor(c)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			r.Redact(t)
		}
	}
}

// BenchmarkRedact: e-mails and IPs (the default) over real pages.
func BenchmarkRedact(b *testing.B) { benchRedact(b, DefaultConfig()) }

// BenchmarkRedactPhones adds the phone patterns.
func BenchmarkRedactPhones(b *testing.B) {
	c := DefaultConfig()
	c.Phones = true
	benchRedact(b, c)
}
