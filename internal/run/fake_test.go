package run

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"winnow"
	"winnow/internal/config"
)

// The fake backend reads a tiny line format from real files, so that
// sizes and modification times are real:
//
//	doc <id> <text...>   a document
//	bad <reason...>      a bad record (*winnow.ParseError)
//	fatal <reason...>    the input cannot be read further
//	skip <reason>        a record skipped on purpose
//
// A file whose name ends in ".broken" cannot be opened. Documents and
// rejects are written as plain JSON lines to documents/00000.jsonl and
// rejects/00000.jsonl.
type fakeBackend struct {
	readDocs  atomic.Int64 // documents handed out by readers
	onWrite   func(n int64) error
	rejectErr error
}

func (fb *fakeBackend) backend() *Backend {
	return &Backend{
		Expand: fakeExpand,
		Open: func(path string, in config.Input) (winnow.Reader, error) {
			if strings.HasSuffix(path, ".broken") {
				return nil, fmt.Errorf("fake: %s: not a known format", path)
			}
			f, err := os.Open(path)
			if err != nil {
				return nil, err
			}
			return &fakeReader{f: f, sc: bufio.NewScanner(f), path: path, count: &fb.readDocs, skipped: map[string]int64{}}, nil
		},
		Documents: func(dir string, out config.Output, _ int) (ShardWriter, error) {
			w, err := newLineWriter(filepath.Join(dir, "documents"))
			if err != nil {
				return nil, err
			}
			return &fakeDocs{lineWriter: w, onWrite: fb.onWrite}, nil
		},
		Rejects: func(dir string, out config.Output, _ int) (RejectWriter, error) {
			w, err := newLineWriter(filepath.Join(dir, "rejects"))
			if err != nil {
				return nil, err
			}
			return &fakeRejects{lineWriter: w, err: fb.rejectErr}, nil
		},
	}
}

// fakeExpand accepts a file or a folder (its files, sorted).
func fakeExpand(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("fake: %w", err)
		}
		if !fi.IsDir() {
			out = append(out, a)
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			out = append(out, filepath.Join(a, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

type fakeReader struct {
	f       *os.File
	sc      *bufio.Scanner
	path    string
	rec     int64
	off     int64
	count   *atomic.Int64
	skipped map[string]int64
}

func (r *fakeReader) Next() (*winnow.Doc, error) {
	for r.sc.Scan() {
		line := r.sc.Text()
		rec, off := r.rec, r.off
		r.rec++
		r.off += int64(len(line)) + 1
		kind, rest, _ := strings.Cut(line, " ")
		switch kind {
		case "doc":
			id, text, _ := strings.Cut(rest, " ")
			r.count.Add(1)
			return &winnow.Doc{ID: id, Text: text, Pos: winnow.Position{File: r.path, Offset: off, Record: rec}}, nil
		case "bad":
			return nil, &winnow.ParseError{File: r.path, Offset: off, Record: rec, Err: errors.New(rest)}
		case "fatal":
			return nil, errors.New(rest)
		case "skip":
			r.skipped[rest]++
		}
	}
	return nil, io.EOF
}

func (r *fakeReader) Skipped() map[string]int64 { return r.skipped }
func (r *fakeReader) InputBytes() int64         { return 0 }
func (r *fakeReader) Close() error              { return r.f.Close() }

type lineWriter struct {
	f     *os.File
	bw    *bufio.Writer
	name  string
	docs  int64
	bytes int64
}

func newLineWriter(dir string) (*lineWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(dir, "00000.jsonl"))
	if err != nil {
		return nil, err
	}
	return &lineWriter{f: f, bw: bufio.NewWriter(f), name: "00000.jsonl"}, nil
}

func (w *lineWriter) line(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.docs++
	w.bytes += int64(len(b)) + 1
	w.bw.Write(b)
	return w.bw.WriteByte('\n')
}

func (w *lineWriter) Close() error {
	if w.f == nil {
		return nil
	}
	err := w.bw.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	return err
}

type fakeDocs struct {
	*lineWriter
	onWrite func(n int64) error
}

func (w *fakeDocs) Write(d *winnow.Doc) error {
	if w.onWrite != nil {
		if err := w.onWrite(w.docs); err != nil {
			return err
		}
	}
	return w.line(d)
}
func (w *fakeDocs) Shards() []string             { return []string{w.name} }
func (w *fakeDocs) Written() (docs, bytes int64) { return w.docs, w.bytes }

type fakeRejects struct {
	*lineWriter
	err error
}

func (w *fakeRejects) Shards() []string { return []string{w.name} }

func (w *fakeRejects) WriteParseError(pe *winnow.ParseError) error {
	if w.err != nil {
		return w.err
	}
	return w.line(map[string]any{"file": pe.File, "offset": pe.Offset, "record": pe.Record, "reason": pe.Err.Error()})
}

func (w *fakeRejects) WriteDropped(d *winnow.Doc) error {
	return w.line(map[string]any{"id": d.ID, "reason": d.Drop.Reason()})
}

// Stages.

// spamStage drops documents whose text contains "spam" and upper-cases
// the first word of the others. It sleeps a time derived from the batch's
// first id so that workers finish batches out of order.
type spamStage struct{ jitter bool }

func (spamStage) Name() string { return "spam" }
func (s spamStage) Process(_ context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	if s.jitter && len(docs) > 0 {
		h := fnv.New32a()
		h.Write([]byte(docs[0].ID))
		time.Sleep(time.Duration(h.Sum32()%3) * time.Millisecond)
	}
	for _, d := range docs {
		if strings.Contains(d.Text, "spam") {
			d.SetDrop("spam", "contains_spam", float64(strings.Count(d.Text, "spam")), "")
			continue
		}
		first, rest, _ := strings.Cut(d.Text, " ")
		d.Text = strings.ToUpper(first) + " " + rest
		d.SetAttr("len", len(d.Text))
	}
	return docs, nil
}
func (spamStage) Close() error { return nil }

// failStage returns an error or panics on a document with that text.
type failStage struct{}

func (failStage) Name() string { return "fail" }
func (failStage) Process(_ context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	for _, d := range docs {
		switch d.Text {
		case "boom":
			return nil, errors.New("fail: boom")
		case "panic":
			panic("fail: panic")
		}
	}
	return docs, nil
}
func (failStage) Close() error { return nil }

func pipelineOf(stages ...func() winnow.Stage) func() (winnow.Pipeline, error) {
	return func() (winnow.Pipeline, error) {
		p := winnow.Pipeline{}
		for _, s := range stages {
			p = append(p, s())
		}
		return p, nil
	}
}

// writeInput writes a fake input file with a fixed modification time.
func writeInput(dir, name string, lines ...string) string {
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		panic(err)
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		panic(err)
	}
	mt := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := os.Chtimes(p, mt, mt); err != nil {
		panic(err)
	}
	return p
}

func docLines(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		text := "word " + strconv.Itoa(i)
		if i%7 == 3 {
			text += " spam"
		}
		out[i] = fmt.Sprintf("doc %s-%04d %s", prefix, i, text)
	}
	return out
}
