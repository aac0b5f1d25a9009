package urlfilter

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"winnow/internal/format/jsonl"
	"winnow/internal/testutil"
)

// BenchmarkCheck checks the 697 URLs of dolma's CC-MAIN-2019-30 sample
// against 100,000 generated domains, 1,000 generated sub-words and the
// example word lists. Bytes are URL bytes.
func BenchmarkCheck(b *testing.B) {
	path := testutil.Shared(b, "corpus/warc/dolma/jsonl/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz")
	rd, err := jsonl.Open(path, jsonl.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var urls []string
	var n int64
	for {
		d, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		urls = append(urls, d.Metadata.URL)
		n += int64(len(d.Metadata.URL))
	}
	rd.Close()
	dir := b.TempDir()
	var doms, subs strings.Builder
	for i := range 100000 {
		fmt.Fprintf(&doms, "site%d.example\n", i)
	}
	for i := range 1000 {
		fmt.Fprintf(&subs, "zq%dxv\n", i)
	}
	c := exampleConfig()
	c.DomainLists = append(c.DomainLists, filepath.Join(dir, "domains"))
	c.BannedSubwordLists = append(c.BannedSubwordLists, filepath.Join(dir, "subwords"))
	if os.WriteFile(c.DomainLists[1], []byte(doms.String()), 0o644) != nil ||
		os.WriteFile(c.BannedSubwordLists[1], []byte(subs.String()), 0o644) != nil {
		b.Fatal("write lists")
	}
	f, err := NewFilter(c)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, u := range urls {
			f.Check(u)
		}
	}
}
