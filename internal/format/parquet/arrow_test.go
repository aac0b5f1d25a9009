package parquet

import (
	"context"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	aparquet "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// TestArrowReadsShards checks that arrow-go, an independent Parquet
// implementation, reads our shards back: the schema's column names and
// every id, text and url. (arrow-go is imported by this test only.)
func TestArrowReadsShards(t *testing.T) {
	dir := t.TempDir()
	in := sampleDocs(30)
	shard := writeAll(t, dir, ShardOptions{RowGroupRows: 7}, in).Shards()[0]
	f, err := os.Open(shard)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tbl, err := pqarrow.ReadTable(context.Background(), f, aparquet.NewReaderProperties(memory.DefaultAllocator),
		pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var names []string
	for _, fl := range tbl.Schema().Fields() {
		names = append(names, fl.Name)
	}
	want := []string{"id", "text", "source", "added", "created", "version", "url", "metadata", "attributes"}
	if len(names) != len(want) {
		t.Fatalf("columns %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("columns %v, want %v", names, want)
		}
	}
	if tbl.NumRows() != int64(len(in)) {
		t.Fatalf("%d rows", tbl.NumRows())
	}
	col := func(i int) []string {
		var out []string
		for _, ch := range tbl.Column(i).Data().Chunks() {
			s := ch.(*array.String)
			for j := 0; j < s.Len(); j++ {
				if s.IsNull(j) {
					out = append(out, "<null>")
				} else {
					out = append(out, s.Value(j))
				}
			}
		}
		return out
	}
	ids, texts, urls, versions := col(0), col(1), col(6), col(5)
	for i, d := range in {
		wantVersion := d.Version
		if wantVersion == "" {
			wantVersion = "<null>"
		}
		if ids[i] != d.ID || texts[i] != d.Text || urls[i] != d.Metadata.URL || versions[i] != wantVersion {
			t.Errorf("row %d: %q %q %q %q", i, ids[i], texts[i], urls[i], versions[i])
		}
	}
}
