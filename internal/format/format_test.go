package format

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"winnow"
	"winnow/internal/format/parquet"
	"winnow/internal/testutil"
)

func gz(_ testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func zst(_ testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf)
	if err != nil {
		panic(err)
	}
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func write(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKindOf(t *testing.T) {
	for name, want := range map[string]Kind{
		"a.warc": WARC, "a.warc.gz": WARC, "a.warc.wet.gz": WARC, "a.wet.gz": WARC, "A.WARC.GZ": WARC,
		"a.warc.gz.open": WARC, "a.jsonl": JSONL, "a.json": JSONL, "a.jsonl.gz": JSONL, "a.json.gz": JSONL,
		"a.jsonl.zst": JSONL, "a.ndjson": JSONL, "a.jsonl.open": JSONL, "a.parquet": Parquet,
		"a.txt": Unknown, "a.gz": Unknown, "warc": Unknown, "a.warc.lz4": Unknown, "a.open": Unknown,
	} {
		if got := KindOf(name); got != want {
			t.Errorf("KindOf(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	warcHead := []byte("WARC/1.0\r\nWARC-Type: warcinfo\r\n\r\n")
	jsonLine := []byte(`{"id":"a","text":"x"}` + "\n")
	for _, c := range []struct {
		name    string
		content []byte
		want    Kind
		err     string
	}{
		{"plain.warc", warcHead, WARC, ""},
		{"a.warc.gz", gz(t, warcHead), WARC, ""},
		{"a.jsonl", jsonLine, JSONL, ""},
		{"a.jsonl.gz", gz(t, jsonLine), JSONL, ""},
		{"a.jsonl.zst", zst(t, jsonLine), JSONL, ""},
		{"bom.jsonl", append([]byte("\xef\xbb\xbf\n  "), jsonLine...), JSONL, ""},
		{"p.parquet", []byte("PAR1\x15\x04"), Parquet, ""},
		// Content wins over the name.
		{"really-warc.jsonl", gz(t, warcHead), WARC, ""},
		{"really-jsonl.warc.gz", zst(t, jsonLine), JSONL, ""},
		{"noext", jsonLine, JSONL, ""},
		// Empty files take the name's kind.
		{"empty.jsonl", nil, JSONL, ""},
		{"empty.warc.gz", gz(t, nil), WARC, ""},
		{"x.bin", []byte{0, 1, 2, 3}, Unknown, "not a WARC or JSONL file"},
		{"empty.bin", nil, Unknown, "not a WARC or JSONL file"},
		{"array.json", []byte(`[{"id":1}]`), Unknown, "not a WARC or JSONL file"},
		{"text.jsonl", []byte("hello\n"), Unknown, "not a WARC or JSONL file"},
		{"badgz.jsonl.gz", []byte{0x1f, 0x8b, 0, 0}, Unknown, "bad gzip header"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := write(t, dir, c.name, c.content)
			got, err := Detect(p)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), "format: "+p+": ") {
					t.Errorf("Detect = %v, %v; want an error naming the file and saying %q", got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("Detect = %v, %v; want %v", got, err, c.want)
			}
		})
	}
	if _, err := Detect(filepath.Join(dir, "missing.jsonl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	want := "format: " + filepath.Join(dir, "x.bin") + ": not a WARC or JSONL file"
	if _, err := Detect(filepath.Join(dir, "x.bin")); err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// TestDetectShared runs Detect on the real third-party files.
func TestDetectShared(t *testing.T) {
	for rel, want := range map[string]Kind{
		"corpus/warc/cc-whirlwind/whirlwind.warc.gz":             WARC,
		"corpus/warc/cc-whirlwind/whirlwind.warc.wet.gz":         WARC,
		"corpus/warc/cc-whirlwind/whirlwind.warc.wet":            WARC,
		"corpus/warc/cc-whirlwind/whirlwind.warc.wat.gz":         WARC, // WAT is WARC records
		"corpus/warc/iagowarc/good.warc.gz.open":                 WARC,
		"corpus/warc/iagowarc/empty.warc.gz.open":                WARC, // empty gzip member
		"corpus/warc/jwarc/gzip_extra_sl.warc.gz":                WARC,
		"corpus/warc/warcio/example-bad.warc.gz.bad":             WARC,
		"corpus/warc/resiliparse/warcfile.warc":                  WARC,
		"corpus/warc/dolma/jsonl/cc_en_head-0091.jsonl.gz":       JSONL,
		"corpus/warc/dolma/jsonl/provided-documents-000.json.gz": JSONL,
		"seed/seed.jsonl": JSONL,
		"corpus/warc/dolma/jsonl/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz": JSONL,
	} {
		got, err := Detect(testutil.Shared(t, rel))
		if err != nil || got != want {
			t.Errorf("%s: %v, %v; want %v", rel, got, err, want)
		}
	}
	for _, rel := range []string{"corpus/warc/warcio/bad.arc", "corpus/warc/resiliparse/warcfile.warc.lz4", "seed/README.md"} {
		if _, err := Detect(testutil.Shared(t, rel)); err == nil || !strings.Contains(err.Error(), "not a WARC or JSONL file") {
			t.Errorf("%s: err = %v", rel, err)
		}
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a/1.jsonl.gz", "a/2.warc.gz", "a/notes.txt", "a/b/3.jsonl", "a/b/c/4.warc.gz.open",
		"a/.hidden/5.jsonl", "a/.6.jsonl.zst.tmp", "plain.bin", "empty/README"} {
		write(t, dir, n, []byte("x"))
	}
	p := func(rel string) string { return filepath.Join(dir, rel) }
	for _, c := range []struct {
		name string
		args []string
		want []string
		errs []string
	}{
		{"folder walked, known names only, sorted", []string{p("a")},
			[]string{p("a/1.jsonl.gz"), p("a/2.warc.gz"), p("a/b/3.jsonl"), p("a/b/c/4.warc.gz.open")}, nil},
		{"explicit file kept whatever its name", []string{p("plain.bin"), p("a/notes.txt")},
			[]string{p("a/notes.txt"), p("plain.bin")}, nil},
		{"duplicates removed", []string{p("a/b"), p("a/b/3.jsonl"), p("a/b/../b/3.jsonl")},
			[]string{p("a/b/3.jsonl"), p("a/b/c/4.warc.gz.open")}, nil},
		{"glob", []string{p("a/*.gz")}, []string{p("a/1.jsonl.gz"), p("a/2.warc.gz")}, nil},
		{"star skips dot names, walks folders", []string{p("a/*")},
			[]string{p("a/1.jsonl.gz"), p("a/2.warc.gz"), p("a/b/3.jsonl"), p("a/b/c/4.warc.gz.open"), p("a/notes.txt")}, nil},
		{"double star", []string{p("a/**/*.jsonl*")}, []string{p("a/1.jsonl.gz"), p("a/b/3.jsonl")}, nil},
		{"double star matching folders walks them", []string{p("a/**/c")}, []string{p("a/b/c/4.warc.gz.open")}, nil},
		{"missing path", []string{p("nope.jsonl"), p("a/b")},
			[]string{p("a/b/3.jsonl"), p("a/b/c/4.warc.gz.open")}, []string{"nope.jsonl: no such file"}},
		{"glob without match", []string{p("a/*.parquet"), p("x/**/*.warc")}, nil,
			[]string{"a/*.parquet: no file matches", "x/**/*.warc: no file matches"}},
		{"folder without inputs", []string{p("empty")}, nil, []string{"empty: no WARC or JSONL files in the folder"}},
		{"bad pattern", []string{p("a/[")}, nil, []string{"syntax error in pattern"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Expand(c.args)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("files\n got %q\nwant %q", got, c.want)
			}
			if len(c.errs) == 0 && err != nil {
				t.Errorf("unexpected error %v", err)
			}
			for _, e := range c.errs {
				if err == nil || !strings.Contains(err.Error(), e) || !strings.HasPrefix(err.Error(), "format: ") {
					t.Errorf("error %v does not say %q", err, e)
				}
			}
		})
	}
}

// TestOpen dispatches real files to both readers.
func TestOpen(t *testing.T) {
	count := func(r winnow.Reader) (docs, parse int) {
		for {
			_, err := r.Next()
			if err == io.EOF {
				return
			}
			var pe *winnow.ParseError
			if errors.As(err, &pe) {
				parse++
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			docs++
		}
	}
	// JSONL, and a gzip JSONL file under a WARC name: content wins.
	src := testutil.Shared(t, "corpus/warc/dolma/jsonl/cc_en_head-0174.jsonl.gz")
	raw, _ := os.ReadFile(src)
	misnamed := write(t, t.TempDir(), "mislabelled.warc.gz", raw)
	for _, p := range []string{src, misnamed} {
		r, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := r.(Progresser); !ok {
			t.Errorf("JSONL reader is not a Progresser")
		}
		if docs, parse := count(r); docs != 10 || parse != 0 {
			t.Errorf("%s: %d documents, %d parse errors; want 10, 0", p, docs, parse)
		}
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	}
	// Options reach the JSONL reader: a missing text field is a parse error.
	r, err := Open(src, Options{TextField: "body"})
	if err != nil {
		t.Fatal(err)
	}
	if docs, parse := count(r); docs != 0 || parse != 10 {
		t.Errorf("text field body: %d documents, %d parse errors", docs, parse)
	}
	r.Close()

	// WARC: the whirlwind capture has one response record (SOURCES.md).
	r, err = Open(testutil.Shared(t, "corpus/warc/cc-whirlwind/whirlwind.warc.gz"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.(Skipper); !ok {
		t.Errorf("WARC reader is not a Skipper")
	}
	if docs, _ := count(r); docs != 1 {
		t.Errorf("whirlwind.warc.gz: %d documents, want 1", docs)
	}
	r.Close()

	// Errors name the file; no typed nil hides in the interface.
	for _, p := range []string{testutil.Shared(t, "corpus/warc/warcio/bad.arc"), filepath.Join(t.TempDir(), "gone.jsonl")} {
		r, err := Open(p, Options{})
		if err == nil || r != nil || !strings.Contains(err.Error(), filepath.Base(p)) {
			t.Errorf("Open(%s) = %v, %v", p, r, err)
		}
	}
	pq := write(t, t.TempDir(), "x.parquet", []byte("PAR1"))
	if r, err := Open(pq, Options{}); err == nil || r != nil || !strings.Contains(err.Error(), "x.parquet") {
		t.Errorf("truncated parquet: %v, %v", r, err)
	}
}

// TestOpenParquet: a Parquet shard that winnow wrote opens through Open,
// with the text and id columns the options name.
func TestOpenParquet(t *testing.T) {
	dir := t.TempDir()
	w, err := parquet.NewShardWriter(dir, parquet.ShardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"first document", "second document"}
	for i, text := range want {
		if err := w.Write(&winnow.Doc{ID: fmt.Sprint("d", i), Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	shards := w.Shards()
	if len(shards) != 1 {
		t.Fatalf("shards = %v", shards)
	}
	r, err := Open(shards[0], Options{TextField: "text", IDField: "id"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i, text := range want {
		d, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if d.ID != fmt.Sprint("d", i) || d.Text != text {
			t.Errorf("row %d = %q %q", i, d.ID, d.Text)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after last row: %v, want io.EOF", err)
	}
}

// FuzzDetect: sniffing arbitrary (possibly compressed) content never
// panics, and what it calls JSONL or WARC starts as such once decompressed.
func FuzzDetect(f *testing.F) {
	f.Add([]byte("WARC/1.0\r\n"))
	f.Add([]byte(`{"id":1}`))
	f.Add(gz(nil, []byte("WARC/1.0\r\n")))
	f.Add(zst(nil, []byte(" {")))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Add([]byte("PAR1"))
	f.Fuzz(func(t *testing.T, in []byte) {
		head, err := sniff(bytes.NewReader(in))
		if err != nil {
			return
		}
		if len(head) > sniffBytes {
			t.Fatalf("sniffed %d bytes", len(head))
		}
		k := kindOfContent(head)
		trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
		switch k {
		case WARC:
			if !bytes.HasPrefix(trimmed, []byte("WARC/")) {
				t.Fatalf("WARC for %q", head)
			}
		case JSONL:
			if !bytes.HasPrefix(trimmed, []byte("{")) {
				t.Fatalf("JSONL for %q", head)
			}
		}
	})
}
