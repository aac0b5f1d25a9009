package run

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"winnow"
	"winnow/internal/config"
	"winnow/internal/format/jsonl"
)

// writeJSONL writes n documents (every 13th a bad line) as a JSONL input
// with a fixed modification time; every 7th document says "spam".
func writeJSONL(t *testing.T, dir, name string, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		if i%13 == 12 {
			b.WriteString("{\"id\": \"broken\n")
			continue
		}
		text := fmt.Sprintf("%s document %d with some words %s", name, i, strings.Repeat("x", i%40))
		if i%7 == 3 {
			text += " spam"
		}
		fmt.Fprintf(&b, "{\"id\":\"%s-%04d\",\"text\":%q}\n", name, i, text)
	}
	p := filepath.Join(dir, name+".jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	mt := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
	return p
}

// cancelStage cancels the run once it has seen after documents.
type cancelStage struct {
	seen   *atomic.Int64
	after  int64
	cancel context.CancelFunc
}

func (cancelStage) Name() string { return "cancel" }
func (s cancelStage) Process(_ context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	if s.seen.Add(int64(len(docs))) >= s.after {
		s.cancel()
	}
	return docs, nil
}
func (cancelStage) Close() error { return nil }

func resumeConfig() *config.Config {
	c := testConfig(3, 7, 3)
	c.Output.MaxShardBytes = 900
	return c
}

// outputFiles maps every output file (not the run's state) under dir to
// its bytes; stats.json without its timing fields.
func outputFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel == runDir || rel == ".dedup" {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == "stats.json" {
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				return err
			}
			for _, k := range []string{"wall_seconds", "docs_per_second", "mb_per_second", "dedup_seconds"} {
				delete(m, k)
			}
			b, _ = json.Marshal(m)
		}
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffOutputs(t *testing.T, want, got map[string]string) {
	t.Helper()
	var names []string
	for k := range want {
		names = append(names, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		w, okw := want[n]
		g, okg := got[n]
		switch {
		case !okw:
			t.Errorf("%s: written by the resumed run only", n)
		case !okg:
			t.Errorf("%s: missing after resume", n)
		case w != g:
			t.Errorf("%s: differs after resume (%d bytes, want %d)", n, len(g), len(w))
		}
	}
}

// TestResumeAfterCancel interrupts a run after a growing number of
// documents (cancellation leaves committed shards past the checkpoint and
// temporary files behind), resumes it, and wants the bytes of a run that
// was never interrupted.
func TestResumeAfterCancel(t *testing.T) {
	in := t.TempDir()
	inputs := []string{writeJSONL(t, in, "a", 120), writeJSONL(t, in, "b", 5), writeJSONL(t, in, "c", 90), filepath.Join(in, "missing.jsonl")}
	opts := func(out string) Options {
		return Options{Inputs: inputs, OutDir: out, Config: resumeConfig(), NewPipeline: pipelineOf(func() winnow.Stage { return spamStage{jitter: true} })}
	}
	ref := t.TempDir()
	st, err := Run(context.Background(), opts(ref))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Shards) < 8 {
		t.Fatalf("%d document shards; the test wants many checkpoints", len(st.Shards))
	}
	want := outputFiles(t, ref)

	for _, after := range []int64{1, 30, 64, 100, 150} {
		t.Run(fmt.Sprint(after), func(t *testing.T) {
			out := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			o := opts(out)
			var seen atomic.Int64
			o.NewPipeline = pipelineOf(func() winnow.Stage { return spamStage{jitter: true} },
				func() winnow.Stage { return cancelStage{seen: &seen, after: after, cancel: cancel} })
			if _, err := Run(ctx, o); !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted run: err = %v, want context.Canceled", err)
			}
			cancel()
			if _, err := Run(context.Background(), opts(out)); err == nil || !strings.Contains(err.Error(), "--resume") {
				t.Fatalf("rerun without Resume: err = %v, want a hint to --resume", err)
			}
			o = opts(out)
			o.Resume = true
			got, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Documents, st.Documents) || got.Rejected.Total != st.Rejected.Total || got.BytesOut != st.BytesOut {
				t.Errorf("resumed counts %+v %d %d, want %+v %d %d", got.Documents, got.Rejected.Total, got.BytesOut, st.Documents, st.Rejected.Total, st.BytesOut)
			}
			diffOutputs(t, want, outputFiles(t, out))
		})
	}
}

// TestResumeRefusals: a different config or input list is refused, a
// finished run is not run again, and Resume on an empty folder starts.
func TestResumeRefusals(t *testing.T) {
	in := t.TempDir()
	a, b := writeJSONL(t, in, "a", 40), writeJSONL(t, in, "b", 10)
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var seen atomic.Int64
	_, err := Run(ctx, Options{Inputs: []string{a, b}, OutDir: out, Config: resumeConfig(), Resume: true,
		NewPipeline: pipelineOf(func() winnow.Stage { return cancelStage{seen: &seen, after: 20, cancel: cancel} })})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	other := resumeConfig()
	other.BatchSize = 9
	bigger := resumeConfig()
	bigger.Output.MaxShardBytes = 4000
	hash := func(c *config.Config) string {
		h, err := configHash(c, "")
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	c := writeJSONL(t, in, "c", 5)
	before := listFiles(t, out)
	for _, tc := range []struct {
		name   string
		inputs []string
		cfg    *config.Config
		added  string
		want   string
	}{
		{"config", []string{a, b}, other, "", "config differs (sha " + hash(resumeConfig()) + " then, " + hash(other) + " now)"},
		{"max_shard_bytes", []string{a, b}, bigger, "", "config differs (sha " + hash(resumeConfig()) + " then, " + hash(bigger) + " now)"},
		{"added", []string{a, b}, resumeConfig(), "2020-01-01T00:00:00Z", "--added differs (none then, 2020-01-01T00:00:00Z now)"},
		{"fewer inputs", []string{a}, resumeConfig(), "", "inputs differ (2 files then, 1 now): file 2 was " + b + " then, none now"},
		{"other input", []string{a, c}, resumeConfig(), "", "inputs differ (2 files then, 2 now): file 2 was " + b + " then, " + c + " now"},
	} {
		_, err := Run(context.Background(), Options{Inputs: tc.inputs, OutDir: out, Config: tc.cfg, Added: tc.added, Resume: true})
		want := "run: " + out + " holds another run: " + tc.want + "; resume it with the same arguments, or start over with --overwrite"
		if err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %q", tc.name, err, want)
		}
	}
	if after := listFiles(t, out); !reflect.DeepEqual(before, after) {
		t.Errorf("refused resumes changed the folder:\nbefore %v\nafter  %v", before, after)
	}
	// a rank run's folder checked against another rank or world size
	ck, err := loadCheckpoint(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rank, world int
		want        string
	}{
		{1, 2, "rank 0 of 0 then, rank 1 of 2 now"},
		{0, 3, "rank 0 of 0 then, rank 0 of 3 now"},
	} {
		id := ck.runID
		id.Rank, id.WorldSize = tc.rank, tc.world
		if got := ck.differs(id, true); got != tc.want {
			t.Errorf("rank %d of %d: %q, want %q", tc.rank, tc.world, got, tc.want)
		}
	}
	// workers and max_in_flight do not change the output: allowed
	more := resumeConfig()
	more.Workers, more.MaxInFlight = 1, 8
	st, err := RunPhases(context.Background(), Options{Inputs: []string{a, b}, OutDir: out, Config: more, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Documents.Read != 47 {
		t.Errorf("read %d documents, want 47 (50 lines, 3 of them broken)", st.Documents.Read)
	}
	again, err := RunPhases(context.Background(), Options{Inputs: []string{a, b}, OutDir: out, Config: more, Resume: true})
	if !errors.Is(err, ErrFinished) || again == nil || !reflect.DeepEqual(again.Documents, st.Documents) {
		t.Errorf("resume of a finished run: %v, %+v; want ErrFinished and its stats", err, again)
	}
	_, err = RunPhases(context.Background(), Options{Inputs: []string{a, b}, OutDir: out, Config: resumeConfig(), Added: "2020-01-01T00:00:00Z", Resume: true})
	if want := "run: " + out + " holds another finished run: --added differs (none then, 2020-01-01T00:00:00Z now); start over with --overwrite"; err == nil || err.Error() != want {
		t.Errorf("resume of a finished run with another --added: %v, want %q", err, want)
	}
}

func TestShare(t *testing.T) {
	for _, tc := range []struct {
		sizes []int64
		world int
		want  [][2]int
	}{
		{[]int64{10, 10, 10, 10}, 2, [][2]int{{0, 2}, {2, 4}}},
		{[]int64{10, 10, 10, 10}, 4, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}}},
		{[]int64{100, 1, 1, 1}, 2, [][2]int{{0, 1}, {1, 4}}},
		{[]int64{1, 1, 1, 100}, 2, [][2]int{{0, 3}, {3, 4}}},
		{[]int64{5, 5}, 3, [][2]int{{0, 1}, {1, 1}, {1, 2}}},
		{[]int64{0, 0, 0}, 3, [][2]int{{0, 1}, {1, 2}, {2, 3}}},
		{[]int64{1 << 62, 1 << 62}, 2, [][2]int{{0, 1}, {1, 2}}},
		{[]int64{7, 3, 9}, 1, [][2]int{{0, 3}}},
	} {
		var got [][2]int
		for r := range max(tc.world, 1) {
			lo, hi := share(tc.sizes, r, tc.world)
			got = append(got, [2]int{lo, hi})
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("share(%v, world %d) = %v, want %v", tc.sizes, tc.world, got, tc.want)
		}
	}
	if err := checkRank(3, 3); err == nil {
		t.Error("rank 3 of 3 accepted")
	}
}

// TestRanksMerge runs three ranks, merges them and compares with one
// process: the same documents in the same order, the same counts.
func TestRanksMerge(t *testing.T) {
	in := t.TempDir()
	inputs := []string{writeJSONL(t, in, "a", 60), writeJSONL(t, in, "b", 20), writeJSONL(t, in, "c", 50), writeJSONL(t, in, "d", 30)}
	newP := pipelineOf(func() winnow.Stage { return spamStage{} })
	one := t.TempDir()
	st1, err := Run(context.Background(), Options{Inputs: inputs, OutDir: one, Config: resumeConfig(), NewPipeline: newP})
	if err != nil {
		t.Fatal(err)
	}
	many := t.TempDir()
	for r := range 3 {
		if _, err := Merge(many); err == nil {
			t.Fatalf("merge before rank %d finished: no error", r)
		}
		if _, err := RunPhases(context.Background(), Options{Inputs: inputs, OutDir: many, Config: resumeConfig(), NewPipeline: newP, Rank: r, WorldSize: 3}); err != nil {
			t.Fatal(err)
		}
	}
	// a merge interrupted after its plan and half of its renames
	ranks := mustGlob(t, filepath.Join(many, "rank-*"))
	p, err := planMerge(many, ranks)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Moves) < 10 {
		t.Fatalf("%d renames planned; want shards in every rank", len(p.Moves))
	}
	for _, mv := range p.Moves[:len(p.Moves)/2] {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(many, mv[1])), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(many, mv[0]), filepath.Join(many, mv[1])); err != nil {
			t.Fatal(err)
		}
	}
	st3, err := Merge(many)
	if err != nil {
		t.Fatal(err)
	}
	if st3.Documents.Read != st1.Documents.Read || st3.Documents.Kept != st1.Documents.Kept ||
		!maps2Equal(st3.Documents.DroppedByReason, st1.Documents.DroppedByReason) || st3.Rejected.Total != st1.Rejected.Total ||
		st3.Inputs.Total != st1.Inputs.Total || st3.BytesOut != st1.BytesOut {
		t.Errorf("merged stats %+v, one process %+v", st3, st1)
	}
	ids := func(dir string) []string {
		var out []string
		for _, sh := range mustGlob(t, filepath.Join(dir, "documents", "*.jsonl.zst")) {
			for _, d := range readShard(t, sh) {
				out = append(out, d.ID)
			}
		}
		return out
	}
	if a, b := ids(one), ids(many); !slices.Equal(a, b) || len(a) == 0 {
		t.Errorf("documents in rank order differ from one process: %d vs %d", len(b), len(a))
	}
	if m, _ := filepath.Glob(filepath.Join(many, "rank-*")); len(m) != 0 {
		t.Errorf("rank folders left after merge: %v", m)
	}
	if _, err := Merge(many); err != nil {
		t.Errorf("second merge: %v", err)
	}
}

func maps2Equal(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func mustGlob(t *testing.T, pat string) []string {
	t.Helper()
	m, err := filepath.Glob(pat)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readShard(t *testing.T, path string) []*winnow.Doc {
	t.Helper()
	r, err := jsonl.Open(path, jsonl.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []*winnow.Doc
	for {
		d, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
}

// countObserver counts what it is shown and checks that Input's copy
// comes back with the document.
type countObserver struct {
	seen, mismatched int
	wrote            bool
}

func (o *countObserver) Input(d *winnow.Doc) (string, bool) { return d.ID, true }
func (o *countObserver) Observe(d *winnow.Doc, in string) {
	o.seen++
	if in != d.ID {
		o.mismatched++
	}
}
func (o *countObserver) Write(string) error { o.wrote = true; return nil }

// TestResumeWithObserver: a resumed run with an observer replays the
// inputs, so the observer sees every document once, and the output is
// still that of an uninterrupted run.
func TestResumeWithObserver(t *testing.T) {
	in := t.TempDir()
	inputs := []string{writeJSONL(t, in, "a", 100), writeJSONL(t, in, "b", 60)}
	spam := func() winnow.Stage { return spamStage{} }
	ref := t.TempDir()
	st, err := Run(context.Background(), Options{Inputs: inputs, OutDir: ref, Config: resumeConfig(), NewPipeline: pipelineOf(spam)})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var seen atomic.Int64
	_, err = Run(ctx, Options{Inputs: inputs, OutDir: out, Config: resumeConfig(), Observer: &countObserver{},
		NewPipeline: pipelineOf(spam, func() winnow.Stage { return cancelStage{seen: &seen, after: 70, cancel: cancel} })})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	ck, err := loadCheckpoint(out)
	if err != nil || ck == nil || len(ck.DocShards) == 0 {
		t.Fatalf("checkpoint %+v, %v: the interruption should come after some committed shards", ck, err)
	}
	obs := &countObserver{}
	got, err := Run(context.Background(), Options{Inputs: inputs, OutDir: out, Config: resumeConfig(), Observer: obs, Resume: true, NewPipeline: pipelineOf(spam)})
	if err != nil {
		t.Fatal(err)
	}
	if want := int(st.Documents.Kept + st.Documents.Dropped); obs.seen != want || obs.mismatched != 0 || !obs.wrote {
		t.Errorf("observer saw %d documents (%d without their input), wrote %v; want %d", obs.seen, obs.mismatched, obs.wrote, want)
	}
	if got.Documents.Read != st.Documents.Read {
		t.Errorf("read %d, want %d", got.Documents.Read, st.Documents.Read)
	}
	diffOutputs(t, outputFiles(t, ref), outputFiles(t, out))
}

// listFiles maps every file under dir (state included) to its size.
func listFiles(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestResumeVerifiesCommitted: a resume refuses, before it removes
// anything, a committed document or rejects shard that is missing or
// whose size is not the one the checkpoint recorded; restored, the
// resume gives the uninterrupted run's output.
func TestResumeVerifiesCommitted(t *testing.T) {
	in := t.TempDir()
	inputs := []string{writeJSONL(t, in, "a", 120), writeJSONL(t, in, "c", 90)}
	opts := func(out string) Options {
		return Options{Inputs: inputs, OutDir: out, Config: resumeConfig(), NewPipeline: pipelineOf(func() winnow.Stage { return spamStage{} })}
	}
	ref := t.TempDir()
	if _, err := Run(context.Background(), opts(ref)); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	o := opts(out)
	var seen atomic.Int64
	o.NewPipeline = pipelineOf(func() winnow.Stage { return spamStage{} },
		func() winnow.Stage { return cancelStage{seen: &seen, after: 150, cancel: cancel} })
	if _, err := Run(ctx, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: err = %v, want context.Canceled", err)
	}
	cancel()
	ck, err := loadCheckpoint(out)
	if err != nil || ck == nil {
		t.Fatalf("checkpoint: %v, %v", ck, err)
	}
	if ck.DocNext < 3 || ck.RejectNext < 2 {
		t.Fatalf("checkpoint at document shard %d, rejects shard %d; the test wants at least 3 and 2", ck.DocNext, ck.RejectNext)
	}
	// The checkpoint records exactly the committed shards, with their sizes.
	for i := range ck.DocNext {
		rel := fmt.Sprintf("documents/%05d.jsonl.zst", i)
		fi, err := os.Stat(filepath.Join(out, rel))
		if err != nil || ck.Files[rel] != fi.Size() {
			t.Fatalf("checkpoint records %s as %d bytes; on disk: %v, %v", rel, ck.Files[rel], fi, err)
		}
	}
	if _, ok := ck.Files[fmt.Sprintf("documents/%05d.jsonl.zst", ck.DocNext)]; ok {
		t.Fatalf("checkpoint records the uncommitted shard %d", ck.DocNext)
	}
	rej := fmt.Sprintf("rejects/%05d.jsonl.zst", ck.RejectNext-1)
	if _, ok := ck.Files[rej]; !ok {
		t.Fatalf("checkpoint does not record the committed rejects shard %s: %v", rej, ck.Files)
	}

	doc := filepath.Join(out, "documents", "00001.jsonl.zst")
	saved, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	rejPath := filepath.Join(out, filepath.FromSlash(rej))
	savedRej, err := os.ReadFile(rejPath)
	if err != nil {
		t.Fatal(err)
	}
	resume := func() error {
		o := opts(out)
		o.Resume = true
		_, err := Run(context.Background(), o)
		return err
	}
	for _, tc := range []struct {
		name   string
		break_ func()
		want   string
	}{
		{"deleted shard", func() { os.Remove(doc) }, "committed file documents/00001.jsonl.zst is missing; restore it or start over with --overwrite"},
		{"truncated shard", func() { os.WriteFile(doc, saved[:len(saved)/2], 0o644) },
			fmt.Sprintf("committed file documents/00001.jsonl.zst has %d bytes, the checkpoint recorded %d; restore it or start over with --overwrite", len(saved)/2, len(saved))},
		{"truncated rejects", func() { os.WriteFile(rejPath, savedRej[:3], 0o644) },
			fmt.Sprintf("committed file %s has 3 bytes, the checkpoint recorded %d", rej, len(savedRej))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.break_()
			before := listFiles(t, out)
			err := resume()
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "run: cannot resume "+out+": ") {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if after := listFiles(t, out); !reflect.DeepEqual(before, after) {
				t.Errorf("the refused resume changed the folder:\nbefore %v\nafter  %v", before, after)
			}
			if err := os.WriteFile(doc, saved, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(rejPath, savedRej, 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
	if err := resume(); err != nil {
		t.Fatalf("resume with the files restored: %v", err)
	}
	diffOutputs(t, outputFiles(t, ref), outputFiles(t, out))
}

// TestResumeVerifiesSideFiles: with a minhash step, the checkpoint
// records each committed shard's side file, and a resume refuses, before
// it removes anything, when one is missing; restored, the resumed run's
// output is the uninterrupted run's.
func TestResumeVerifiesSideFiles(t *testing.T) {
	cfg, err := config.Parse("p.yaml", []byte("batch_size: 4\noutput: {max_shard_bytes: 900}\nsteps: [minhash]\n"))
	if err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	inputs := []string{writeJSONL(t, in, "a", 120)}
	ref := t.TempDir()
	if _, err := RunPhases(context.Background(), Options{Inputs: inputs, OutDir: ref, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var seen atomic.Int64
	pipe := func() (winnow.Pipeline, error) {
		p, err := cfg.NewPipeline()
		return append(p, cancelStage{seen: &seen, after: 80, cancel: cancel}), err
	}
	if _, err := RunPhases(ctx, Options{Inputs: inputs, OutDir: out, Config: cfg, NewPipeline: pipe}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	cancel()
	ck, err := loadCheckpoint(out)
	if err != nil || ck == nil || ck.DocNext < 2 {
		t.Fatalf("checkpoint %+v, %v: want 2 committed shards or more", ck, err)
	}
	side := "side/minhash/00001.bin"
	fi, err := os.Stat(filepath.Join(out, side))
	if err != nil || ck.Files[side] != fi.Size() || fi.Size() == 0 {
		t.Fatalf("checkpoint records %s as %d bytes; on disk %v, %v", side, ck.Files[side], fi, err)
	}
	saved, err := os.ReadFile(filepath.Join(out, side))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(out, side))
	before := listFiles(t, out)
	_, err = RunPhases(context.Background(), Options{Inputs: inputs, OutDir: out, Config: cfg, Resume: true})
	want := "run: cannot resume " + out + ": committed file " + side + " is missing; restore it or start over with --overwrite"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if after := listFiles(t, out); !reflect.DeepEqual(before, after) {
		t.Errorf("the refused resume changed the folder:\nbefore %v\nafter  %v", before, after)
	}
	if err := os.WriteFile(filepath.Join(out, side), saved, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := RunPhases(context.Background(), Options{Inputs: inputs, OutDir: out, Config: cfg, Resume: true}); err != nil {
		t.Fatal(err)
	}
	diffOutputs(t, outputFiles(t, ref), outputFiles(t, out))
}

// TestResumeFinishedPassChecksShards: a run killed in its dedup phase
// (its pass finished) whose document shard is gone refuses to resume
// rather than dedup what is left; a finished run's resume likewise.
func TestResumeFinishedPassChecksShards(t *testing.T) {
	opt := interruptedAfterPass(t)
	out := opt.OutDir
	shard := filepath.Join(out, "documents", "00001.jsonl.zst")
	saved, err := os.ReadFile(shard)
	if err != nil {
		t.Fatal(err)
	}
	for _, state := range []string{finishedPass, finishedDone} {
		os.Remove(shard)
		before := listFiles(t, out)
		_, err := RunPhases(context.Background(), opt)
		want := "run: cannot resume " + out + ": document shard documents/00001.jsonl.zst of the finished pass is missing; restore it or start over with --overwrite"
		if err == nil || err.Error() != want {
			t.Fatalf("%s: err = %v, want %q", state, err, want)
		}
		if after := listFiles(t, out); !reflect.DeepEqual(before, after) {
			t.Errorf("%s: the refused resume changed the folder", state)
		}
		if err := os.WriteFile(shard, saved, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := RunPhases(context.Background(), opt); err != nil && !errors.Is(err, ErrFinished) {
			t.Fatalf("%s: resume with the shard restored: %v", state, err)
		}
		if saved, err = os.ReadFile(shard); err != nil {
			t.Fatal(err)
		}
	}
}

// TestResumeFinishedPassChecksSizes: a run stopped after its pass and
// before its dedup phase staged a rewrite still has the pass's files as
// the checkpoint recorded them; a resume refuses a truncated side file or
// document shard, naming it, before the dedup phase reads it.
func TestResumeFinishedPassChecksSizes(t *testing.T) {
	opt := interruptedAfterPass(t)
	out := opt.OutDir
	for _, rel := range []string{"side/minhash/00001.bin", "documents/00002.jsonl.zst"} {
		p := filepath.Join(out, filepath.FromSlash(rel))
		saved, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, saved[:len(saved)/2], 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = RunPhases(context.Background(), opt)
		want := fmt.Sprintf("run: cannot resume %s: committed file %s has %d bytes, the checkpoint recorded %d; restore it or start over with --overwrite", out, rel, len(saved)/2, len(saved))
		if err == nil || err.Error() != want {
			t.Fatalf("%s: err = %v, want %q", rel, err, want)
		}
		if err := os.WriteFile(p, saved, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := RunPhases(context.Background(), opt); err != nil {
		t.Fatalf("resume with the files restored: %v", err)
	}
}

// interruptedAfterPass runs a minhash pipeline over 60 documents in
// 900-byte shards and cancels it when its per-document pass wrote
// stats.json, before the dedup phase; it returns the options that resume
// it.
func interruptedAfterPass(t *testing.T) Options {
	t.Helper()
	cfg, err := config.Parse("p.yaml", []byte("batch_size: 4\noutput: {max_shard_bytes: 900}\nsteps: [minhash]\n"))
	if err != nil {
		t.Fatal(err)
	}
	inputs := []string{writeJSONL(t, t.TempDir(), "a", 60)}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := RunPhases(ctx, Options{Inputs: inputs, OutDir: out, Config: cfg, Observer: cancelAtWrite{cancel}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	return Options{Inputs: inputs, OutDir: out, Config: cfg, Resume: true}
}
