package warc

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"winnow"
	"winnow/internal/testutil"
)

// result is everything a reader gave for one input.
type result struct {
	docs    []*winnow.Doc
	perrs   []*winnow.ParseError
	fatal   error
	skipped map[string]int64
}

// maxCalls bounds every read loop so that a reader that never ends fails
// the test instead of hanging it.
const maxCalls = 100000

func readAll(t testing.TB, r winnow.Reader) result {
	t.Helper()
	var res result
	for i := 0; ; i++ {
		if i == maxCalls {
			t.Fatalf("reader did not end after %d calls", maxCalls)
		}
		d, err := r.Next()
		if err == io.EOF {
			if d != nil {
				t.Fatal("Next returned a document with io.EOF")
			}
			break
		}
		var pe *winnow.ParseError
		if errors.As(err, &pe) {
			res.perrs = append(res.perrs, pe)
			continue
		}
		if err != nil {
			res.fatal = err
			break
		}
		if d == nil {
			t.Fatal("Next returned neither a document nor an error")
		}
		res.docs = append(res.docs, d)
	}
	if wr, ok := r.(*Reader); ok {
		res.skipped = wr.Skipped()
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	return res
}

func readFile(t testing.TB, path string) result {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return readAll(t, r)
}

// corpusWant is what each file of the shared WARC corpus must give.
//
// How the numbers are known, independently of this package: every file
// was decompressed with Python's zlib member by member (recording member
// offsets and where decoding stops) and split into records at lines
// starting with "WARC/" (not by Content-Length); a record counts as a
// document when it is a response whose HTTP status line says 2xx and whose
// Content-Type is text/html or application/xhtml+xml, a resource with an
// HTML WARC Content-Type, or a non-empty conversion record. The skip
// counts are that script's WARC-Type counts. Parse errors were established
// by hand from the bytes, one per case:
//
//   - iagowarc corrupted-*: one gzip member holding 12 (30) complete
//     records, then 34 (55) bytes of ASCII garbage at offset 1219 (2362),
//     the offsets where upstream gowarc's mend test truncates the files.
//   - resiliparse clipped.warc.gz: one member that ends early; zlib yields
//     75657 of the record's bytes, Content-Length needs more.
//   - warcio example-trunc.warc: the response's Content-Length (973) is 2
//     bytes short of its block; the two NUL bytes left over before the next
//     record are not a record.
//   - warcio-torture standard-torture-validate-field.warc ends with a lone
//     "WARC/invalid" line: a record header that never ends.
//   - the .lz4 files are LZ4 frames, not WARC: one region that is not a
//     record.
type corpusWant struct {
	docs, perrs int
	skipped     map[string]int64
}

var corpusWants = map[string]corpusWant{
	"cc-whirlwind/whirlwind.warc.gz":     {1, 0, map[string]int64{"type:warcinfo": 1, "type:request": 1, "type:metadata": 1}},
	"cc-whirlwind/whirlwind.warc.wat.gz": {0, 0, map[string]int64{"type:warcinfo": 1, "type:metadata": 1}},
	"cc-whirlwind/whirlwind.warc.wet":    {1, 0, map[string]int64{"type:warcinfo": 1}},
	"cc-whirlwind/whirlwind.warc.wet.gz": {1, 0, map[string]int64{"type:warcinfo": 1}},

	"iagowarc/corrupted-mid-record.warc.gz.open":     {12, 1, map[string]int64{}},
	"iagowarc/corrupted-trailing-bytes.warc.gz.open": {30, 1, map[string]int64{}},
	"iagowarc/empty.warc.gz.open":                    {0, 0, map[string]int64{}},
	"iagowarc/good.warc.gz.open":                     {50, 0, map[string]int64{}},
	"iagowarc/single-record.warc.gz.open":            {1, 0, map[string]int64{}},
	"iagowarc/skip-non-open.warc.gz":                 {10, 0, map[string]int64{}},
	"iagowarc/test.warc.gz":                          {0, 0, map[string]int64{"type:warcinfo": 1, "type:request": 1, "non_html:text/javascript": 1}},

	"jwarc/cc.warc.gz":            {1, 0, map[string]int64{}},
	"jwarc/gzip_extra_sl.warc.gz": {0, 0, map[string]int64{"type:warcinfo": 1}},

	"resiliparse/block-sized-records.warc":     {0, 0, map[string]int64{"type:other": 3}},
	"resiliparse/block-sized-records.warc.gz":  {0, 0, map[string]int64{"type:other": 3}},
	"resiliparse/block-sized-records.warc.lz4": {0, 1, map[string]int64{}},
	"resiliparse/clipped.warc.gz":              {0, 1, map[string]int64{}},
	"resiliparse/clueweb-quirk.warc.gz":        {29, 0, map[string]int64{"type:warcinfo": 1}},
	"resiliparse/warcfile.warc":                {16, 0, map[string]int64{"type:warcinfo": 1, "type:request": 17, "type:metadata": 16}},
	"resiliparse/warcfile.warc.gz":             {16, 0, map[string]int64{"type:warcinfo": 1, "type:request": 17, "type:metadata": 16}},
	"resiliparse/warcfile.warc.lz4":            {0, 1, map[string]int64{}},

	"warcio-torture/example-digest-bad.warc":              {0, 0, map[string]int64{"type:request": 4}},
	"warcio-torture/standard-torture-validate-field.warc": {0, 1, map[string]int64{"type:other": 2, "type:request": 1}},
	// Response text/plain with an empty block and an empty conversion:
	// "empty"; resources text/plain, text/dns and without Content-Type.
	"warcio-torture/standard-torture-validate-record.warc": {0, 0, map[string]int64{
		"type:warcinfo": 3, "type:request": 2, "type:metadata": 2, "type:revisit": 3, "type:continuation": 2,
		"empty": 2, "non_html:text/plain": 1, "non_html:text/dns": 1, "non_html:none": 1}},

	"warcio/example-bad-non-chunked.warc.gz":     {1, 0, map[string]int64{"type:warcinfo": 2, "type:request": 2, "type:revisit": 1}},
	"warcio/example-bad.warc.gz.bad":             {1, 0, map[string]int64{"type:warcinfo": 1, "type:request": 2, "type:revisit": 1, "status:3xx": 1}},
	"warcio/example-digest.warc":                 {0, 0, map[string]int64{"type:request": 4}},
	"warcio/example-iana.org-chunked.warc":       {1, 0, map[string]int64{"type:warcinfo": 1, "type:request": 1}},
	"warcio/example-resource.warc.gz":            {1, 0, map[string]int64{"type:warcinfo": 2}},
	"warcio/example-space-in-target-uri.warc.gz": {0, 0, map[string]int64{"type:warcinfo": 1, "non_html:image/png": 1}},
	"warcio/example-trunc.warc":                  {1, 1, map[string]int64{"type:warcinfo": 2, "type:request": 1}},
	"warcio/example-wget-bad-target-uri.warc.gz": {1, 0, map[string]int64{"type:warcinfo": 1, "type:request": 1, "type:metadata": 1, "non_html:text/plain": 2}},
	"warcio/example-wrong-chunks.warc.gz":        {1, 0, map[string]int64{"type:request": 1}},
	"warcio/example.warc":                        {1, 0, map[string]int64{"type:warcinfo": 2, "type:request": 2, "type:revisit": 1}},
	"warcio/example.warc.gz":                     {1, 0, map[string]int64{"type:warcinfo": 2, "type:request": 2, "type:revisit": 1}},
	"warcio/post-test.warc.gz":                   {0, 0, map[string]int64{"type:request": 3, "non_html:application/json": 3}},
}

// arcFiles are ARC, which Open refuses by name.
var arcFiles = []string{"warcio/bad.arc", "warcio/example-space-in-url.arc", "warcio/example.arc", "warcio/example.arc.gz"}

// TestCorpus reads every WARC-family file of the shared corpus to the end
// and checks the exact number of documents, parse errors and skips.
func TestCorpus(t *testing.T) {
	root := testutil.Shared(t, "corpus/warc")
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "dolma/") || strings.HasSuffix(rel, ".md") || strings.HasSuffix(rel, ".test") {
			return nil
		}
		seen[rel] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arcFiles {
		if !seen[a] {
			t.Errorf("%s: missing from the corpus", a)
		}
		delete(seen, a)
		if _, err := Open(filepath.Join(root, a)); err == nil || !strings.Contains(err.Error(), "ARC") {
			t.Errorf("%s: Open = %v, want an error naming ARC", a, err)
		}
	}
	for rel := range seen {
		if _, ok := corpusWants[rel]; !ok {
			t.Errorf("%s: no expectation for this corpus file", rel)
		}
	}
	for rel, want := range corpusWants {
		t.Run(rel, func(t *testing.T) {
			res := readFile(t, filepath.Join(root, rel))
			if res.fatal != nil {
				t.Fatalf("fatal error: %v", res.fatal)
			}
			if len(res.docs) != want.docs || len(res.perrs) != want.perrs {
				t.Errorf("got %d documents and %d parse errors %v, want %d and %d", len(res.docs), len(res.perrs), res.perrs, want.docs, want.perrs)
			}
			if !maps.Equal(res.skipped, want.skipped) {
				t.Errorf("skipped %v, want %v", res.skipped, want.skipped)
			}
			base := filepath.Base(rel)
			for _, d := range res.docs {
				if d.ID == "" || d.ID != d.Metadata.WARCRecordID || strings.ContainsAny(d.ID, "<>") {
					t.Errorf("document ID %q, record ID %q", d.ID, d.Metadata.WARCRecordID)
				}
				if d.Metadata.WARCFilename != base || !strings.HasSuffix(d.Pos.File, rel) {
					t.Errorf("file name %q, position %v", d.Metadata.WARCFilename, d.Pos)
				}
				if len(d.Payload) == 0 && d.Text == "" {
					t.Errorf("%v: document without payload or text", d.Pos)
				}
			}
			for _, pe := range res.perrs {
				if pe.File == "" || pe.Offset < 0 || !strings.HasPrefix(pe.Err.Error(), "warc: ") {
					t.Errorf("parse error without position or package prefix: %v", pe)
				}
			}
		})
	}
}

// TestCompressedSameAsPlain checks that a file and its gzip form give the
// same documents, except for offsets (compressed ones for the gzip form).
func TestCompressedSameAsPlain(t *testing.T) {
	for _, pair := range [][2]string{
		{"resiliparse/warcfile.warc", "resiliparse/warcfile.warc.gz"},
		{"warcio/example.warc", "warcio/example.warc.gz"},
		{"warcio/example.warc", "warcio/example-bad-non-chunked.warc.gz"},
		{"cc-whirlwind/whirlwind.warc.wet", "cc-whirlwind/whirlwind.warc.wet.gz"},
	} {
		plain := readFile(t, testutil.Shared(t, "corpus/warc/"+pair[0]))
		gz := readFile(t, testutil.Shared(t, "corpus/warc/"+pair[1]))
		if len(plain.docs) == 0 || len(plain.docs) != len(gz.docs) {
			t.Fatalf("%s: %d documents, %s: %d", pair[0], len(plain.docs), pair[1], len(gz.docs))
		}
		for i := range plain.docs {
			a, b := plain.docs[i], gz.docs[i]
			if a.ID != b.ID || a.Text != b.Text || !bytes.Equal(a.Payload, b.Payload) || a.Created != b.Created ||
				a.Metadata.URL != b.Metadata.URL || a.Metadata.ContentType != b.Metadata.ContentType || a.Pos.Record != b.Pos.Record {
				t.Errorf("%s vs %s: document %d differs", pair[0], pair[1], i)
			}
		}
	}
}

// TestCorpusDocuments checks the content of particular documents.
func TestCorpusDocuments(t *testing.T) {
	get := func(t *testing.T, rel string) result {
		t.Helper()
		return readFile(t, testutil.Shared(t, "corpus/warc/"+rel))
	}
	t.Run("whirlwind", func(t *testing.T) {
		res := get(t, "cc-whirlwind/whirlwind.warc.gz")
		d := res.docs[0]
		// Member offsets 0, 516, 1023, 18374 (zlib); the response is the
		// third record.
		if d.Metadata.URL != "https://an.wikipedia.org/wiki/Escopete" || d.Pos.Offset != 1023 || d.Pos.Record != 2 {
			t.Errorf("URL %q at %v", d.Metadata.URL, d.Pos)
		}
		if d.ID != "urn:uuid:2aabeff2-67f5-4608-8466-e87c6296e2b6" || d.Created != "2024-05-18T01:58:10Z" ||
			d.Metadata.WARCDate != "2024-05-18T01:58:10Z" || d.Metadata.ContentType != "text/html; charset=UTF-8" {
			t.Errorf("metadata %+v created %q", d.Metadata, d.Created)
		}
		if !bytes.HasPrefix(d.Payload, []byte("<!DOCTYPE html>")) || !bytes.Contains(d.Payload, []byte("Escopete")) || d.Text != "" {
			t.Errorf("payload starts %q", truncate(d.Payload, 40))
		}
	})
	t.Run("whirlwind WET", func(t *testing.T) {
		res := get(t, "cc-whirlwind/whirlwind.warc.wet.gz")
		d := res.docs[0]
		if d.Payload != nil || !strings.HasPrefix(d.Text, "Escopete") || len(d.Text) != 4456 {
			t.Errorf("text %d bytes starting %q, payload %d bytes", len(d.Text), d.Text[:min(len(d.Text), 20)], len(d.Payload))
		}
		if d.Metadata.URL != "https://an.wikipedia.org/wiki/Escopete" || d.Metadata.ContentType != "text/plain" || d.Pos.Offset != 466 {
			t.Errorf("metadata %+v at %v", d.Metadata, d.Pos)
		}
		if got := string(d.Metadata.Extra["warc_refers_to"]); got != `"urn:uuid:2aabeff2-67f5-4608-8466-e87c6296e2b6"` {
			t.Errorf("warc_refers_to = %s, want the WARC response's ID", got)
		}
	})
	t.Run("chunked", func(t *testing.T) {
		d := get(t, "warcio/example-iana.org-chunked.warc").docs[0]
		// The block's body starts "001c37\r\n<!doctype html>".
		if !bytes.HasPrefix(d.Payload, []byte("<!doctype html>")) || !bytes.HasSuffix(bytes.TrimSpace(d.Payload), []byte("</html>")) {
			t.Errorf("payload %q ... %q", truncate(d.Payload, 30), d.Payload[max(0, len(d.Payload)-30):])
		}
		if bytes.Contains(d.Payload, []byte("\r\n0\r\n")) {
			t.Error("payload keeps the last chunk marker")
		}
	})
	t.Run("clueweb", func(t *testing.T) {
		res := get(t, "resiliparse/clueweb-quirk.warc.gz")
		for _, d := range res.docs {
			// "Content-Encoding: gzip" over a plain EUC-JP body: kept as
			// stored, which is not UTF-8.
			if !bytes.HasPrefix(d.Payload, []byte("<html>")) || utf8.Valid(d.Payload) {
				t.Errorf("%v: payload starts %q, valid UTF-8 %v", d.Pos, truncate(d.Payload, 20), utf8.Valid(d.Payload))
			}
			if d.Created != "" || d.Metadata.WARCDate != "2008-10-294T05:21:46-0700" {
				t.Errorf("%v: bad date gave created %q, raw %q", d.Pos, d.Created, d.Metadata.WARCDate)
			}
			if d.Metadata.ContentType != "text/html; charset=EUC-JP" {
				t.Errorf("content type %q", d.Metadata.ContentType)
			}
		}
		// The first response: member at 317, HTTP Content-Length 31291
		// after a 320-byte head in a 31611-byte block, plus "\n\n" that
		// the block holds beyond the HTTP body.
		if d := res.docs[0]; d.Pos.Offset != 317 || d.Pos.Record != 1 || len(d.Payload) != 31293 {
			t.Errorf("first document at %v with %d bytes", d.Pos, len(d.Payload))
		}
	})
	t.Run("corrupted trailing bytes", func(t *testing.T) {
		res := get(t, "iagowarc/corrupted-trailing-bytes.warc.gz.open")
		if pe := res.perrs[0]; pe.Offset != 2362 || pe.Record != -1 {
			t.Errorf("parse error %v, want offset 2362", pe)
		}
		// One member for all records: offsets are decompressed ones, each
		// record 747 bytes for pages 0-9 and 752 after.
		if d := res.docs[29]; d.ID != "urn:uuid:12345678-1234-1234-1234-000000000029" || d.Pos.Offset != 21759 {
			t.Errorf("last document %s at %v", d.ID, d.Pos)
		}
	})
	t.Run("corrupted mid record", func(t *testing.T) {
		res := get(t, "iagowarc/corrupted-mid-record.warc.gz.open")
		if pe := res.perrs[0]; pe.Offset != 1219 {
			t.Errorf("parse error %v, want offset 1219", pe)
		}
		if d := res.docs[11]; d.Metadata.URL != "https://test-site-1.example.com/page/11" {
			t.Errorf("last document %q", d.Metadata.URL)
		}
	})
	t.Run("clipped", func(t *testing.T) {
		pe := get(t, "resiliparse/clipped.warc.gz").perrs[0]
		if pe.Offset != 0 || pe.Record != 0 || pe.ID != "urn:uuid:f3dfa8fa-f031-4a38-90cc-1dcee3d07bb5" || !strings.Contains(pe.Error(), "truncated record") {
			t.Errorf("parse error %v", pe)
		}
	})
	t.Run("trunc", func(t *testing.T) {
		res := get(t, "warcio/example-trunc.warc")
		// The response block ends 2 bytes early at 2560; the next record
		// starts at 2566.
		if pe := res.perrs[0]; pe.Offset != 2560 || pe.Record != -1 {
			t.Errorf("parse error %v, want offset 2560", pe)
		}
		// The HTTP body is gzip; cut 2 bytes short, its deflate data is
		// still whole: 1270 bytes of HTML (zlib).
		if d := res.docs[0]; len(d.Payload) != 1270 || !bytes.HasSuffix(d.Payload, []byte("</html>\n")) {
			t.Errorf("payload of %d bytes", len(d.Payload))
		}
	})
	t.Run("wrong chunks", func(t *testing.T) {
		res := get(t, "warcio/example-wrong-chunks.warc.gz")
		d := res.docs[0]
		// The response's body spans the members at 0 and 516.
		if d.Pos.Offset != 0 || !bytes.HasSuffix(bytes.TrimSpace(d.Payload), []byte("</html>")) || !bytes.HasPrefix(d.Payload, []byte("<!doctype html>")) {
			t.Errorf("document at %v, payload %q", d.Pos, truncate(d.Payload, 30))
		}
	})
	t.Run("whole-file gzip", func(t *testing.T) {
		// zcat | grep -b: the response starts at 1197 of the stream.
		d := get(t, "warcio/example-bad-non-chunked.warc.gz").docs[0]
		if d.Pos.Offset != 1197 || d.Pos.Record != 2 || d.Metadata.URL != "http://example.com/" {
			t.Errorf("document %q at %v", d.Metadata.URL, d.Pos)
		}
	})
	t.Run("wget brackets", func(t *testing.T) {
		d := get(t, "warcio/example-wget-bad-target-uri.warc.gz").docs[0]
		if d.Metadata.URL != "http://example.com/" {
			t.Errorf("URL %q, want brackets stripped", d.Metadata.URL)
		}
	})
	t.Run("resource", func(t *testing.T) {
		d := get(t, "warcio/example-resource.warc.gz").docs[0]
		if d.Pos.Offset != 802 || !strings.HasPrefix(d.Metadata.ContentType, "text/html") || !bytes.Contains(d.Payload, []byte("<html")) {
			t.Errorf("resource document at %v, type %q", d.Pos, d.Metadata.ContentType)
		}
	})
}
