package run

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"winnow"
	"winnow/internal/config"
)

// cancelAtWrite cancels the run when the per-document pass ends, so that
// the dedup phase starts with a cancelled context: an interrupt during
// the dedup phase.
type cancelAtWrite struct{ cancel context.CancelFunc }

func (cancelAtWrite) Input(*winnow.Doc) (string, bool) { return "", false }
func (cancelAtWrite) Observe(*winnow.Doc, string)      {}
func (o cancelAtWrite) Write(string) error             { o.cancel(); return nil }

// TestInterruptInDedupPhase: a run interrupted in its dedup phase leaves
// no stats.json (it is written last, by a finished run only); a resume
// finishes the phase and writes it with its dedup figures.
func TestInterruptInDedupPhase(t *testing.T) {
	cfg, err := config.Parse("p.yaml", []byte("batch_size: 4\nsteps: [minhash]\n"))
	if err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	inputs := []string{writeJSONL(t, in, "a", 30)}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err = RunPhases(ctx, Options{Inputs: inputs, OutDir: out, Config: cfg, Observer: cancelAtWrite{cancel}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: err = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(out, "stats.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stats.json after an interrupt in the dedup phase: %v; want none", err)
	}
	ck, err := loadCheckpoint(out)
	if err != nil || ck == nil || ck.Finished != finishedPass {
		t.Fatalf("checkpoint %+v, %v: want the pass finished", ck, err)
	}
	st, err := RunPhases(context.Background(), Options{Inputs: inputs, OutDir: out, Config: cfg, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	// 30 lines, 2 of them broken (every 13th): 28 documents, none dropped
	// by the pass, all distinct.
	if st.Dedup == nil || st.Dedup.Documents != 28 || st.Documents.Read != 28 {
		t.Fatalf("resumed run: dedup %+v, read %d; want 28 documents through the dedup phase", st.Dedup, st.Documents.Read)
	}
	onDisk, err := readStats(out)
	if err != nil {
		t.Fatal(err)
	}
	if onDisk.Dedup == nil || onDisk.Dedup.Documents != 28 {
		t.Errorf("stats.json dedup = %+v, want 28 documents", onDisk.Dedup)
	}
	if ck, _ := loadCheckpoint(out); ck == nil || ck.Finished != finishedDone {
		t.Errorf("checkpoint after resume: %+v, want done", ck)
	}
}

// TestCancelCommitsNoOpenShard: an interrupted run leaves only the shards
// its last checkpoint names; the shards that were open when it stopped
// (they end mid-batch) are not left under a final name.
func TestCancelCommitsNoOpenShard(t *testing.T) {
	in := t.TempDir()
	inputs := []string{writeJSONL(t, in, "a", 120), writeJSONL(t, in, "b", 90)}
	for _, after := range []int64{1, 30, 100} {
		out := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		var seen atomic.Int64
		_, err := Run(ctx, Options{Inputs: inputs, OutDir: out, Config: resumeConfig(),
			NewPipeline: pipelineOf(func() winnow.Stage { return cancelStage{seen: &seen, after: after, cancel: cancel} })})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("after %d: err = %v, want context.Canceled", after, err)
		}
		ck, err := loadCheckpoint(out)
		if err != nil || ck == nil {
			t.Fatalf("after %d: checkpoint %v, %v", after, ck, err)
		}
		var onDisk []string
		for _, p := range mustGlob(t, filepath.Join(out, "documents", "*")) {
			onDisk = append(onDisk, "documents/"+filepath.Base(p))
		}
		if !slices.Equal(onDisk, ck.DocShards) {
			t.Errorf("after %d: documents/ holds %v, the checkpoint names %v", after, onDisk, ck.DocShards)
		}
		for _, p := range mustGlob(t, filepath.Join(out, "rejects", "*")) {
			if n, ok := shardIndex(filepath.Base(p)); !ok || n >= ck.RejectNext {
				t.Errorf("after %d: rejects shard %s past the checkpoint (next %d)", after, p, ck.RejectNext)
			}
		}
	}
}

// TestOverwriteOwnOutputOnly: OUTDIR may hold files winnow did not
// write; a run is refused only when OUTDIR holds winnow output, and
// Overwrite removes exactly that output (also a stale .dedup).
func TestOverwriteOwnOutputOnly(t *testing.T) {
	in := t.TempDir()
	inputs := []string{writeJSONL(t, in, "a", 20)}
	out := t.TempDir()
	mine := map[string]string{
		"notes.txt":                "a user's notes",
		"documents/notes.txt":      "kept beside the shards",
		"documents/README":         "no extension",
		"rejects/keep-me.jsonl":    "not a shard name",
		"side/minhash/summary.txt": "someone else's",
	}
	for rel, text := range mine {
		p := filepath.Join(out, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opt := Options{Inputs: inputs, OutDir: out, Config: resumeConfig()}
	if _, err := Run(context.Background(), opt); err != nil {
		t.Fatalf("a folder holding only unrelated files: %v", err)
	}
	// a stale dedup state and a merged shard name, as earlier runs leave
	for _, rel := range []string{".dedup/done", "documents/00001-00000.jsonl.zst", "report.html"} {
		p := filepath.Join(out, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Run(context.Background(), opt)
	if err == nil || !strings.Contains(err.Error(), "already holds output") || !strings.Contains(err.Error(), "--overwrite") || !strings.Contains(err.Error(), "--resume") {
		t.Fatalf("a folder holding winnow output: err = %v, want a refusal naming --overwrite and --resume", err)
	}
	opt.Overwrite = true
	st, err := Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for rel, text := range mine {
		if b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel))); err != nil || string(b) != text {
			t.Errorf("overwrite touched %s: %q, %v", rel, b, err)
		}
	}
	for _, rel := range []string{".dedup", "documents/00001-00000.jsonl.zst", "report.html"} {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(rel))); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("overwrite left %s (%v)", rel, err)
		}
	}
	var shards []string
	for _, p := range mustGlob(t, filepath.Join(out, "documents", "*.jsonl.zst")) {
		shards = append(shards, "documents/"+filepath.Base(p))
	}
	if !slices.Equal(shards, st.Shards) {
		t.Errorf("documents/ shards %v, stats %v", shards, st.Shards)
	}
}
