package warc

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"winnow"
	"winnow/internal/testutil"
)

// FuzzReader feeds arbitrary bytes to the reader: it must not panic, must
// end within a bounded number of calls, and what it returns must be
// well-formed.
func FuzzReader(f *testing.F) {
	for _, rel := range []string{
		"warcio/example.warc",
		"warcio/example.warc.gz",
		"warcio/example-iana.org-chunked.warc",
		"warcio/example-trunc.warc",
		"warcio/example-wrong-chunks.warc.gz",
		"iagowarc/corrupted-mid-record.warc.gz.open",
		"jwarc/gzip_extra_sl.warc.gz",
		"warcio-torture/standard-torture-validate-field.warc",
		"warcio-torture/standard-torture-validate-record.warc",
		"cc-whirlwind/whirlwind.warc.wet.gz",
	} {
		b, err := os.ReadFile(testutil.Shared(f, "corpus/warc/"+rel))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, r := range sampleRecords() {
		f.Add([]byte(r))
		f.Add(zstdFrame(f, r))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReaderOptions(bytes.NewReader(in), "fuzz", Options{MaxPayload: 1 << 20})
		for i := 0; ; i++ {
			if i > len(in)+10 {
				t.Fatalf("no end after %d calls on %d bytes", i, len(in))
			}
			d, err := r.Next()
			if err == io.EOF {
				break
			}
			var pe *winnow.ParseError
			if errors.As(err, &pe) {
				if pe.Offset < 0 || pe.Record < -1 {
					t.Fatalf("parse error without position: %v", pe)
				}
				continue
			}
			if err != nil {
				t.Fatalf("fatal error on an in-memory input: %v", err)
			}
			if d.ID == "" || d.Pos.Record < 0 || d.Pos.Offset < 0 || d.Pos.Offset > int64(len(in)) && !isGzip(in) {
				t.Fatalf("bad document %q at %v", d.ID, d.Pos)
			}
			if len(d.Payload) == 0 && d.Text == "" {
				t.Fatalf("empty document at %v", d.Pos)
			}
		}
		if r.InputBytes() != int64(len(in)) {
			t.Fatalf("InputBytes %d after reading %d bytes", r.InputBytes(), len(in))
		}
	})
}

func isGzip(b []byte) bool { return bytes.HasPrefix(b, gzipMagic[:2]) }
