// Package formattest is the conformance suite that every winnow.Reader
// passes: round trip, empty input, truncated input, a source that returns
// one byte at a time (iotest.OneByteReader), a source that fails
// (iotest.ErrReader), and Close twice.
package formattest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"testing/iotest"

	"winnow"
)

// Subject describes the reader under test.
type Subject struct {
	// Encode returns an input in the reader's format holding docs.
	Encode func(t testing.TB, docs []*winnow.Doc) []byte
	// NewReader reads an input from src; name is the file name to report.
	NewReader func(src io.Reader, name string) (winnow.Reader, error)
	// Docs are the documents of the round trip; at least two.
	Docs []*winnow.Doc
	// Same reports whether got is want after a round trip, given the
	// fields the format keeps; nil compares ID, Text, Source, Metadata.URL
	// and Attributes.
	Same func(got, want *winnow.Doc) bool
}

// maxCalls bounds every read loop, so that a reader that never ends fails
// instead of hanging.
const maxCalls = 1 << 16

// Result is what a reader gave for one input.
type Result struct {
	Docs   []*winnow.Doc
	Parse  []*winnow.ParseError
	Fatal  error // the non-ParseError that ended reading, nil at io.EOF
	Closed error
}

// ReadAll drains r and closes it.
func ReadAll(t testing.TB, r winnow.Reader) Result {
	t.Helper()
	var res Result
	for i := 0; ; i++ {
		if i == maxCalls {
			t.Fatalf("formattest: reader did not end after %d calls", maxCalls)
		}
		d, err := r.Next()
		if err == io.EOF {
			if d != nil {
				t.Errorf("formattest: Next returned a document with io.EOF")
			}
			break
		}
		var pe *winnow.ParseError
		if errors.As(err, &pe) {
			res.Parse = append(res.Parse, pe)
			continue
		}
		if err != nil {
			res.Fatal = err
			break
		}
		if d == nil {
			t.Fatalf("formattest: Next returned neither a document nor an error")
		}
		res.Docs = append(res.Docs, d)
	}
	res.Closed = r.Close()
	return res
}

// Run runs the suite.
func Run(t *testing.T, s Subject) {
	if len(s.Docs) < 2 {
		t.Fatal("formattest: the subject needs at least two documents")
	}
	same := s.Same
	if same == nil {
		same = defaultSame
	}
	input := s.Encode(t, s.Docs)
	open := func(t *testing.T, src io.Reader) winnow.Reader {
		t.Helper()
		r, err := s.NewReader(src, "input")
		if err != nil {
			t.Fatalf("NewReader: %v", err)
		}
		return r
	}
	checkAll := func(t *testing.T, res Result) {
		t.Helper()
		if res.Fatal != nil || len(res.Parse) > 0 {
			t.Fatalf("clean input: fatal %v, parse errors %v", res.Fatal, res.Parse)
		}
		if len(res.Docs) != len(s.Docs) {
			t.Fatalf("got %d documents, want %d", len(res.Docs), len(s.Docs))
		}
		for i, d := range res.Docs {
			if !same(d, s.Docs[i]) {
				t.Errorf("document %d:\n got %+v\nwant %+v", i, d, s.Docs[i])
			}
			if d.Pos.File != "input" || d.Pos.Record < 0 {
				t.Errorf("document %d: position %v", i, d.Pos)
			}
		}
		if res.Closed != nil {
			t.Errorf("Close: %v", res.Closed)
		}
	}

	t.Run("RoundTrip", func(t *testing.T) {
		checkAll(t, ReadAll(t, open(t, bytes.NewReader(input))))
	})
	t.Run("OneByteReader", func(t *testing.T) {
		checkAll(t, ReadAll(t, open(t, iotest.OneByteReader(bytes.NewReader(input)))))
	})
	t.Run("Empty", func(t *testing.T) {
		empty := s.Encode(t, nil)
		r := open(t, bytes.NewReader(empty))
		for range 2 {
			if d, err := r.Next(); err != io.EOF || d != nil {
				t.Fatalf("empty input: Next = %v, %v; want nil, io.EOF", d, err)
			}
		}
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	t.Run("ErrReader", func(t *testing.T) {
		boom := errors.New("disk on fire")
		r := open(t, iotest.ErrReader(boom))
		for range 2 {
			d, err := r.Next()
			var pe *winnow.ParseError
			if d != nil || !errors.Is(err, boom) || errors.As(err, &pe) {
				t.Fatalf("Next = %v, %v; want the source's error, not a ParseError", d, err)
			}
		}
		r.Close()
	})
	t.Run("FailMidway", func(t *testing.T) {
		boom := errors.New("disk on fire")
		half := io.MultiReader(bytes.NewReader(input[:len(input)/2]), iotest.ErrReader(boom))
		res := ReadAll(t, open(t, half))
		if !errors.Is(res.Fatal, boom) {
			t.Errorf("fatal error %v, want the source's error", res.Fatal)
		}
		checkPrefix(t, res, s.Docs, same)
	})
	t.Run("Truncated", func(t *testing.T) {
		cuts := []int{1, 2, 3, len(input) / 3, len(input) / 2, len(input) - 2, len(input) - 1}
		for _, cut := range cuts {
			if cut <= 0 || cut >= len(input) {
				continue
			}
			t.Run(fmt.Sprint(cut), func(t *testing.T) {
				res := ReadAll(t, open(t, bytes.NewReader(input[:cut])))
				checkPrefix(t, res, s.Docs, same)
				lost := len(bytes.TrimSpace(input[cut:])) > 0
				if lost && len(res.Docs) == len(s.Docs) && len(res.Parse) == 0 && res.Fatal == nil {
					t.Errorf("input cut at %d of %d bytes read as complete", cut, len(input))
				}
			})
		}
	})
	t.Run("CloseTwice", func(t *testing.T) {
		r := open(t, bytes.NewReader(input))
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatalf("first Close: %v", err)
		}
		if err := r.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if d, err := r.Next(); d != nil || err == nil {
			t.Errorf("Next after Close = %v, %v; want an error", d, err)
		}
	})
}

// checkPrefix asserts that the documents read are the first ones of want,
// unchanged.
func checkPrefix(t *testing.T, res Result, want []*winnow.Doc, same func(a, b *winnow.Doc) bool) {
	t.Helper()
	if len(res.Docs) > len(want) {
		t.Fatalf("got %d documents from a cut input of %d", len(res.Docs), len(want))
	}
	for i, d := range res.Docs {
		if !same(d, want[i]) {
			t.Errorf("document %d of a cut input differs:\n got %+v\nwant %+v", i, d, want[i])
		}
	}
}

func defaultSame(got, want *winnow.Doc) bool {
	return got.ID == want.ID && got.Text == want.Text && got.Source == want.Source &&
		got.Metadata.URL == want.Metadata.URL &&
		(len(got.Attributes) == 0 && len(want.Attributes) == 0 || reflect.DeepEqual(got.Attributes, want.Attributes))
}
