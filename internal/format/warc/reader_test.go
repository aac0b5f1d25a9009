package warc

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/andybalholm/brotli"

	"winnow"
)

// rec builds one WARC record with CRLF lines; fields are "Name: value"
// lines, the Content-Length is added from block.
func rec(typ, id string, fields []string, block string) string {
	var b strings.Builder
	b.WriteString("WARC/1.0\r\nWARC-Type: " + typ + "\r\n")
	if id != "" {
		b.WriteString("WARC-Record-ID: <" + id + ">\r\n")
	}
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(block))
	b.WriteString(block)
	b.WriteString("\r\n\r\n")
	return b.String()
}

// httpResp builds an HTTP response block.
func httpResp(status string, headers []string, body string) string {
	var b strings.Builder
	b.WriteString("HTTP/1.1 " + status + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	return b.String() + "\r\n" + body
}

// withLength changes the Content-Length of the WARC record r by delta.
func withLength(r string, delta int) string {
	i := strings.Index(r, "Content-Length: ") + len("Content-Length: ")
	j := i + strings.Index(r[i:], "\r\n")
	var n int
	fmt.Sscan(r[i:j], &n)
	return r[:i] + fmt.Sprint(n+delta) + r[j:]
}

func response(id, url, ct, body string) string {
	return rec("response", id, []string{"WARC-Target-URI: " + url, "WARC-Date: 2024-01-02T03:04:05Z",
		"Content-Type: application/http; msgtype=response"}, httpResp("200 OK", []string{"Content-Type: " + ct}, body))
}

// sampleRecords is a small valid WARC: warcinfo, request, two HTML
// responses, a 404, a WET conversion.
func sampleRecords() []string {
	return []string{
		rec("warcinfo", "urn:uuid:info", []string{"Content-Type: application/warc-fields"}, "software: test\r\n"),
		rec("request", "urn:uuid:req", []string{"WARC-Target-URI: http://a.example/"}, "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"),
		response("urn:uuid:a", "http://a.example/", "text/html", "<html><body>first page</body></html>"),
		response("urn:uuid:b", "http://b.example/", "text/html; charset=utf-8", "<!doctype html><p>second page</p>"),
		rec("response", "urn:uuid:404", []string{"WARC-Target-URI: http://c.example/"}, httpResp("404 Not Found", []string{"Content-Type: text/html"}, "<html>gone</html>")),
		rec("conversion", "urn:uuid:wet", []string{"WARC-Target-URI: http://a.example/", "WARC-Refers-To: <urn:uuid:a>", "Content-Type: text/plain"}, "first page"),
	}
}

// sampleWant are the IDs of sampleRecords' documents.
var sampleWant = []string{"urn:uuid:a", "urn:uuid:b", "urn:uuid:wet"}

func gzipBytes(t testing.TB, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// perRecordGzip compresses each record as its own member and returns the
// file and each member's end offset.
func perRecordGzip(t testing.TB, recs []string) ([]byte, []int) {
	var out []byte
	var ends []int
	for _, r := range recs {
		out = append(out, gzipBytes(t, r)...)
		ends = append(ends, len(out))
	}
	return out, ends
}

func plainFile(recs []string) ([]byte, []int) {
	var out []byte
	var ends []int
	for _, r := range recs {
		out = append(out, r...)
		// A record is complete once its block is; the trailing CRLFs are
		// not needed.
		ends = append(ends, len(out)-4)
	}
	return out, ends
}

func ids(docs []*winnow.Doc) []string {
	var s []string
	for _, d := range docs {
		s = append(s, d.ID)
	}
	return s
}

func read(t testing.TB, src io.Reader) result {
	t.Helper()
	return readAll(t, NewReader(src, "input.warc"))
}

func TestSample(t *testing.T) {
	recs := sampleRecords()
	plain, _ := plainFile(recs)
	pergz, _ := perRecordGzip(t, recs)
	whole := gzipBytes(t, string(plain))
	for name, in := range map[string][]byte{"plain": plain, "per-record gzip": pergz, "whole-file gzip": whole} {
		t.Run(name, func(t *testing.T) {
			res := read(t, bytes.NewReader(in))
			if res.fatal != nil || len(res.perrs) > 0 || fmt.Sprint(ids(res.docs)) != fmt.Sprint(sampleWant) {
				t.Fatalf("docs %v, parse errors %v, fatal %v", ids(res.docs), res.perrs, res.fatal)
			}
			want := map[string]int64{"type:warcinfo": 1, "type:request": 1, "status:4xx": 1}
			if fmt.Sprint(res.skipped) != fmt.Sprint(want) {
				t.Errorf("skipped %v, want %v", res.skipped, want)
			}
			a := res.docs[0]
			if string(a.Payload) != "<html><body>first page</body></html>" || a.Metadata.URL != "http://a.example/" ||
				a.Created != "2024-01-02T03:04:05Z" || a.Metadata.ContentType != "text/html" || a.Pos.Record != 2 ||
				a.Metadata.WARCFilename != "input.warc" || a.Pos.File != "input.warc" {
				t.Errorf("first document %+v", a)
			}
			if w := res.docs[2]; w.Text != "first page" || w.Payload != nil {
				t.Errorf("WET document text %q", w.Text)
			}
		})
	}
	t.Run("offsets", func(t *testing.T) {
		_, ends := perRecordGzip(t, recs)
		res := read(t, bytes.NewReader(pergz))
		if got := res.docs[1].Pos.Offset; got != int64(ends[2]) {
			t.Errorf("per-record gzip: offset %d, want member start %d", got, ends[2])
		}
		res = read(t, bytes.NewReader(whole))
		want := int64(len(recs[0]) + len(recs[1]) + len(recs[2]))
		if got := res.docs[1].Pos.Offset; got != want {
			t.Errorf("whole-file gzip: offset %d, want decompressed offset %d", got, want)
		}
	})
}

// TestConformance is the reader conformance table: empty input, short
// reads, failing sources, inputs cut at every byte, Close twice.
func TestConformance(t *testing.T) {
	recs := sampleRecords()
	plain, plainEnds := plainFile(recs)
	pergz, gzEnds := perRecordGzip(t, recs)
	boom := errors.New("disk on fire")

	t.Run("empty", func(t *testing.T) {
		for _, in := range [][]byte{nil, []byte("\r\n\r\n"), gzipBytes(t, "")} {
			r := NewReader(bytes.NewReader(in), "empty")
			for range 2 {
				if d, err := r.Next(); d != nil || err != io.EOF {
					t.Fatalf("%q: Next = %v, %v; want io.EOF", in, d, err)
				}
			}
		}
	})
	for name, wrap := range map[string]func(io.Reader) io.Reader{
		"OneByteReader": iotest.OneByteReader,
		"HalfReader":    iotest.HalfReader,
		"DataErrReader": iotest.DataErrReader,
	} {
		for kind, in := range map[string][]byte{"plain": plain, "gzip": pergz} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				res := read(t, wrap(bytes.NewReader(in)))
				if res.fatal != nil || len(res.perrs) > 0 || fmt.Sprint(ids(res.docs)) != fmt.Sprint(sampleWant) {
					t.Fatalf("docs %v, parse errors %v, fatal %v", ids(res.docs), res.perrs, res.fatal)
				}
			})
		}
	}
	t.Run("ErrReader", func(t *testing.T) {
		r := NewReader(iotest.ErrReader(boom), "bad")
		for range 2 {
			d, err := r.Next()
			var pe *winnow.ParseError
			if d != nil || !errors.Is(err, boom) || errors.As(err, &pe) {
				t.Fatalf("Next = %v, %v; want the source's error, not a ParseError", d, err)
			}
		}
	})
	t.Run("fail midway", func(t *testing.T) {
		for kind, in := range map[string][]byte{"plain": plain, "gzip": pergz} {
			src := io.MultiReader(bytes.NewReader(in[:len(in)/2]), iotest.ErrReader(boom))
			res := read(t, src)
			if !errors.Is(res.fatal, boom) {
				t.Errorf("%s: fatal %v, want the source's error", kind, res.fatal)
			}
		}
	})
	// Every cut: no panic, no hang, every document whose record is whole
	// before the cut comes out, in order, and none that is cut.
	// slack is how many bytes before a record's end a cut may fall and
	// still leave the record whole: its trailing CRLFs in a plain file;
	// in a gzip member, the 8-byte trailer (CRC and size) and the 5-byte
	// empty final stored block that compress/flate writes on Close.
	cut := func(t *testing.T, in []byte, ends []int, slack int) {
		docAt := map[int]string{2: "urn:uuid:a", 3: "urn:uuid:b", 5: "urn:uuid:wet"}
		for n := 0; n < len(in); n++ {
			res := read(t, bytes.NewReader(in[:n]))
			if res.fatal != nil {
				t.Fatalf("cut at %d: fatal %v", n, res.fatal)
			}
			var must, may []string
			for i, end := range ends {
				if id, ok := docAt[i]; ok && end <= n {
					must = append(must, id)
				}
				if id, ok := docAt[i]; ok && end-slack <= n {
					may = append(may, id)
				}
			}
			got := fmt.Sprint(ids(res.docs))
			if got != fmt.Sprint(must) && got != fmt.Sprint(may) {
				t.Fatalf("cut at %d: docs %v, want %v", n, got, must)
			}
			// A cut inside a record must be reported, unless it only
			// loses the trailing CRLFs of a plain record.
			whole := n == 0
			for _, end := range ends {
				whole = whole || end == n || slack == 4 && n > end && n <= end+4
			}
			if !whole && len(res.perrs) == 0 {
				t.Fatalf("cut at %d: no parse error", n)
			}
		}
	}
	t.Run("cut plain", func(t *testing.T) { cut(t, plain, plainEnds, 4) })
	t.Run("cut gzip", func(t *testing.T) { cut(t, pergz, gzEnds, 13) })
	t.Run("close twice", func(t *testing.T) {
		r := NewReader(bytes.NewReader(plain), "x")
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if d, err := r.Next(); d != nil || err == nil {
			t.Errorf("Next after Close = %v, %v; want an error", d, err)
		}
	})
}

// TestJunkAtMemberEnd checks that a record starting a gzip member is found
// after junk that does not end with a line end.
func TestJunkAtMemberEnd(t *testing.T) {
	recs := sampleRecords()
	in := gzipBytes(t, recs[2]+"junk without a line end")
	second := len(in)
	in = append(in, gzipBytes(t, recs[3])...)
	res := read(t, bytes.NewReader(in))
	if fmt.Sprint(ids(res.docs)) != "[urn:uuid:a urn:uuid:b]" || len(res.perrs) != 1 {
		t.Fatalf("docs %v, parse errors %v", ids(res.docs), res.perrs)
	}
	if got := res.docs[1].Pos.Offset; got != int64(second) {
		t.Errorf("second document at %d, want its member's offset %d", got, second)
	}
}

// TestQuirks is a table of lenient-reading cases: what each input gives.
func TestQuirks(t *testing.T) {
	good := response("urn:uuid:next", "http://next.example/", "text/html", "<html>next</html>")
	brBody := func() string {
		var b bytes.Buffer
		w := brotli.NewWriter(&b)
		w.Write([]byte("<html>brotli</html>"))
		w.Close()
		return b.String()
	}()
	tests := []struct {
		name    string
		in      string
		docs    []string // payloads (or text) of the documents
		perrs   int
		skipped string
	}{
		{"LF-only lines and WARC/0.18",
			"WARC/0.18\nWARC-Type: response\nWARC-Record-ID: urn:uuid:lf\nContent-Length: 56\n\nHTTP/1.1 200 OK\nContent-Type: text/html\n\n<html>lf</html>\n\n" + good,
			[]string{"<html>lf</html>", "<html>next</html>"}, 0, ""},
		{"Content-Length 3 bytes short",
			withLength(response("urn:uuid:s", "http://s/", "text/html", "<html>short</html>"), -3) + good,
			[]string{"<html>short</ht", "<html>next</html>"}, 1, ""},
		{"Content-Length 9 bytes long",
			withLength(response("urn:uuid:l", "http://l/", "text/html", "<html>long</html>"), 9) + good + good,
			[]string{"<html>long</html>", "<html>next</html>", "<html>next</html>"}, 1, ""},
		{"Content-Length 20 bytes long on a skipped record",
			withLength(rec("request", "urn:uuid:q", nil, "GET / HTTP/1.1\r\n\r\n"), 20) + good,
			[]string{"<html>next</html>"}, 1, "type:request"},
		{"junk between records", good + "garbage line\r\nmore\r\n" + good,
			[]string{"<html>next</html>", "<html>next</html>"}, 1, ""},
		{"junk at the start", "HTTP/1.1 200 OK\r\n\r\n" + good,
			[]string{"<html>next</html>"}, 1, ""},
		{"bad Content-Length", strings.Replace(good, "Content-Length: ", "Content-Length: lots", 1) + good,
			[]string{"<html>next</html>"}, 1, ""},
		{"header cut by the next record", "WARC/1.0\r\nWARC-Type: response\r\n" + good,
			[]string{"<html>next</html>"}, 1, ""},
		{"bad date and unbracketed id",
			strings.Replace(strings.Replace(good, "2024-01-02T03:04:05Z", "yesterday", 1), "<urn:uuid:next>", "urn:uuid:next", 1),
			[]string{"<html>next</html>"}, 0, ""},
		{"redirect", rec("response", "urn:uuid:r", nil, httpResp("301 Moved", []string{"Location: /x"}, "")),
			nil, 0, "status:3xx"},
		{"javascript", response("urn:uuid:js", "http://j/", "application/javascript", "var a;"),
			nil, 0, "non_html:application/javascript"},
		{"no Content-Type, sniffs as HTML", rec("response", "urn:uuid:n", nil, httpResp("200 OK", nil, "<!DOCTYPE html><title>t</title>")),
			[]string{"<!DOCTYPE html><title>t</title>"}, 0, ""},
		{"no Content-Type, not HTML", rec("response", "urn:uuid:n", nil, httpResp("200 OK", nil, "%PDF-1.4")),
			nil, 0, "non_html:none"},
		{"garbage media type", response("urn:uuid:g", "http://g/", "a b/c\x01", "x"),
			nil, 0, "non_html:invalid"},
		{"not HTTP", rec("response", "urn:uuid:x", nil, "ICY 200 OK\r\n\r\nx") + good,
			[]string{"<html>next</html>"}, 1, ""},
		{"chunked", rec("response", "urn:uuid:c", nil, httpResp("200 OK", []string{"Content-Type: text/html", "Transfer-Encoding: chunked"}, "6\r\n<html>\r\n7\r\n</html>\r\n0\r\n\r\n")),
			[]string{"<html></html>"}, 0, ""},
		{"chunked label on a plain body", rec("response", "urn:uuid:c", nil, httpResp("200 OK", []string{"Content-Type: text/html", "Transfer-Encoding: chunked"}, "<html>plain</html>")),
			[]string{"<html>plain</html>"}, 0, ""},
		{"Common Crawl renamed headers", rec("response", "urn:uuid:cc", nil, httpResp("200 OK", []string{"Content-Type: text/html", "X-Crawler-Transfer-Encoding: chunked", "X-Crawler-Content-Encoding: gzip"}, "6\r\n<html>\r\n0\r\n\r\n")),
			[]string{"6\r\n<html>\r\n0\r\n\r\n"}, 0, ""},
		{"gzip content", rec("response", "urn:uuid:gz", nil, httpResp("200 OK", []string{"Content-Type: text/html", "Content-Encoding: gzip"}, string(gzipBytes(t, "<html>gz</html>")))),
			[]string{"<html>gz</html>"}, 0, ""},
		{"gzip label on a plain body", rec("response", "urn:uuid:gz", nil, httpResp("200 OK", []string{"Content-Type: text/html", "Content-Encoding: gzip"}, "<html>plain</html>")),
			[]string{"<html>plain</html>"}, 0, ""},
		{"brotli content", rec("response", "urn:uuid:br", nil, httpResp("200 OK", []string{"Content-Type: text/html", "Content-Encoding: br"}, brBody)),
			[]string{"<html>brotli</html>"}, 0, ""},
		{"brotli label on a plain body", rec("response", "urn:uuid:br", nil, httpResp("200 OK", []string{"Content-Type: text/html", "Content-Encoding: br"}, "<html>plain</html>")),
			[]string{"<html>plain</html>"}, 0, ""},
		{"html resource", rec("resource", "urn:uuid:res", []string{"Content-Type: text/html"}, "<html>res</html>"),
			[]string{"<html>res</html>"}, 0, ""},
		{"unknown type", rec("frobnicate", "urn:uuid:f", nil, "x") + good,
			[]string{"<html>next</html>"}, 0, "type:other"},
		{"ARC file", "filedesc://x.arc 0.0.0.0 20000101000000 text/plain 76\n1 0 test\nURL IP-address Archive-date Content-type Archive-length\n",
			nil, 1, ""},
		{"trailing partial magic", good + "WAR",
			[]string{"<html>next</html>"}, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := read(t, strings.NewReader(tc.in))
			if res.fatal != nil {
				t.Fatalf("fatal: %v", res.fatal)
			}
			var got []string
			for _, d := range res.docs {
				if d.Payload != nil {
					got = append(got, string(d.Payload))
				} else {
					got = append(got, d.Text)
				}
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.docs) || len(res.perrs) != tc.perrs {
				t.Errorf("docs %q, parse errors %v; want %q and %d", got, res.perrs, tc.docs, tc.perrs)
			}
			if tc.skipped != "" && res.skipped[tc.skipped] != 1 {
				t.Errorf("skipped %v, want %s", res.skipped, tc.skipped)
			}
		})
	}
}

func TestDates(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2024-05-18T01:58:10Z", "2024-05-18T01:58:10Z"},
		{"2024-05-18T01:58:10.250Z", "2024-05-18T01:58:10.25Z"},
		{"2024-05-18T03:58:10+02:00", "2024-05-18T01:58:10Z"},
		{"2008-10-29T05:21:46-0700", "2008-10-29T12:21:46Z"},
		{"2008-10-294T05:21:46-0700", ""},
		{"20240518015810", "2024-05-18T01:58:10Z"},
		{"", ""},
		{"yesterday", ""},
	} {
		if got := normDate(tc.in); got != tc.want {
			t.Errorf("normDate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseHTTP(t *testing.T) {
	for _, tc := range []struct {
		in       string
		status   int
		ct, body string
		wantErr  bool
	}{
		{"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>", 200, "text/html", "<p>", false},
		{"HTTP/1.0 404\nContent-Type:text/plain\n\nx", 404, "text/plain", "x", false},
		{"HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\nContent-Type: text/html\r\n\r\n", 200, "text/html", "", false},
		{"HTTP/1.1 200 OK\r\nno colon line\r\nContent-Type: a/b\r\n\r\nbody", 200, "a/b", "body", false},
		{"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n", 200, "text/html", "", false},
		{"HTTP/1.1 2000 OK\r\n\r\n", 0, "", "", true},
		{"HTTP/1.1\r\n\r\n", 0, "", "", true},
		{"GET / HTTP/1.1\r\n\r\n", 0, "", "", true},
	} {
		h, body, err := parseHTTP([]byte(tc.in))
		if (err != nil) != tc.wantErr || err == nil && (h.status != tc.status || h.fields.get("content-type") != tc.ct || string(body) != tc.body) {
			t.Errorf("parseHTTP(%q) = %d %q %q %v", tc.in, h.status, h.fields.get("content-type"), body, err)
		}
	}
}

func TestMaxPayload(t *testing.T) {
	big := response("urn:uuid:big", "http://big/", "text/html", "<html>"+strings.Repeat("x", 2000)+"</html>")
	video := rec("response", "urn:uuid:v", nil, httpResp("200 OK", []string{"Content-Type: video/mp4"}, strings.Repeat("v", 2000)))
	bomb := rec("response", "urn:uuid:bomb", nil, httpResp("200 OK", []string{"Content-Type: text/html", "Content-Encoding: gzip"}, string(gzipBytes(t, strings.Repeat("<p>", 5000)))))
	small := response("urn:uuid:small", "http://small/", "text/html", "<html>ok</html>")
	in := big + video + bomb + small
	res := readAll(t, NewReaderOptions(strings.NewReader(in), "x", Options{MaxPayload: 1000}))
	if fmt.Sprint(ids(res.docs)) != "[urn:uuid:small]" || len(res.perrs) != 2 || res.skipped["non_html:video/mp4"] != 1 {
		t.Fatalf("docs %v, parse errors %v, skipped %v", ids(res.docs), res.perrs, res.skipped)
	}
	for _, pe := range res.perrs {
		var tl errTooLarge
		if !errors.As(pe, &tl) {
			t.Errorf("parse error %v, want the payload limit", pe)
		}
	}
}

func TestInputBytes(t *testing.T) {
	plain, _ := plainFile(sampleRecords())
	r := NewReader(bytes.NewReader(plain), "x").(*Reader)
	readAll(t, r)
	if r.InputBytes() != int64(len(plain)) {
		t.Errorf("InputBytes = %d, want %d", r.InputBytes(), len(plain))
	}
}
