package jsonl

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"winnow"
)

// listDir returns the names in dir, sorted, "" entries for none.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// plainDoc is a document whose JSON line is, by hand,
// {"id":"<id>","text":"<text>","source":"s","metadata":{}}\n
// i.e. 47 + len(id) + len(text) bytes.
func plainDoc(id, text string) *winnow.Doc { return &winnow.Doc{ID: id, Text: text, Source: "s"} }

func lineLen(id, text string) int64 { return int64(47 + len(id) + len(text)) }

func decompress(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case strings.HasSuffix(path, ".zst"):
		return unzstd(t, b)
	case strings.HasSuffix(path, ".gz"):
		return gunzip(t, b)
	}
	return b
}

func TestEncodingByHand(t *testing.T) {
	dir := t.TempDir()
	w, err := NewShardWriter(dir, ShardOptions{Compression: "none"})
	if err != nil {
		t.Fatal(err)
	}
	d := plainDoc("d1", "a <b> & c\n\"q\" é")
	d.Added = "2024-01-01T00:00:00Z"
	d.Metadata = winnow.Metadata{URL: "http://x/?a=1&b=<2>",
		Extra: map[string]json.RawMessage{"z": json.RawMessage(`[1]`), "a": json.RawMessage(`"&"`)}}
	d.Attributes = map[string]any{"b": 1.5, "a/x": "y"}
	d.Side = map[string][]byte{"ignored": {1}} // no SideDir: not written
	for _, doc := range []*winnow.Doc{d, plainDoc("d2", "x")} {
		if err := w.Write(doc); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := string(decompress(t, filepath.Join(dir, "00000.jsonl")))
	want := `{"id":"d1","text":"a <b> & c\n\"q\" é","source":"s","added":"2024-01-01T00:00:00Z",` +
		`"metadata":{"url":"http://x/?a=1&b=<2>","a":"&","z":[1]},"attributes":{"a/x":"y","b":1.5}}` + "\n" +
		`{"id":"d2","text":"x","source":"s","metadata":{}}` + "\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if n := lineLen("d2", "x"); n != int64(len(`{"id":"d2","text":"x","source":"s","metadata":{}}`+"\n")) {
		t.Errorf("lineLen helper is off: %d", n)
	}
	if docs, b := w.Written(); docs != 2 || b != int64(len(want)) {
		t.Errorf("Written = %d, %d; want 2, %d", docs, b, len(want))
	}
	if names := listDir(t, dir); !reflect.DeepEqual(names, []string{"00000.jsonl"}) {
		t.Errorf("files %v", names)
	}
}

func TestRotation(t *testing.T) {
	text := strings.Repeat("x", 56) // each line: 47 + 2 + 56 = 105 bytes
	L := lineLen("d0", text)
	for _, c := range []struct {
		name   string
		max    int64
		big    int // index of a document 5 lines long, -1 for none
		shards []int
	}{
		{"three per shard", 3 * L, -1, []int{3, 3, 3, 1}},
		{"one byte short of three", 3*L - 1, -1, []int{2, 2, 2, 2, 2}},
		{"all in one", 100 * L, -1, []int{10}},
		{"one per shard", 1, -1, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{"big document alone", 3 * L, 4, []int{3, 1, 1, 3, 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := NewShardWriter(dir, ShardOptions{MaxShardBytes: c.max, FirstIndex: 7})
			if err != nil {
				t.Fatal(err)
			}
			var total int64
			for i := range 10 {
				txt := text
				if i == c.big {
					txt = strings.Repeat("y", int(5*L)-49)
				}
				total += lineLen(fmt.Sprintf("d%d", i), txt)
				if err := w.Write(plainDoc(fmt.Sprintf("d%d", i), txt)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			shards := w.Shards()
			if len(shards) != len(c.shards) {
				t.Fatalf("%d shards, want %d", len(shards), len(c.shards))
			}
			next := 0
			for i, p := range shards {
				if want := filepath.Join(dir, fmt.Sprintf("%05d.jsonl.zst", 7+i)); p != want {
					t.Errorf("shard %d is %s, want %s", i, p, want)
				}
				r, err := Open(p, Options{})
				if err != nil {
					t.Fatal(err)
				}
				items := readItems(t, r)
				r.Close()
				if len(items) != c.shards[i] {
					t.Errorf("shard %d holds %d documents, want %d", i, len(items), c.shards[i])
				}
				for _, it := range items {
					if it.doc == nil || it.doc.ID != fmt.Sprintf("d%d", next) {
						t.Fatalf("shard %d: %+v, want d%d", i, it, next)
					}
					next++
				}
			}
			if docs, b := w.Written(); docs != 10 || b != total {
				t.Errorf("Written = %d, %d; want 10, %d", docs, b, total)
			}
		})
	}
}

func TestAtomicCommit(t *testing.T) {
	dir := t.TempDir()
	text := strings.Repeat("x", 56)
	w, err := NewShardWriter(dir, ShardOptions{MaxShardBytes: 2 * lineLen("d0", text), Compression: "gz"})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plainDoc("d0", text))
	if names := listDir(t, dir); !reflect.DeepEqual(names, []string{".00000.jsonl.gz.tmp"}) {
		t.Errorf("before rotation: %v", names)
	}
	w.Write(plainDoc("d1", text))
	w.Write(plainDoc("d2", text)) // rotates: shard 0 committed
	if names := listDir(t, dir); !reflect.DeepEqual(names, []string{".00001.jsonl.gz.tmp", "00000.jsonl.gz"}) {
		t.Errorf("after rotation: %v", names)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if names := listDir(t, dir); !reflect.DeepEqual(names, []string{"00000.jsonl.gz", "00001.jsonl.gz"}) {
		t.Errorf("after Close: %v", names)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := w.Write(plainDoc("late", "x")); err == nil {
		t.Error("Write after Close succeeded")
	}
}

func TestEmptyWriter(t *testing.T) {
	dir := t.TempDir()
	w, err := NewShardWriter(dir, ShardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if len(listDir(t, dir)) != 0 || len(w.Shards()) != 0 {
		t.Errorf("an empty run left %v", listDir(t, dir))
	}
}

func TestStickyError(t *testing.T) {
	dir := t.TempDir()
	text := strings.Repeat("x", 56)
	w, err := NewShardWriter(dir, ShardOptions{MaxShardBytes: 2 * lineLen("d0", text)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := w.Write(plainDoc(fmt.Sprintf("d%d", i), text)); err != nil {
			t.Fatal(err)
		}
	}
	bad := plainDoc("nan", "x")
	bad.Attributes = map[string]any{"score": math.NaN()}
	first := w.Write(bad)
	if first == nil || !strings.HasPrefix(first.Error(), "jsonl: ") {
		t.Fatalf("NaN attribute: err = %v", first)
	}
	if err := w.Write(plainDoc("ok", "x")); err != first {
		t.Errorf("later Write = %v, want the first error", err)
	}
	if err := w.Close(); err != first {
		t.Errorf("Close = %v, want the first error", err)
	}
	// Shard 0 was complete and stays; shard 1 was open and is gone.
	if names := listDir(t, dir); !reflect.DeepEqual(names, []string{"00000.jsonl.zst"}) {
		t.Errorf("after a failure: %v", names)
	}
}

func TestBadNames(t *testing.T) {
	for _, c := range []struct {
		opt ShardOptions
		doc *winnow.Doc
	}{
		{ShardOptions{SideDir: "side"}, &winnow.Doc{ID: "a", Side: map[string][]byte{"../x": {1}}}},
		{ShardOptions{SideDir: "side"}, &winnow.Doc{ID: "a", Side: map[string][]byte{".hidden": {1}}}},
		{ShardOptions{StandoffAttributes: true, AttrDir: "attr"}, &winnow.Doc{ID: "a", Attributes: map[string]any{"/x": 1}}},
		{ShardOptions{StandoffAttributes: true, AttrDir: "attr"}, &winnow.Doc{ID: "a", Attributes: map[string]any{"../up/x": 1}}},
	} {
		root := t.TempDir()
		opt := c.opt
		if opt.SideDir != "" {
			opt.SideDir = filepath.Join(root, opt.SideDir)
		}
		if opt.AttrDir != "" {
			opt.AttrDir = filepath.Join(root, opt.AttrDir)
		}
		w, err := NewShardWriter(filepath.Join(root, "docs"), opt)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(c.doc); err == nil || !strings.Contains(err.Error(), "cannot be a directory name") {
			t.Errorf("%+v: err = %v", c.doc, err)
		}
		w.Close()
		if names := listDir(t, filepath.Join(root, "docs")); len(names) != 0 {
			t.Errorf("left %v", names)
		}
	}
}

func TestOptionErrors(t *testing.T) {
	for _, opt := range []ShardOptions{
		{Compression: "lz4"}, {MaxShardBytes: -1}, {FirstIndex: -1}, {StandoffAttributes: true},
	} {
		if _, err := NewShardWriter(t.TempDir(), opt); err == nil || !strings.HasPrefix(err.Error(), "jsonl: ") {
			t.Errorf("%+v: err = %v", opt, err)
		}
	}
}

// readSide parses a side file independently: uvarint length, bytes.
func readSide(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs [][]byte
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			t.Fatalf("%s: bad record", path)
		}
		recs = append(recs, b[k:k+int(n)])
		b = b[k+int(n):]
	}
	return recs
}

func TestSideFiles(t *testing.T) {
	root := t.TempDir()
	docsDir, sideDir := filepath.Join(root, "docs"), filepath.Join(root, "side")
	text := strings.Repeat("x", 56)
	w, err := NewShardWriter(docsDir, ShardOptions{MaxShardBytes: 3 * lineLen("d0", text), SideDir: sideDir})
	if err != nil {
		t.Fatal(err)
	}
	sig := bytes.Repeat([]byte{0xab}, 300) // longer than 127: a two-byte length
	// Shard 0: d0..d2, shard 1: d3..d5, shard 2: d6.
	// "minhash" on d1, d2, d4; "late" first on d5 (mid shard 1).
	sides := map[int]map[string][]byte{
		1: {"minhash": sig[:8]}, 2: {"minhash": sig}, 4: {"minhash": {1}}, 5: {"late": {7, 7}},
	}
	for i := range 7 {
		d := plainDoc(fmt.Sprintf("d%d", i), text)
		d.Side = sides[i]
		if err := w.Write(d); err != nil {
			t.Fatal(err)
		}
		if i == 4 {
			// Before Close, shard 0 is committed with its side file and
			// shard 1's side file is still temporary.
			if names := listDir(t, filepath.Join(sideDir, "minhash")); !reflect.DeepEqual(names, []string{".00001.bin.tmp", "00000.bin"}) {
				t.Errorf("side files mid-run: %v", names)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := map[string][][][]byte{
		"minhash": {{{}, sig[:8], sig}, {{}, {1}, {}}, {{}}},
		"late":    {{{}, {}, {}}, {{}, {}, {7, 7}}, {{}}},
	}
	for key, shards := range want {
		if names := listDir(t, filepath.Join(sideDir, key)); !reflect.DeepEqual(names, []string{"00000.bin", "00001.bin", "00002.bin"}) {
			t.Errorf("%s: files %v", key, names)
		}
		for i, recs := range shards {
			got := readSide(t, filepath.Join(sideDir, key, fmt.Sprintf("%05d.bin", i)))
			if len(got) != len(recs) {
				t.Errorf("%s shard %d: %d records, want %d", key, i, len(got), len(recs))
				continue
			}
			for j := range recs {
				if !bytes.Equal(got[j], recs[j]) {
					t.Errorf("%s shard %d record %d: %x, want %x", key, i, j, got[j], recs[j])
				}
			}
		}
	}
}

// attrRows reads a stand-off attribute file independently.
func attrRows(t *testing.T, path string) []attrRow {
	t.Helper()
	var rows []attrRow
	for _, line := range bytes.Split(bytes.TrimSuffix(decompress(t, path), []byte("\n")), []byte("\n")) {
		var r attrRow
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if r.Attributes == nil {
			t.Fatalf("%s: row without an attributes object: %s", path, line)
		}
		rows = append(rows, r)
	}
	return rows
}

func TestStandoffAttributes(t *testing.T) {
	root := t.TempDir()
	docsDir, attrDir := filepath.Join(root, "docs"), filepath.Join(root, "attributes")
	text := strings.Repeat("x", 56)
	w, err := NewShardWriter(docsDir, ShardOptions{MaxShardBytes: 3 * lineLen("d0", text), StandoffAttributes: true, AttrDir: attrDir})
	if err != nil {
		t.Fatal(err)
	}
	// Shard 0: d0..d2, shard 1: d3..d4.
	attrs := []map[string]any{
		{"gopher_quality/mean_word_length": 4.5, "gopher_quality/word_count": 10.0},
		nil,
		{"language": "en"}, // set "attributes" first seen mid-shard
		{"c4/lines": 3.0},  // set "c4" first seen in shard 1
		{"gopher_quality/word_count": 2.0, "language": "de"},
	}
	for i, a := range attrs {
		d := plainDoc(fmt.Sprintf("d%d", i), text)
		d.Attributes = a
		if err := w.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Inline attributes are gone from the documents.
	for _, p := range w.Shards() {
		if bytes.Contains(decompress(t, p), []byte(`"attributes"`)) {
			t.Errorf("%s has inline attributes", p)
		}
	}
	e := map[string]any{}
	want := map[string][][]map[string]any{
		"gopher_quality": {
			{{"gopher_quality/mean_word_length": 4.5, "gopher_quality/word_count": 10.0}, e, e},
			{e, {"gopher_quality/word_count": 2.0}}},
		"attributes": {{e, e, {"language": "en"}}, {e, {"language": "de"}}},
		"c4":         {{e, e, e}, {{"c4/lines": 3.0}, e}},
	}
	for set, shards := range want {
		for i, rows := range shards {
			got := attrRows(t, filepath.Join(attrDir, set, fmt.Sprintf("%05d.jsonl.zst", i)))
			if len(got) != len(rows) {
				t.Errorf("%s shard %d: %d rows, want %d", set, i, len(got), len(rows))
				continue
			}
			for j, row := range rows {
				id := fmt.Sprintf("d%d", 3*i+j)
				if got[j].ID != id || !reflect.DeepEqual(got[j].Attributes, row) {
					t.Errorf("%s shard %d row %d: %+v, want %s %v", set, i, j, got[j], id, row)
				}
			}
		}
		if names := listDir(t, filepath.Join(attrDir, set)); !reflect.DeepEqual(names, []string{"00000.jsonl.zst", "00001.jsonl.zst"}) {
			t.Errorf("%s: files %v", set, names)
		}
	}
}

// TestCompressionsReadable writes each compression and reads it back with
// the reader and with an independent decompressor.
func TestCompressionsReadable(t *testing.T) {
	docs := sampleDocs()
	docs[0].Metadata.Extra = map[string]json.RawMessage{"n": json.RawMessage("1")}
	magic := map[string][]byte{"zst": {0x28, 0xb5, 0x2f, 0xfd}, "gz": {0x1f, 0x8b}, "none": []byte(`{"id"`)}
	for _, comp := range []string{"zst", "gz", "none"} {
		t.Run(comp, func(t *testing.T) {
			dir := t.TempDir()
			w, err := NewShardWriter(dir, ShardOptions{Compression: comp})
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
			p := w.Shards()[0]
			raw, _ := os.ReadFile(p)
			if !bytes.HasPrefix(raw, magic[comp]) {
				t.Errorf("%s starts with %x", p, raw[:4])
			}
			if got, want := decompress(t, p), encodeLines(t, docs); !bytes.Equal(got, want) {
				t.Errorf("decompressed content differs")
			}
			r, err := Open(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			items := readItems(t, r)
			r.Close()
			for i, it := range items {
				d := it.doc
				if d == nil || d.ID != docs[i].ID || d.Text != docs[i].Text || d.Metadata.URL != docs[i].Metadata.URL ||
					!reflect.DeepEqual(d.Metadata.Extra, docs[i].Metadata.Extra) ||
					!(len(d.Attributes) == 0 && len(docs[i].Attributes) == 0 || reflect.DeepEqual(d.Attributes, docs[i].Attributes)) {
					t.Errorf("document %d: %+v", i, it)
				}
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	write := func() []byte {
		dir := t.TempDir()
		w, _ := NewShardWriter(dir, ShardOptions{})
		for i := range 50 {
			d := plainDoc(fmt.Sprint(i), "x")
			d.Attributes = map[string]any{}
			for k := range 20 {
				d.Attributes[fmt.Sprintf("k%d", k)] = float64(k * i)
			}
			w.Write(d)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(w.Shards()[0])
		return b
	}
	if !bytes.Equal(write(), write()) {
		t.Error("equal documents gave different shards")
	}
}

func TestRejectWriter(t *testing.T) {
	dir := t.TempDir()
	w, err := NewRejectWriter(dir, ShardOptions{Compression: "gz", MaxShardBytes: 200})
	if err != nil {
		t.Fatal(err)
	}
	pe := &winnow.ParseError{File: "in.jsonl", Offset: 120, Record: 3, ID: "x", Err: errors.New("jsonl: malformed json")}
	if err := w.WriteParseError(pe); err != nil {
		t.Fatal(err)
	}
	d := &winnow.Doc{ID: "d<1>", Text: "short & sweet", Metadata: winnow.Metadata{URL: "http://u/?a&b"},
		Pos: winnow.Position{File: "c.warc.gz", Offset: 9, Record: 2}}
	d.SetDrop("quality", "gopher_min_words", 2, "2 < 50")
	if err := w.WriteDropped(d); err != nil {
		t.Fatal(err)
	}
	n := &winnow.Doc{ID: "n", Text: "t"}
	n.SetDrop("dedup", "minhash", math.NaN(), "")
	if err := w.Write(n); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"file":"in.jsonl","offset":120,"record":3,"id":"x","reason":"read/parse_error","stage":"read","rule":"parse_error","value":null,"detail":"jsonl: malformed json","url":""}`,
		`{"file":"c.warc.gz","offset":9,"record":2,"id":"d<1>","reason":"quality/gopher_min_words","stage":"quality","rule":"gopher_min_words","value":2,"detail":"2 < 50","text":"short & sweet","url":"http://u/?a&b"}`,
		`{"file":"","offset":0,"record":0,"id":"n","reason":"dedup/minhash","stage":"dedup","rule":"minhash","value":null,"detail":"","text":"t","url":""}`,
	}
	// Each row is over 100 bytes, so a 200-byte cap holds one per shard.
	if got := listDir(t, dir); !reflect.DeepEqual(got, []string{"00000.jsonl.gz", "00001.jsonl.gz", "00002.jsonl.gz"}) {
		t.Fatalf("files %v", got)
	}
	for i, row := range want {
		if got := string(decompress(t, filepath.Join(dir, fmt.Sprintf("%05d.jsonl.gz", i)))); got != row+"\n" {
			t.Errorf("row %d:\n got %s\nwant %s", i, got, row)
		}
	}
	if rows, _ := w.Written(); rows != 3 {
		t.Errorf("Written rows = %d", rows)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	w2, _ := NewRejectWriter(t.TempDir(), ShardOptions{})
	if err := w2.WriteDropped(&winnow.Doc{ID: "no drop"}); err == nil {
		t.Error("a document without Drop was accepted")
	}
	w2.Close()
}
