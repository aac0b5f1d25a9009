package warc

import (
	"compress/gzip"
	"io"
	"runtime"
	"testing"
)

// recordSource yields n copies of one record without holding them.
type recordSource struct {
	rec  []byte
	n    int
	left []byte
}

func (s *recordSource) Read(p []byte) (int, error) {
	if len(s.left) == 0 {
		if s.n == 0 {
			return 0, io.EOF
		}
		s.n--
		s.left = s.rec
	}
	k := copy(p, s.left)
	s.left = s.left[k:]
	return k, nil
}

// TestStreamingMemory reads a 30 MB input, plain and as one gzip member,
// and checks that the live heap stays small: memory does not grow with
// the input.
func TestStreamingMemory(t *testing.T) {
	rec := []byte(response("urn:uuid:m", "http://m.example/", "text/html", "<html>"+string(make([]byte, 500))+"</html>"))
	const n = 50000
	check := func(t *testing.T, src io.Reader) {
		r := NewReader(src, "big.warc")
		var ms runtime.MemStats
		var peak uint64
		docs := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			docs++
			if docs%10000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		if docs != n {
			t.Fatalf("%d documents, want %d", docs, n)
		}
		if peak > 16<<20 {
			t.Errorf("live heap reached %d MiB while reading %d MiB", peak>>20, n*len(rec)>>20)
		}
	}
	t.Run("plain", func(t *testing.T) { check(t, &recordSource{rec: rec, n: n}) })
	t.Run("whole-file gzip", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			zw := gzip.NewWriter(pw)
			_, err := io.Copy(zw, &recordSource{rec: rec, n: n})
			if err == nil {
				err = zw.Close()
			}
			pw.CloseWithError(err)
		}()
		check(t, pr)
	})
}
