package parquet

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	pq "github.com/parquet-go/parquet-go"

	"winnow"
)

func sampleDocs(n int) []*winnow.Doc {
	docs := make([]*winnow.Doc, n)
	for i := range docs {
		d := &winnow.Doc{
			ID:     "doc-" + string(rune('a'+i%26)) + strings.Repeat("x", i%3),
			Text:   strings.Repeat("Grüße, 世界! ", 1+i%5) + "\nline two",
			Source: "test",
			Metadata: winnow.Metadata{
				URL:      "https://example.com/" + string(rune('a'+i%26)),
				Language: "de",
			},
		}
		if i%2 == 0 {
			d.Created = "2019-07-17T12:15:59Z"
			d.Added = "2026-01-02T03:04:05Z"
			d.Version = "v1"
			d.Metadata.Extra = map[string]json.RawMessage{"warc_url": json.RawMessage(`"x"`), "n": json.RawMessage(`3`)}
			d.Attributes = map[string]any{"pii/emails": float64(i), "language": "de"}
		}
		docs[i] = d
	}
	return docs
}

func writeAll(t *testing.T, dir string, opt ShardOptions, docs []*winnow.Doc) *ShardWriter {
	t.Helper()
	w, err := NewShardWriter(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if err := w.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	return w
}

func readAll(t *testing.T, path string, opt Options) ([]*winnow.Doc, []*winnow.ParseError) {
	t.Helper()
	r, err := Open(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var docs []*winnow.Doc
	var bad []*winnow.ParseError
	for {
		d, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *winnow.ParseError
		if errors.As(err, &pe) {
			bad = append(bad, pe)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return docs, bad
}

func TestRoundTrip(t *testing.T) {
	for _, comp := range []string{"zstd", "snappy", "gzip", "none"} {
		t.Run(comp, func(t *testing.T) {
			dir := t.TempDir()
			in := sampleDocs(25)
			w := writeAll(t, dir, ShardOptions{Compression: comp, RowGroupRows: 4}, in)
			shards := w.Shards()
			if len(shards) != 1 || filepath.Base(shards[0]) != "00000.parquet" {
				t.Fatalf("shards %v", shards)
			}
			if n, _ := w.Written(); n != 25 {
				t.Errorf("written %d", n)
			}
			out, bad := readAll(t, shards[0], Options{BatchRows: 3})
			if len(bad) != 0 || len(out) != len(in) {
				t.Fatalf("%d docs, %d bad", len(out), len(bad))
			}
			for i := range in {
				want, got := *in[i], *out[i]
				if got.Pos.Record != int64(i) || got.Pos.File != shards[0] {
					t.Errorf("doc %d position %v", i, got.Pos)
				}
				got.Pos = winnow.Position{}
				if !reflect.DeepEqual(want, got) {
					t.Errorf("doc %d:\n got %+v\nwant %+v", i, got, want)
				}
			}
			// Row groups of at most 4 rows: 25 rows make 7 groups.
			f, _ := os.Open(shards[0])
			defer f.Close()
			fi, _ := f.Stat()
			pf, err := pq.OpenFile(f, fi.Size())
			if err != nil {
				t.Fatal(err)
			}
			if g := len(pf.RowGroups()); g != 7 {
				t.Errorf("%d row groups, want 7", g)
			}
		})
	}
}

func TestShardRotation(t *testing.T) {
	dir := t.TempDir()
	in := sampleDocs(30)
	w := writeAll(t, dir, ShardOptions{MaxShardBytes: 600, FirstIndex: 7}, in)
	shards := w.Shards()
	if len(shards) < 3 || filepath.Base(shards[0]) != "00007.parquet" {
		t.Fatalf("shards %v", shards)
	}
	var all []*winnow.Doc
	for _, s := range shards {
		docs, bad := readAll(t, s, Options{})
		if len(bad) != 0 || len(docs) == 0 {
			t.Fatalf("%s: %d docs, %d bad", s, len(docs), len(bad))
		}
		all = append(all, docs...)
	}
	if len(all) != 30 || all[29].ID != in[29].ID {
		t.Errorf("%d docs after rotation", len(all))
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left", e.Name())
		}
	}
}

func TestWriterErrors(t *testing.T) {
	if _, err := NewShardWriter(t.TempDir(), ShardOptions{Compression: "lz5"}); err == nil {
		t.Error("unknown compression accepted")
	}
	dir := t.TempDir()
	w, _ := NewShardWriter(dir, ShardOptions{})
	bad := &winnow.Doc{ID: "x", Attributes: map[string]any{"f": func() {}}}
	if err := w.Write(&winnow.Doc{ID: "ok", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	err1 := w.Write(bad)
	err2 := w.Write(&winnow.Doc{ID: "ok2"})
	if err1 == nil || err2 != err1 || w.Close() != err1 {
		t.Fatalf("sticky error: %v / %v", err1, err2)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("failed writer left %d files", len(ents))
	}
	// An empty writer writes no shard.
	dir = t.TempDir()
	w = writeAll(t, dir, ShardOptions{}, nil)
	if ents, _ := os.ReadDir(dir); len(ents) != 0 || len(w.Shards()) != 0 {
		t.Errorf("empty writer wrote %d files", len(ents))
	}
	if err := w.Write(&winnow.Doc{}); err == nil {
		t.Error("write after close accepted")
	}
}

// foreign is a FineWeb-like schema: other column names, a numeric id, a
// timestamp, an optional text.
type foreign struct {
	Content *string   `parquet:"content,optional"`
	DocID   int64     `parquet:"doc_id"`
	Link    string    `parquet:"link"`
	Date    time.Time `parquet:"date,timestamp(millisecond)"`
	Score   float64   `parquet:"language_score"`
}

func TestForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fineweb.parquet")
	f, _ := os.Create(path)
	pw := pq.NewGenericWriter[foreign](f, pq.MaxRowsPerRowGroup(2))
	text := func(s string) *string { return &s }
	date := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	rows := []foreign{
		{Content: text("first"), DocID: 10, Link: "http://a.example/", Date: date, Score: 0.9},
		{Content: nil, DocID: 11, Link: "http://b.example/", Date: date},
		{Content: text("third"), DocID: 12, Link: "", Date: date},
		{Content: text("bad \xff utf-8"), DocID: 13},
		{Content: text("fifth"), DocID: 14},
	}
	if _, err := pw.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	docs, bad := readAll(t, path, Options{TextColumn: "content", IDColumn: "doc_id", URLColumn: "link", CreatedColumn: "date"})
	if len(docs) != 3 || len(bad) != 2 {
		t.Fatalf("%d docs, %d bad", len(docs), len(bad))
	}
	if d := docs[0]; d.ID != "10" || d.Text != "first" || d.Metadata.URL != "http://a.example/" || d.Created != "2024-05-06T07:08:09Z" || d.Pos.Record != 0 {
		t.Errorf("doc 0 %+v", d)
	}
	if d := docs[1]; d.ID != "12" || d.Text != "third" || d.Metadata.URL != "" || d.Pos.Record != 2 {
		t.Errorf("doc 1 %+v", d)
	}
	if d := docs[2]; d.ID != "14" || d.Pos.Record != 4 {
		t.Errorf("doc 2 %+v", d)
	}
	if b := bad[0]; b.Record != 1 || b.ID != "11" || !strings.Contains(b.Error(), "no text") {
		t.Errorf("bad 0: %v", b)
	}
	if b := bad[1]; b.Record != 3 || !strings.Contains(b.Error(), "UTF-8") {
		t.Errorf("bad 1: %v", b)
	}
	// Without an id column the id is the file name and row.
	docs, _ = readAll(t, path, Options{TextColumn: "content", IDColumn: "nope"})
	if docs[0].ID != "fineweb.parquet/0" {
		t.Errorf("generated id %q", docs[0].ID)
	}
	// A missing or non-string text column is an Open error.
	for _, col := range []string{"text", "doc_id"} {
		if _, err := Open(path, Options{TextColumn: col}); err == nil {
			t.Errorf("text column %q accepted", col)
		}
	}
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := writeAll(t, dir, ShardOptions{}, sampleDocs(5)).Shards()[0]
	body, _ := os.ReadFile(good)
	cases := map[string][]byte{
		"empty":      nil,
		"notparquet": []byte("PAR1 this is not parquet at all PAR1"),
		"truncated":  body[:len(body)/2],
		"json":       []byte(`{"text":"x"}`),
	}
	for name, b := range cases {
		p := filepath.Join(dir, name+".parquet")
		os.WriteFile(p, b, 0o644)
		if r, err := Open(p, Options{}); err == nil {
			r.Close()
			t.Errorf("%s: opened", name)
		}
	}
	if _, err := Open(filepath.Join(dir, "missing.parquet"), Options{}); err == nil {
		t.Error("missing file opened")
	}
	// Corrupt page bytes in the middle: Open works (only the footer is
	// read), then rows fail as ParseErrors or decode; never a panic.
	mid := append([]byte(nil), body...)
	for i := 8; i < len(mid)/2; i += 7 {
		mid[i] ^= 0x5a
	}
	p := filepath.Join(dir, "corrupt.parquet")
	os.WriteFile(p, mid, 0o644)
	r, err := Open(p, Options{})
	if err != nil {
		return
	}
	defer r.Close()
	for range 100 {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var pe *winnow.ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("corrupt pages gave %v, not a ParseError", err)
		}
	}
	t.Error("reader did not reach EOF on a corrupt file")
}
