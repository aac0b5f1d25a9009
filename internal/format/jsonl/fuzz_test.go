package jsonl

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"winnow"
)

// FuzzJSONLReader feeds arbitrary bytes (plain, or gzip/zstd when the
// magic number matches) to the reader. It must never panic or loop; every
// document must have valid UTF-8 text, a position inside the input, and
// survive being written and read again unchanged.
func FuzzJSONLReader(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","text":"x"}` + "\n" + `{"id":"b","text":"y"}`,
		`{"id":1,"text":"\ud83d\ude00","metadata":{"url":"u","k":[1]},"attributes":{"a/b":1}}`,
		`{"id":"a","text":"\ud800"}`,
		"\xef\xbb\xbf{\"text\":\"caf\xc3\"}",
		"\n\n\r\n{}\n[1]\nnull\n",
		`{"id":{"x":1},"text":"t","url":"http://x"}`,
		`{"meta":{"key":"k"},"body":{"text":"x"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Add(gzipBytes(f, []byte(`{"id":"a","text":"é"}`+"\n")))
	f.Add(zstdBytes(f, []byte(`{"id":"a","text":"é"}`+"\n")))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in), "fuzz", Options{MaxLineBytes: 1 << 16})
		defer r.Close()
		enc := newEncoder()
		for calls := 0; ; calls++ {
			if calls > len(in)+2 && calls > 1<<16 {
				t.Fatal("reader does not end")
			}
			d, err := r.Next()
			if err == io.EOF {
				return
			}
			var pe *winnow.ParseError
			if errors.As(err, &pe) {
				if pe.File != "fuzz" || pe.Record < 0 || pe.Offset < 0 {
					t.Fatalf("parse error position %+v", pe)
				}
				continue
			}
			if err != nil {
				return // corrupt compressed data: fatal, fine
			}
			if !utf8.ValidString(d.Text) || !utf8.ValidString(d.ID) {
				t.Fatalf("invalid UTF-8 came out: %q", d.Text)
			}
			line, err := enc.doc(d, true)
			if err != nil {
				t.Fatalf("re-encoding %+v: %v", d, err)
			}
			again, _, err := decodeLine(bytes.TrimSuffix(line, []byte("\n")), Options{}.withDefaults())
			if err != nil {
				t.Fatalf("re-reading %s: %v", line, err)
			}
			if again.ID != d.ID || again.Text != d.Text || again.Source != d.Source || again.Metadata.URL != d.Metadata.URL {
				t.Fatalf("round trip changed %+v into %+v", d, again)
			}
		}
	})
}

// FuzzSplitObject holds the one-pass line splitter to encoding/json: a
// line is accepted exactly when json.Unmarshal into a map accepts it, the
// members are the same, and string values decode to the same text (except
// that an unpaired surrogate escape, which encoding/json turns into
// U+FFFD, is an error here).
func FuzzSplitObject(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","text":"x\n\"\\\/\b\f\r\t\u00e9\ud83d\ude00"}`,
		`{"a":{"b":[1,2,{"c":"}"}]},"n":-1.5e3,"t":true,"f":false,"z":null}`,
		` { } `, `{"a":1,}`, `{"a" 1}`, `[1]`, `{"a":"\ud800"}`, `{"a":01}`, `{"a":[}`, `{"a":"x"}}`,
		`{"dup":1,"dup":2}`, "{\"a\":\"\x7f\xff\"}", `{"\u0061":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var want map[string]json.RawMessage
		stdErr := json.Unmarshal(line, &want)
		if stdErr == nil && want == nil {
			stdErr = errNotObject // the literal null
		}
		members, _, err := splitObject(line, nil, nil)
		if (err == nil) != (stdErr == nil) {
			t.Fatalf("%q: splitObject error %v, encoding/json error %v", line, err, stdErr)
		}
		if err != nil || !utf8.Valid(line) {
			return // the reader rejects invalid UTF-8 before using members
		}
		got := map[string][]byte{}
		for _, m := range members {
			got[m.key] = m.val
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, encoding/json has %d", line, len(got), len(want))
		}
		for k, v := range want {
			g, ok := got[k]
			if !ok || !bytes.Equal(g, v) {
				t.Fatalf("%q: member %q = %q, encoding/json %q", line, k, g, v)
			}
			if v[0] != '"' {
				continue
			}
			var s string
			json.Unmarshal(v, &s)
			u, err := unquote(nil, g)
			if err != nil {
				if !strings.Contains(s, "\ufffd") {
					t.Fatalf("%q: unquote error %v without a U+FFFD in %q", g, err, s)
				}
				continue
			}
			if string(u) != s {
				t.Fatalf("%q: unquote %q, encoding/json %q", g, u, s)
			}
		}
	})
}
