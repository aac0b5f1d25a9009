package format

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"winnow"
	"winnow/internal/testutil"
)

// seekItem is one result of Next other than io.EOF, with the seek point
// the reader reported right after returning it.
type seekItem struct {
	doc   *winnow.Doc
	err   error
	pt    SeekPoint
	hasPt bool
}

type seekRead struct {
	items   []seekItem
	skipped map[string]int64
	bytes   int64 // InputBytes at the end
}

func drainSeek(t *testing.T, r winnow.Reader) seekRead {
	t.Helper()
	var res seekRead
	for i := 0; ; i++ {
		if i > 1<<16 {
			t.Fatal("reader did not end")
		}
		d, err := r.Next()
		if err == io.EOF {
			break
		}
		it := seekItem{doc: d, err: err}
		if s, ok := r.(Seeker); ok {
			it.pt, it.hasPt = s.SeekPoint()
		}
		res.items = append(res.items, it)
		var pe *winnow.ParseError
		if err != nil && !errors.As(err, &pe) {
			break
		}
	}
	if s, ok := r.(Skipper); ok {
		res.skipped = s.Skipped()
	}
	if p, ok := r.(Progresser); ok {
		res.bytes = p.InputBytes()
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	return res
}

// sameResult compares two results of Next field by field.
func sameResult(t *testing.T, where string, got, want seekItem) {
	t.Helper()
	if (got.err == nil) != (want.err == nil) {
		t.Fatalf("%s: got error %v, want %v", where, got.err, want.err)
	}
	if want.err != nil {
		var gpe, wpe *winnow.ParseError
		if errors.As(got.err, &gpe) != errors.As(want.err, &wpe) || got.err.Error() != want.err.Error() {
			t.Fatalf("%s: got error %v, want %v", where, got.err, want.err)
		}
		if wpe != nil && (gpe.File != wpe.File || gpe.Offset != wpe.Offset || gpe.Record != wpe.Record || gpe.ID != wpe.ID) {
			t.Fatalf("%s: got %+v, want %+v", where, *gpe, *wpe)
		}
		return
	}
	if !reflect.DeepEqual(*got.doc, *want.doc) {
		t.Fatalf("%s: got document %s at %v, want %s at %v", where, got.doc.ID, got.doc.Pos, want.doc.ID, want.doc.Pos)
	}
}

// checkSeekPoints opens path at every distinct point a full read reported
// and checks that the reader started there returns exactly the rest of
// the full read. It returns the full read and the number of points past
// the first result (points that save reading).
func checkSeekPoints(t *testing.T, path string) (seekRead, int) {
	t.Helper()
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	full := drainSeek(t, r)
	seen := map[int64]bool{}
	n := 0
	for i, it := range full.items {
		if !it.hasPt {
			continue
		}
		pt := it.pt
		if pt.Items > int64(i) {
			t.Fatalf("item %d: seek point %+v lies after the item", i, pt)
		}
		if seen[pt.Items] {
			continue
		}
		seen[pt.Items] = true
		if pt.Items > 0 {
			n++
		}
		sr, err := OpenAt(path, Options{}, pt)
		if err != nil {
			t.Fatalf("OpenAt(%+v): %v", pt, err)
		}
		got := drainSeek(t, sr)
		want := full.items[pt.Items:]
		if len(got.items) != len(want) {
			t.Fatalf("OpenAt(%+v): %d results, want %d", pt, len(got.items), len(want))
		}
		for j := range want {
			sameResult(t, fmt.Sprintf("%s: result %d after seeking", filepath.Base(path), int(pt.Items)+j), got.items[j], want[j])
			if got.items[j].hasPt != want[j].hasPt || !reflect.DeepEqual(got.items[j].pt, want[j].pt) {
				t.Fatalf("result %d after seeking: seek point %+v, want %+v", int(pt.Items)+j, got.items[j].pt, want[j].pt)
			}
		}
		if !reflect.DeepEqual(got.skipped, full.skipped) {
			t.Fatalf("OpenAt(%+v): skipped %v, want %v", pt, got.skipped, full.skipped)
		}
		if got.bytes != full.bytes {
			t.Fatalf("OpenAt(%+v): InputBytes %d at the end, want %d", pt, got.bytes, full.bytes)
		}
	}
	return full, n
}

// TestOpenAtCorpus: for every WARC and JSONL file of the shared corpus
// (the broken ones included), a reader started at any seek point of a
// full read returns the rest of the full read, result by result.
func TestOpenAtCorpus(t *testing.T) {
	root := testutil.Shared(t, "corpus/warc")
	var files []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if k, err := Detect(p); err == nil && (k == WARC || k == JSONL) {
				files = append(files, p)
			}
		}
		return nil
	})
	if len(files) < 30 {
		t.Fatalf("found %d WARC and JSONL files under %s, want the whole corpus", len(files), root)
	}
	points := map[string]int{}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		t.Run(rel, func(t *testing.T) {
			if strings.HasSuffix(f, ".arc") || strings.HasSuffix(f, ".arc.gz") {
				t.Skip("ARC files are refused by name")
			}
			full, n := checkSeekPoints(t, f)
			points[filepath.ToSlash(rel)] = n
			t.Logf("%d results, %d seek points past the first", len(full.items), n)
		})
	}
	// Files with more than one result have a point at every later one
	// (per-record gzip or uncompressed); one-stream gzip files have none.
	for file, want := range map[string]int{
		"resiliparse/warcfile.warc.gz":           15, // 16 documents
		"resiliparse/warcfile.warc":              15,
		"resiliparse/clueweb-quirk.warc.gz":      28,
		"warcio/example-bad-non-chunked.warc.gz": 0, // one gzip member, several records
		"dolma/jsonl/cc_en_head-0091.jsonl.gz":   0, // gzip JSONL
	} {
		if points[file] != want {
			t.Errorf("%s: %d seek points past the first result, want %d", file, points[file], want)
		}
	}
	// The corpus files are short; concatenated, the broken ones sit
	// between good ones: per-record gzip members with a truncated member
	// and trailing garbage in the middle, and uncompressed files with a
	// truncated record and torture records in the middle.
	dir := t.TempDir()
	for _, c := range []struct {
		name, suffix string
		points       int // at least
	}{{"all.warc.gz", ".gz", 40}, {"all.warc.gz", ".gz.open", 2}, {"all.warc", ".warc", 15}} {
		var cat []byte
		for _, f := range files {
			if strings.HasSuffix(f, c.suffix) && !strings.Contains(f, "jsonl") && !strings.HasSuffix(f, ".arc.gz") {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				cat = append(cat, b...)
			}
		}
		p := write(t, dir, c.suffix+"-"+c.name, cat)
		full, n := checkSeekPoints(t, p)
		bad := 0
		for _, it := range full.items {
			if it.err != nil {
				bad++
			}
		}
		t.Logf("%s: %d bytes, %d results (%d errors), %d seek points past the first", c.suffix, len(cat), len(full.items), bad, n)
		if n < c.points || bad == 0 {
			t.Errorf("%s: %d seek points, %d errors: the concatenation should have many of both", c.suffix, n, bad)
		}
	}
}

// TestSeekPointsAreRecordStarts: in a WARC file compressed per record
// and in its uncompressed twin, every document has a seek point at
// itself, at its own Pos.Offset (the member offset, or the record offset).
func TestSeekPointsAreRecordStarts(t *testing.T) {
	for _, rel := range []string{"corpus/warc/resiliparse/warcfile.warc.gz", "corpus/warc/resiliparse/warcfile.warc"} {
		r, err := Open(testutil.Shared(t, rel), Options{})
		if err != nil {
			t.Fatal(err)
		}
		full := drainSeek(t, r)
		docs := 0
		for i, it := range full.items {
			if it.doc == nil {
				continue
			}
			docs++
			if !it.hasPt || it.pt.Items != int64(i) || it.pt.Offset != it.doc.Pos.Offset || it.pt.Record != it.doc.Pos.Record {
				t.Errorf("%s: document %d at %v: seek point %+v (ok %v), want one at the document", rel, i, it.doc.Pos, it.pt, it.hasPt)
			}
		}
		if docs != 16 {
			t.Errorf("%s: %d documents, want 16", rel, docs)
		}
	}
}

// TestOpenAtJSONL: a plain JSONL file made of real dolma lines, blank
// lines, a byte order mark and bad lines of every kind has a seek point
// at every result, and each yields the rest of the full read.
func TestOpenAtJSONL(t *testing.T) {
	f, err := os.Open(testutil.Shared(t, "corpus/warc/dolma/jsonl/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(raw, []byte("\n"))
	if len(lines) > 120 {
		lines = lines[:120]
	}
	var b bytes.Buffer
	b.WriteString("\xef\xbb\xbf")
	for i, l := range lines {
		b.Write(l)
		switch i % 20 {
		case 3:
			b.WriteString("\n  \r\n") // blank lines
		case 7:
			b.WriteString("{\"id\": \"x\", \"text\": 5}\n") // text not a string
		case 11:
			b.WriteString("not json\n")
		case 13:
			b.WriteString("{\"text\": \"no id\"}\n") // id from the line number
		case 17:
			b.WriteString("{\"id\":\"bad\",\"text\":\"\xff\"}\n") // invalid UTF-8
		}
	}
	b.WriteString(`{"id": "cut", "text": "the file ends insi`)
	path := filepath.Join(t.TempDir(), "made.jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	full, n := checkSeekPoints(t, path)
	docs, bad := 0, 0
	for i, it := range full.items {
		if it.doc != nil {
			docs++
		} else {
			bad++
		}
		if !it.hasPt || it.pt.Items != int64(i) {
			t.Fatalf("result %d: seek point %+v (ok %v), want one at the result", i, it.pt, it.hasPt)
		}
		// The point is the document's line, or blank lines before it.
		if it.doc != nil && (it.pt.Offset > it.doc.Pos.Offset || len(bytes.TrimSpace(b.Bytes()[it.pt.Offset:it.doc.Pos.Offset])) > 0) {
			t.Fatalf("document %d at %v: seek point %+v", i, it.doc.Pos, it.pt)
		}
	}
	// 120 dolma lines and 6 of the 'no id' lines; 6+6+6+6 bad lines and the cut one.
	if docs != 126 || bad != 19 || n != docs+bad-1 {
		t.Errorf("%d documents, %d bad lines, %d seek points past the first; want 126, 19, 144", docs, bad, n)
	}
	if full.bytes != int64(b.Len()) {
		t.Errorf("InputBytes %d, want %d", full.bytes, b.Len())
	}
}

// TestOpenAtRefuses: no seeking into a compressed stream, to an offset
// where nothing starts, or into object storage.
func TestOpenAtRefuses(t *testing.T) {
	dir := t.TempDir()
	plain := []byte("{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n")
	for _, c := range []struct {
		name string
		body []byte
		pt   SeekPoint
	}{
		{"a.jsonl.gz", gz(t, plain), SeekPoint{Offset: 10, Base: 10, Record: 1, Items: 1}},
		{"a.jsonl.zst", zst(t, plain), SeekPoint{Offset: 10, Base: 10, Record: 1, Items: 1}},
		{"b.jsonl", plain, SeekPoint{Offset: 5, Base: 5, Record: 1, Items: 1}},
		{"c.warc", []byte("WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n"), SeekPoint{Offset: 3, Base: 3, Record: 1, Items: 1}},
	} {
		p := write(t, dir, c.name, c.body)
		if r, err := OpenAt(p, Options{}, c.pt); err == nil {
			r.Close()
			t.Errorf("%s: OpenAt(%+v) succeeded, want an error", c.name, c.pt)
		} else if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not name the file", c.name, err)
		}
	}
	if _, err := OpenAt("s3://bucket/a.warc.gz", Options{}, SeekPoint{}); err == nil {
		t.Error("OpenAt of an s3:// URL succeeded")
	}
	// Line 1 of b.jsonl starts at offset 24: the rest of the file is one document.
	r, err := OpenAt(filepath.Join(dir, "b.jsonl"), Options{}, SeekPoint{Offset: 24, Base: 24, Record: 1, Items: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := drainSeek(t, r)
	if len(got.items) != 1 || got.items[0].doc == nil || got.items[0].doc.ID != "b" || got.items[0].doc.Pos.Offset != 24 || got.items[0].doc.Pos.Record != 1 {
		t.Fatalf("got %+v", got.items)
	}
}
