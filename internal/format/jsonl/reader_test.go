package jsonl

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"winnow"
	"winnow/internal/format/formattest"
	"winnow/internal/testutil"
)

func sampleDocs() []*winnow.Doc {
	return []*winnow.Doc{
		{ID: "a", Text: "first line\nsecond <b>line</b> & more", Source: "test",
			Metadata:   winnow.Metadata{URL: "http://example.com/?a=1&b=2"},
			Attributes: map[string]any{"gopher_quality/mean_word_length": 4.5}},
		{ID: "b", Text: "Grüße, 世界 😀", Source: "test"},
		{ID: "c", Text: strings.Repeat("long text ", 500), Source: "other"},
	}
}

func encodeLines(t testing.TB, docs []*winnow.Doc) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := newEncoder()
	for _, d := range docs {
		line, err := e.doc(d, true)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(line)
	}
	return buf.Bytes()
}

func TestConformance(t *testing.T) {
	newReader := func(src io.Reader, name string) (winnow.Reader, error) {
		return NewReader(src, name, Options{}), nil
	}
	for _, c := range []struct {
		name     string
		compress func(testing.TB, []byte) []byte
	}{
		{"plain", func(_ testing.TB, b []byte) []byte { return b }},
		{"gzip", gzipBytes},
		{"zstd", zstdBytes},
	} {
		t.Run(c.name, func(t *testing.T) {
			formattest.Run(t, formattest.Subject{
				Encode: func(t testing.TB, docs []*winnow.Doc) []byte {
					return c.compress(t, encodeLines(t, docs))
				},
				NewReader: newReader,
				Docs:      sampleDocs(),
			})
		})
	}
}

// TestDolmaSamples reads dolma's own test files. The line counts come
// from `zcat F | wc -l` and the character totals from Python's
// len(json.loads(line)["text"]); the ids are read here with the standard
// library's gzip and json, line by line.
func TestDolmaSamples(t *testing.T) {
	for _, c := range []struct {
		file         string
		lines, runes int
		first, last  string
	}{
		{"CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz", 697, 2541679,
			"blj5uzvcoa4iybpd5o6kom5nir6ngmoj", "ackyutbeief5hezd5jcqjrsjop2vnqia"},
		{"cc_en_head-0091.jsonl.gz", 10, 94106,
			"http://100kinvesting.com/2016/11/28/first-teleconference-calls-invoice-factoring/",
			"http://artsemersonblog.org/2018/09/04/from-russia-with-translation/"},
		{"cc_en_head-0174.jsonl.gz", 10, 60897,
			"http://archives2.getty.edu:8082/xtf/view?docId=ead/2002.M.13/2002.M.13.xml",
			"http://cempaka-tourist.blogspot.com/2017/07/aborigines-in-australia-longer-than.html"},
		{"provided-documents-000.json.gz", 10, 58436,
			"http://advocatesaz.org/tag/antibiotic-resistant-bacteria/", "http://groovenotes.org/tag/duke-ellington/"},
	} {
		t.Run(c.file, func(t *testing.T) {
			path := testutil.Shared(t, "corpus/warc/dolma/jsonl/"+c.file)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			plain := gunzip(t, raw)
			lines := bytes.Split(bytes.TrimSuffix(plain, []byte("\n")), []byte("\n"))
			if len(lines) != c.lines {
				t.Fatalf("independent split: %d lines, want %d", len(lines), c.lines)
			}

			r, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			items := readItems(t, r)
			if got := r.InputBytes(); got != int64(len(raw)) {
				t.Errorf("InputBytes = %d, want the file size %d", got, len(raw))
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			if len(items) != c.lines {
				t.Fatalf("got %d items, want %d", len(items), c.lines)
			}
			runes, off := 0, int64(0)
			for i, it := range items {
				if it.pe != nil {
					t.Fatalf("line %d: %v", i, it.pe)
				}
				var want struct {
					ID string `json:"id"`
				}
				if err := json.Unmarshal(lines[i], &want); err != nil {
					t.Fatal(err)
				}
				d := it.doc
				if d.ID != want.ID {
					t.Errorf("line %d: id %q, want %q", i, d.ID, want.ID)
				}
				if d.Pos != (winnow.Position{File: path, Offset: off, Record: int64(i)}) {
					t.Errorf("line %d: position %+v, want offset %d", i, d.Pos, off)
				}
				off += int64(len(lines[i]) + 1)
				runes += utf8.RuneCountInString(d.Text)
			}
			if runes != c.runes {
				t.Errorf("text has %d characters, want %d", runes, c.runes)
			}
			if items[0].doc.ID != c.first || items[len(items)-1].doc.ID != c.last {
				t.Errorf("first/last id %q/%q", items[0].doc.ID, items[len(items)-1].doc.ID)
			}
		})
	}
}

// TestDolmaFields checks the schema mapping on the first CC document:
// values read with Python's json module.
func TestDolmaFields(t *testing.T) {
	r, err := Open(testutil.Shared(t, "corpus/warc/dolma/jsonl/cc_en_head-0091.jsonl.gz"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if d.Added != "2023-04-07T15:24:38.743534+00:00" || d.Created != "2020-03-29T09:04:10Z" {
		t.Errorf("added %q created %q", d.Added, d.Created)
	}
	if d.Metadata.Language != "en" {
		t.Errorf("metadata.language = %q", d.Metadata.Language)
	}
	if got := string(d.Metadata.Extra["language_score"]); got != "0.95" {
		t.Errorf("metadata.language_score kept as %q, want 0.95", got)
	}
	if got := string(d.Metadata.Extra["line_ids"]); got != "[41,42,56,57,59]" {
		t.Errorf("metadata.line_ids kept as %q", got)
	}
}

func TestSeed(t *testing.T) {
	r, err := Open(testutil.Shared(t, "seed/seed.jsonl"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	items := readItems(t, r)
	r.Close()
	if len(items) != 1 || items[0].doc == nil {
		t.Fatalf("got %+v, want one document", items)
	}
	d := items[0].doc
	// Python: len(text) == 5137, text.count("\ufffd") == 2, len(text.encode()) == 5163.
	if d.ID != "seed-000" || d.Source != "seed" || utf8.RuneCountInString(d.Text) != 5137 ||
		len(d.Text) != 5163 || strings.Count(d.Text, "\ufffd") != 2 {
		t.Errorf("id %q source %q: %d characters, %d bytes, %d U+FFFD",
			d.ID, d.Source, utf8.RuneCountInString(d.Text), len(d.Text), strings.Count(d.Text, "\ufffd"))
	}
}

// want is one expected item: a document id, or a parse error at a line.
type want struct {
	id     string
	errAt  int64  // line number of a parse error, -1 for a document
	errHas string // substring of the parse error
}

func doc(id string) want              { return want{id: id, errAt: -1} }
func bad(line int64, has string) want { return want{errAt: line, errHas: has} }

func TestLines(t *testing.T) {
	for _, c := range []struct {
		name  string
		input string
		opt   Options
		want  []want
	}{
		{"plain", `{"id":"a","text":"x"}` + "\n" + `{"id":"b","text":"y"}` + "\n", Options{}, []want{doc("a"), doc("b")}},
		{"no final newline", `{"id":"a","text":"x"}` + "\n" + `{"id":"b","text":"y"}`, Options{}, []want{doc("a"), doc("b")}},
		{"blank lines skipped but counted", "\n  \n" + `{"id":"a","text":"x"}` + "\r\n\t\n" + `{"id":"b","text":"y"}`,
			Options{}, []want{doc("a"), doc("b")}},
		{"malformed json", `{"id":"a","text":"x"}` + "\n" + `{"id":"b","text":` + "\n" + `{"id":"c","text":"z"}`,
			Options{}, []want{doc("a"), bad(1, "malformed json"), doc("c")}},
		{"not an object", "[1,2]\nnull\n42\n\"s\"\n" + `{"id":"c","text":"z"}`, Options{},
			[]want{bad(0, "not a json object"), bad(1, "not a json object"), bad(2, "not a json object"), bad(3, "not a json object"), doc("c")}},
		{"broken syntax", "{bad\n" + `{"a":1,}` + "\n" + `{"a" 1}` + "\n" + `{"id":"x","text":"t"} x` + "\n" + `{"id":"x","text":"a` + "\x01" + `"}`, Options{},
			[]want{bad(0, "malformed json: expected a key at byte 1"), bad(1, "expected a key at byte 7"), bad(2, "expected ':'"),
				bad(3, "data after the object"), bad(4, "control character in string")}},
		{"invalid utf-8", `{"id":"a","text":"caf` + "\xe9" + `"}` + "\n" + `{"id":"b","text":"y"}`, Options{},
			[]want{{id: "a", errAt: 0, errHas: "invalid utf-8 at byte 21"}, doc("b")}},
		{"unpaired surrogate", `{"id":"a","text":"x\ud800y"}` + "\n" + `{"id":"b","text":"\udc00"}` + "\n" + `{"id":"c","text":"\\ud800"}`,
			Options{}, []want{{id: "a", errAt: 0, errHas: "unpaired utf-16 surrogate escape"}, {id: "b", errAt: 1, errHas: "surrogate"}, doc("c")}},
		{"paired surrogate", `{"id":"a","text":"\ud83d\ude00"}`, Options{}, []want{doc("a")}},
		{"no text", `{"id":"a","body":"x"}` + "\n" + `{"id":"b","text":"y"}`, Options{},
			[]want{{id: "a", errAt: 0, errHas: `no "text" field`}, doc("b")}},
		{"text not a string", `{"id":"a","text":5}` + "\n" + `{"id":"b","text":null}` + "\n" + `{"id":"c","text":["x"]}`, Options{},
			[]want{{id: "a", errAt: 0, errHas: "not a string"}, {id: "b", errAt: 1, errHas: "not a string"}, {id: "c", errAt: 2, errHas: "not a string"}}},
		{"numeric ids", `{"id":12345678901234567890,"text":"x"}` + "\n" + `{"id":-7,"text":"x"}` + "\n" + `{"id":1.5,"text":"x"}` + "\n" + `{"id":1e3,"text":"x"}`,
			Options{}, []want{doc("12345678901234567890"), doc("-7"), doc("1.5"), doc("1000")}},
		{"id of another type", `{"id":{"a":1},"text":"x"}` + "\n" + `{"id":true,"text":"x"}` + "\n" + `{"text":"x"}`, Options{},
			[]want{bad(0, "neither a string nor a number"), bad(1, "neither"), doc("in.jsonl:2")}},
		{"byte order mark", "\xef\xbb\xbf" + `{"id":"a","text":"x"}`, Options{}, []want{doc("a")}},
		{"custom fields", `{"doc_id":9,"content":"x","id":"other"}`, Options{TextField: "content", IDField: "doc_id"}, []want{doc("9")}},
		{"dotted fields", `{"meta":{"key":"k1"},"body":{"text":"x"}}`, Options{TextField: "body.text", IDField: "meta.key"}, []want{doc("k1")}},
		{"long line", `{"id":"a","text":"` + strings.Repeat("x", 100) + `"}` + "\n" + `{"id":"b","text":"y"}`,
			Options{MaxLineBytes: 50}, []want{bad(0, "longer than the limit of 50 bytes"), doc("b")}},
		{"line at the limit", `{"id":"a","text":"` + strings.Repeat("x", 10) + `"}`, Options{MaxLineBytes: 30}, []want{doc("a")}},
		{"line one over the limit", `{"id":"a","text":"` + strings.Repeat("x", 10) + `"}`, Options{MaxLineBytes: 29}, []want{bad(0, "longer than the limit")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(c.input), "in.jsonl", c.opt)
			got := readItems(t, r)
			r.Close()
			if len(got) != len(c.want) {
				t.Fatalf("got %d items, want %d: %+v", len(got), len(c.want), got)
			}
			offsets := lineOffsets(c.input)
			for i, w := range c.want {
				g := got[i]
				if w.errAt < 0 {
					if g.doc == nil {
						t.Errorf("item %d: parse error %v, want document %q", i, g.pe, w.id)
					} else if g.doc.ID != w.id {
						t.Errorf("item %d: id %q, want %q", i, g.doc.ID, w.id)
					}
					continue
				}
				if g.pe == nil {
					t.Errorf("item %d: document %q, want a parse error", i, g.doc.ID)
					continue
				}
				if g.pe.Record != w.errAt || g.pe.Offset != offsets[w.errAt] || g.pe.File != "in.jsonl" || g.pe.ID != w.id {
					t.Errorf("item %d: parse error at %d/%d id %q, want line %d offset %d id %q",
						i, g.pe.Record, g.pe.Offset, g.pe.ID, w.errAt, offsets[w.errAt], w.id)
				}
				if !strings.Contains(g.pe.Error(), w.errHas) || !strings.HasPrefix(g.pe.Err.Error(), "jsonl: ") {
					t.Errorf("item %d: error %q does not say %q", i, g.pe.Error(), w.errHas)
				}
			}
		})
	}
}

// lineOffsets returns the byte offset of each line of s.
func lineOffsets(s string) []int64 {
	offs := []int64{0}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			offs = append(offs, int64(i+1))
		}
	}
	return offs
}

func TestDecodeMapping(t *testing.T) {
	line := `{"id":"x","text":"t","source":"s","added":"2024-01-01T00:00:00Z","created":"2023-01-01T00:00:00Z","version":"v1",` +
		`"url":"http://top/","lang":"de","metadata":{"warc_date":"d","score":1.5,"lang":"en"},"attributes":{"a/b":[1,2],"c":"x"}}`
	r := NewReader(strings.NewReader(line), "f", Options{})
	d, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	want := &winnow.Doc{ID: "x", Text: "t", Source: "s", Added: "2024-01-01T00:00:00Z", Created: "2023-01-01T00:00:00Z", Version: "v1",
		Metadata: winnow.Metadata{URL: "http://top/", WARCDate: "d",
			Extra: map[string]json.RawMessage{"score": json.RawMessage("1.5"), "lang": json.RawMessage(`"en"`)}},
		Attributes: map[string]any{"a/b": []any{1.0, 2.0}, "c": "x"},
		Pos:        winnow.Position{File: "f"}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got  %+v\nwant %+v", d, want)
	}

	// With a custom text field, "text" and the other unknown keys are kept.
	r = NewReader(strings.NewReader(`{"id":"x","body":"t","text":"not this","n":3}`), "f", Options{TextField: "body"})
	d, err = r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if d.Text != "t" || string(d.Metadata.Extra["text"]) != `"not this"` || string(d.Metadata.Extra["n"]) != "3" {
		t.Errorf("custom text field: text %q extra %v", d.Text, d.Metadata.Extra)
	}
}

// TestLongLines crosses the 1 MiB read buffer: a 1.5 MiB line is read
// whole, a 3 MiB line over a 2 MiB cap is skipped without being kept.
func TestLongLines(t *testing.T) {
	big := func(id string, n int) string {
		return `{"id":"` + id + `","text":"` + strings.Repeat("é", n/2) + `"}` + "\n"
	}
	input := big("a", 3<<19) + big("b", 3<<20) + big("c", 10)
	r := NewReader(strings.NewReader(input), "f", Options{MaxLineBytes: 2 << 20})
	items := readItems(t, r)
	if len(items) != 3 || items[0].doc == nil || items[1].pe == nil || items[2].doc == nil {
		t.Fatalf("got %+v", items)
	}
	if len(items[0].doc.Text) != 3<<19 || items[2].doc.ID != "c" {
		t.Errorf("first text %d bytes, third id %q", len(items[0].doc.Text), items[2].doc.ID)
	}
	if items[1].pe.Record != 1 || items[1].pe.Offset != int64(len(big("a", 3<<19))) {
		t.Errorf("long line error at %d/%d", items[1].pe.Record, items[1].pe.Offset)
	}
	if items[2].doc.Pos.Offset != int64(len(input)-len(big("c", 10))) {
		t.Errorf("line after the long one at offset %d", items[2].doc.Pos.Offset)
	}
	if c := cap(r.buf); c > 2<<20+readBufferSize {
		t.Errorf("line buffer grew to %d bytes over a 2 MiB cap", c)
	}
}

// TestCutInsideCharacter: the last line of a complete gzip stream stops
// inside the two bytes of "é".
func TestCutInsideCharacter(t *testing.T) {
	content := `{"id":"a","text":"un café"}` + "\n" + `{"id":"b","text":"caf` + "\xc3"
	path := filepath.Join(t.TempDir(), "cut.jsonl.gz")
	if err := os.WriteFile(path, gzipBytes(t, []byte(content)), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	items := readItems(t, r)
	r.Close()
	if len(items) != 2 || items[0].doc == nil || items[0].doc.Text != "un café" || items[1].pe == nil {
		t.Fatalf("got %+v", items)
	}
	if pe := items[1].pe; pe.Record != 1 || pe.Offset != 29 || pe.File != path || !errors.Is(pe, io.ErrUnexpectedEOF) {
		t.Errorf("parse error %v, want unexpected EOF at line 1, offset 29", pe)
	}
}

// TestTruncatedGzip cuts a multistream .jsonl.gz (one member per line, the
// last lines full of "é") at every byte of its last member: every
// complete line comes out, then exactly one ParseError wrapping
// io.ErrUnexpectedEOF for the cut line, then io.EOF.
func TestTruncatedGzip(t *testing.T) {
	var lines []string
	for i := range 4 {
		lines = append(lines, fmt.Sprintf(`{"id":"d%d","text":"%s"}`+"\n", i, strings.Repeat("é", 40+i)))
	}
	var file []byte
	var offsets []int64
	var off int64
	for _, l := range lines {
		offsets = append(offsets, off)
		off += int64(len(l))
		file = append(file, gzipBytes(t, []byte(l))...)
	}
	lastStart := len(file) - len(gzipBytes(t, []byte(lines[3])))
	for cut := lastStart + 1; cut < len(file); cut++ {
		r := NewReader(bytes.NewReader(file[:cut]), "cut.jsonl.gz", Options{})
		items := readItems(t, r)
		r.Close()
		n := len(items) - 1
		if n < 3 || n > 4 || items[n].pe == nil {
			t.Fatalf("cut at %d: got %d items, last %+v", cut, len(items), items[len(items)-1])
		}
		for i := range n {
			if items[i].doc == nil || items[i].doc.ID != fmt.Sprintf("d%d", i) {
				t.Fatalf("cut at %d: item %d is %+v", cut, i, items[i])
			}
		}
		pe := items[n].pe
		if pe.Record != int64(n) || !errors.Is(pe, io.ErrUnexpectedEOF) {
			t.Errorf("cut at %d: parse error %v at line %d, want line %d wrapping unexpected EOF", cut, pe, pe.Record, n)
		}
		if n == 3 && pe.Offset != offsets[3] {
			t.Errorf("cut at %d: offset %d, want %d", cut, pe.Offset, offsets[3])
		}
	}
}

// TestTruncatedStreams cuts single-stream gzip and zstd files at several
// points; the documents that come out are an unchanged prefix, and the cut
// is always reported.
func TestTruncatedStreams(t *testing.T) {
	var docs []*winnow.Doc
	for i := range 200 {
		docs = append(docs, &winnow.Doc{ID: fmt.Sprint(i), Text: fmt.Sprintf("document %d: %s", i, strings.Repeat("ça va ", i%17))})
	}
	plain := encodeLines(t, docs)
	for name, b := range map[string][]byte{"gzip": gzipBytes(t, plain), "zstd": zstdBytes(t, plain)} {
		for _, frac := range []float64{0.1, 0.5, 0.9, 0.999} {
			cut := int(float64(len(b)) * frac)
			r := NewReader(bytes.NewReader(b[:cut]), "f", Options{})
			var got []*winnow.Doc
			var parse, fatal int
			for {
				d, err := r.Next()
				if err == io.EOF {
					break
				}
				var pe *winnow.ParseError
				if errors.As(err, &pe) {
					parse++
					continue
				}
				if err != nil {
					fatal++
					break
				}
				got = append(got, d)
			}
			if parse+fatal == 0 {
				t.Errorf("%s cut at %d of %d: no error reported", name, cut, len(b))
			}
			for i, d := range got {
				if d.ID != docs[i].ID || d.Text != docs[i].Text {
					t.Fatalf("%s cut at %d: document %d differs", name, cut, i)
				}
			}
		}
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nope.jsonl"), Options{})
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "jsonl: ") {
		t.Errorf("err = %v", err)
	}
}

func TestInputBytesPlain(t *testing.T) {
	in := encodeLines(t, sampleDocs())
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(in)
	zw.Close()
	r := NewReader(bytes.NewReader(in), "f", Options{})
	if r.InputBytes() != 0 {
		t.Error("bytes consumed before the first Next")
	}
	readItems(t, r)
	if r.InputBytes() != int64(len(in)) {
		t.Errorf("InputBytes = %d, want %d", r.InputBytes(), len(in))
	}
}

// TestNestedFieldsMoved: a nested text or id field is moved out of the
// record, not copied into metadata; siblings of the moved leaf stay, and an
// object left empty goes.
func TestNestedFieldsMoved(t *testing.T) {
	in := `{"rec":{"id":"r1","shard":3},"doc":{"body":"secret@example.org text"},"lang":"en"}` + "\n"
	r := NewReader(strings.NewReader(in), "in.jsonl", Options{TextField: "doc.body", IDField: "rec.id"})
	d, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "r1" || d.Text != "secret@example.org text" {
		t.Fatalf("doc = %q %q", d.ID, d.Text)
	}
	got, err := json.Marshal(d.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"lang":"en","rec":{"shard":3}}`; string(got) != want {
		t.Errorf("metadata = %s, want %s", got, want)
	}
}
