package run

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"winnow"
	"winnow/internal/testutil"
)

// payloadText gives a WARC document a text made of its payload's first
// words, so that WARC documents are kept without the extract step.
type payloadText struct{}

func (payloadText) Name() string { return "payload_text" }
func (payloadText) Process(_ context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	for _, d := range docs {
		if d.Text == "" {
			d.Text = fmt.Sprintf("%s %d %q", d.ID, len(d.Payload), d.Payload[:min(len(d.Payload), 40)])
			d.Payload = nil
		}
	}
	return docs, nil
}
func (payloadText) Close() error { return nil }

// seekInputs writes the inputs of TestResumeSeeks with a fixed
// modification time: a WARC file compressed per record (the Common Crawl
// sample of the corpus, 16 documents and 34 skipped request and metadata
// records, twenty times over) and a plain JSONL file.
func seekInputs(t *testing.T, dir string) map[string]string {
	t.Helper()
	one, err := os.ReadFile(testutil.Shared(t, "corpus/warc/resiliparse/warcfile.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	mt := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	w := filepath.Join(dir, "cc.warc.gz")
	if err := os.WriteFile(w, bytes.Repeat(one, 20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(w, mt, mt); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"warc.gz": w, "jsonl": writeJSONL(t, dir, "plain", 1500)}
}

// TestResumeSeeks interrupts a run deep into a per-record gzip WARC and
// into a plain JSONL file, then overwrites the bytes of the input between
// its start (which format detection reads) and the checkpoint's
// seek offset with garbage, keeping size and modification time. A resumed
// run that re-read the input from its start would meet the garbage (a
// fresh run over the damaged file is checked to write other output); one
// that seeks writes exactly the bytes of the uninterrupted run. Changing
// the file's modification time makes --resume refuse, naming the file.
func TestResumeSeeks(t *testing.T) {
	inputs := seekInputs(t, t.TempDir())
	for _, c := range []struct {
		name string
		keep int // the start left intact: what format detection reads
	}{{"warc.gz", 64 << 10}, {"jsonl", 4 << 10}} {
		name, keep := c.name, c.keep
		t.Run(name, func(t *testing.T) {
			src := inputs[name]
			cfg := resumeConfig()
			cfg.Output.MaxShardBytes = 8000
			opts := func(in, out string, extra ...func() winnow.Stage) Options {
				st := append([]func() winnow.Stage{func() winnow.Stage { return payloadText{} }, func() winnow.Stage { return spamStage{jitter: true} }}, extra...)
				return Options{Inputs: []string{in}, OutDir: out, Config: cfg, NewPipeline: pipelineOf(st...)}
			}
			// A copy of the input (rejects and stats name the file).
			in := filepath.Join(t.TempDir(), filepath.Base(src))
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Stat(src)
			if err := os.WriteFile(in, b, 0o644); err != nil {
				t.Fatal(err)
			}
			os.Chtimes(in, fi.ModTime(), fi.ModTime())
			ref := t.TempDir()
			st, err := Run(context.Background(), opts(in, ref))
			if err != nil {
				t.Fatal(err)
			}
			want := outputFiles(t, ref)
			if name == "warc.gz" && (st.Documents.Read != 320 || st.Skipped["type:request"] != 20*17) {
				t.Fatalf("read %d documents, skipped %v; want 320 and 340 requests", st.Documents.Read, st.Skipped)
			}

			// Interrupted after 85% of the documents.
			out := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			var seen atomic.Int64
			o := opts(in, out, func() winnow.Stage {
				return cancelStage{seen: &seen, after: st.Documents.Read * 85 / 100, cancel: cancel}
			})
			if _, err := Run(ctx, o); !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted run: err = %v, want context.Canceled", err)
			}
			cancel()
			ck, err := loadCheckpoint(out)
			if err != nil || ck == nil {
				t.Fatalf("checkpoint: %v", err)
			}
			at := ck.Mark.At
			if at == nil || at.Offset < int64(2*keep) || at.Items > ck.Mark.Pos.Items || ck.Mark.Size != int64(len(b)) {
				t.Fatalf("checkpoint mark %+v (at %+v): want a seek point past %d bytes", ck.Mark, at, 2*keep)
			}
			if name == "warc.gz" && at.Skipped["type:request"] == 0 {
				t.Errorf("seek point %+v: no skipped requests recorded before it", at)
			}

			// Garbage before the seek offset, same size and time.
			bad := bytes.Clone(b)
			for i := keep; i < int(at.Offset)-1; i++ { // the byte before a line ends the line before
				bad[i] = 'Z'
			}
			if err := os.WriteFile(in, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(in, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			damaged := t.TempDir()
			if _, err := Run(context.Background(), opts(in, damaged)); err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(outputFiles(t, damaged), want) {
				t.Fatal("the damaged input gives the same output when read from its start: the test proves nothing")
			}

			o = opts(in, out)
			o.Resume = true
			got, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Documents, st.Documents) || !reflect.DeepEqual(got.Skipped, st.Skipped) || got.Rejected.Total != st.Rejected.Total {
				t.Errorf("resumed counts %+v %v %d, want %+v %v %d", got.Documents, got.Skipped, got.Rejected.Total, st.Documents, st.Skipped, st.Rejected.Total)
			}
			diffOutputs(t, want, outputFiles(t, out))
		})
	}
}

// TestResumeRefusesChangedInput: a checkpoint taken inside a file whose
// size or modification time changed is not resumed, whether the resume
// would seek into it (plain JSONL) or read it again from its start (JSONL
// compressed as one gzip stream).
func TestResumeRefusesChangedInput(t *testing.T) {
	mt := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, kind := range []string{"jsonl", "jsonl.gz"} {
		t.Run(kind, func(t *testing.T) {
			in := writeJSONL(t, t.TempDir(), "a", 400)
			if kind == "jsonl.gz" {
				b, err := os.ReadFile(in)
				if err != nil {
					t.Fatal(err)
				}
				var z bytes.Buffer
				zw := gzip.NewWriter(&z)
				zw.Write(b)
				zw.Close()
				in += ".gz"
				if err := os.WriteFile(in, z.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(in, mt, mt); err != nil {
					t.Fatal(err)
				}
			}
			out := t.TempDir()
			cfg := resumeConfig()
			ctx, cancel := context.WithCancel(context.Background())
			var seen atomic.Int64
			_, err := Run(ctx, Options{Inputs: []string{in}, OutDir: out, Config: cfg,
				NewPipeline: pipelineOf(func() winnow.Stage { return cancelStage{seen: &seen, after: 300, cancel: cancel} })})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			cancel()
			ck, err := loadCheckpoint(out)
			if err != nil || ck == nil || ck.Mark.Pos.Items == 0 || ck.Mark.ModTime != stamp(mt) || (ck.Mark.At != nil) != (kind == "jsonl") {
				t.Fatalf("checkpoint %+v, %v: want a mark inside the file with its time, and a seek point only into plain JSONL", ck, err)
			}
			later := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
			if err := os.Chtimes(in, later, later); err != nil {
				t.Fatal(err)
			}
			_, err = Run(context.Background(), Options{Inputs: []string{in}, OutDir: out, Config: cfg, Resume: true})
			if err == nil || !strings.Contains(err.Error(), in) || !strings.Contains(err.Error(), "changed since the checkpoint") {
				t.Fatalf("resume over a changed input: err = %v, want one naming %s", err, in)
			}
			// The refusal removed nothing: restored, the input resumes.
			if err := os.Chtimes(in, mt, mt); err != nil {
				t.Fatal(err)
			}
			st, err := Run(context.Background(), Options{Inputs: []string{in}, OutDir: out, Config: cfg, Resume: true})
			if err != nil {
				t.Fatal(err)
			}
			if st.Documents.Read != 400-400/13 {
				t.Errorf("read %d documents, want %d", st.Documents.Read, 400-400/13)
			}
		})
	}
}
