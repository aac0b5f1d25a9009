package warc

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"winnow"
	"winnow/internal/format/formattest"
)

// TestFormatConformance runs the conformance suite that every winnow
// reader passes, on plain WARC response records.
func TestFormatConformance(t *testing.T) {
	doc := func(id, url, html string) *winnow.Doc {
		return &winnow.Doc{ID: id, Payload: []byte(html), Metadata: winnow.Metadata{URL: url}}
	}
	formattest.Run(t, formattest.Subject{
		Encode: func(t testing.TB, docs []*winnow.Doc) []byte {
			var b strings.Builder
			for _, d := range docs {
				b.WriteString(response(d.ID, d.Metadata.URL, "text/html", string(d.Payload)))
			}
			return []byte(b.String())
		},
		NewReader: func(src io.Reader, name string) (winnow.Reader, error) {
			return NewReader(src, name), nil
		},
		Docs: []*winnow.Doc{
			doc("urn:uuid:1", "http://a.example/", "<html><p>one</p></html>"),
			doc("urn:uuid:2", "http://b.example/", "<html><p>two</p></html>"),
			doc("urn:uuid:3", "http://c.example/", "<!doctype html><p>three</p>"),
		},
		Same: func(got, want *winnow.Doc) bool {
			return got.ID == want.ID && got.Metadata.URL == want.Metadata.URL && bytes.Equal(got.Payload, want.Payload)
		},
	})
}
