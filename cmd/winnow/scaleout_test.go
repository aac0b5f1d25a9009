package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"winnow/internal/config"
	"winnow/internal/run"
	"winnow/internal/testutil"
)

// scaleConfig is a pipeline that drops (Gopher quality), signs for the
// dedup phase and cuts small batches, so that resume points fall inside
// files and between many shards.
const scaleConfig = `batch_size: 8
max_in_flight: 4
steps:
  - extract
  - clean
  - gopher_quality
  - minhash: {minhash: {ngram: 5, bands: 14, rows: 8, seed: 1}, near: true, exact: true, survivor: first}
`

// scaleInputs copies shared JSONL and WARC files into a temporary folder
// (one of them twice, first and last, for exact duplicates across ranks) and adds a JSONL file with a
// broken line, for reject rows of bad records.
func scaleInputs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cp := func(src, name string) {
		b, err := os.ReadFile(testutil.Shared(t, src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cp("corpus/warc/dolma/jsonl/provided-documents-000.json.gz", "a-provided.jsonl.gz")
	cp("corpus/warc/dolma/jsonl/provided-documents-000.json.gz", "z-provided-copy.jsonl.gz")
	cp("corpus/warc/dolma/jsonl/cc_en_head-0091.jsonl.gz", "cc_en_head-0091.jsonl.gz")
	cp("corpus/warc/dolma/jsonl/cc_en_head-0174.jsonl.gz", "cc_en_head-0174.jsonl.gz")
	cp("corpus/warc/cc-whirlwind/whirlwind.warc.gz", "whirlwind.warc.gz")
	bad := `{"id":"x1","text":"hello world this is text"}` + "\n" + `{"id":"x2","text":` + "\n" + `{"id":"x3","text":"another short one"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "c-bad.jsonl"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// outputSnapshot maps every output file under dir (not the run's state
// in .run and .dedup) to its bytes. In stats.json the timing fields and
// dedup.resumed (which phases a resumed dedup found done) are left out.
func outputSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if e.IsDir() {
			if rel == ".run" || rel == ".dedup" {
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
			if d, ok := m["dedup"].(map[string]any); ok {
				delete(d, "resumed")
			}
			b, _ = json.Marshal(m)
		}
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func diffSnapshots(want, got map[string]string) []string {
	var diffs []string
	names := map[string]bool{}
	for k := range want {
		names[k] = true
	}
	for k := range got {
		names[k] = true
	}
	for _, n := range slices.Sorted(func(yield func(string) bool) {
		for k := range names {
			if !yield(k) {
				return
			}
		}
	}) {
		w, okw := want[n]
		g, okg := got[n]
		switch {
		case !okw:
			diffs = append(diffs, n+" is not in the uninterrupted run's output")
		case !okg:
			diffs = append(diffs, n+" is missing")
		case w != g:
			diffs = append(diffs, fmt.Sprintf("%s differs from the uninterrupted run's (%d bytes, want %d)", n, len(g), len(w)))
		}
	}
	return diffs
}

// killState says where a killed run stopped, from its checkpoint.
func killState(out string) (string, error) {
	b, err := os.ReadFile(filepath.Join(out, ".run", "checkpoint.json"))
	if err != nil {
		return "before the first checkpoint", nil
	}
	var ck struct {
		Finished  string   `json:"finished"`
		DocShards []string `json:"doc_shards"`
	}
	if err := json.Unmarshal(b, &ck); err != nil {
		return "", fmt.Errorf("checkpoint after kill: %v", err)
	}
	switch ck.Finished {
	case "pass":
		return "dedup phase", nil
	case "done":
		return "finished", nil
	}
	return fmt.Sprintf("pass, %d shards committed", len(ck.DocShards)), nil
}

// TestKillResume runs winnow as a subprocess, SIGKILLs it at random
// points (one kill at a random time, one once the dedup phase has
// started), resumes it with the same arguments, and wants the bytes of an
// uninterrupted run: documents, rejects (also rejects/dedup), side files
// and stats.json. WINNOW_KILL_SEEDS=N runs N seeds instead of 5.
func TestKillResume(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "winnow")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	in := scaleInputs(t)
	cfg := writeConfig(t, scaleConfig)
	args := func(out string) []string {
		return []string{"run", "-q", "-c", cfg, "--max-shard-bytes", "8000", "-o", out, "--resume", in}
	}
	ref := filepath.Join(t.TempDir(), "ref")
	start := time.Now()
	refOut, err := exec.Command(bin, args(ref)...).CombinedOutput()
	refTime := time.Since(start)
	if code := exitOf(err); code != 3 { // the broken line of c-bad.jsonl
		t.Fatalf("uninterrupted run: exit %d, %v\n%s", code, err, refOut)
	}
	want := outputSnapshot(t, ref)
	if n := len(readStats(t, ref).Shards); n < 15 {
		t.Fatalf("the uninterrupted run wrote %d document shards; the test wants many checkpoints", n)
	}

	seeds := 5
	if s, err := strconv.Atoi(os.Getenv("WINNOW_KILL_SEEDS")); err == nil && s > 0 {
		seeds = s
	}
	// The seeds run at once (processes spend much of their time starting
	// and syncing): each reports what its kills hit and how its output
	// differs.
	type result struct {
		states []string
		diff   []string
		err    error
	}
	results := make([]result, seeds)
	var wg sync.WaitGroup
	limit := make(chan struct{}, 5)
	for seed := range seeds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			limit <- struct{}{}
			defer func() { <-limit }()
			out := filepath.Join(t.TempDir(), "out")
			res := &results[seed]
			res.states, res.err = killAndResume(bin, args(out), out, uint64(seed), refTime)
			if res.err == nil {
				res.diff = diffSnapshots(want, outputSnapshot(t, out))
			}
		}()
	}
	wg.Wait()
	states := map[string]int{}
	for seed, res := range results {
		t.Logf("seed %d: kills stopped the run in %v", seed, res.states)
		if res.err != nil {
			t.Errorf("seed %d: %v", seed, res.err)
		}
		for _, d := range res.diff {
			t.Errorf("seed %d: %s", seed, d)
		}
		for _, st := range res.states {
			states[st]++
		}
	}
	inPass := 0
	for st, n := range states {
		if strings.HasPrefix(st, "pass, ") && !strings.HasPrefix(st, "pass, 0 ") {
			inPass += n
		}
	}
	if inPass == 0 || states["dedup phase"] == 0 {
		t.Errorf("kills stopped runs at %v; want some with committed shards in the per-document pass and some in the dedup phase", states)
	}
}

// killAndResume starts the run twice and SIGKILLs it each time (first
// after a random delay below refTime, then a random moment after the
// dedup phase recorded its start), then runs it to the end. It returns
// where each kill stopped the run.
func killAndResume(bin string, args []string, out string, seed uint64, refTime time.Duration) ([]string, error) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var states []string
	for kill := range 2 {
		cmd := exec.Command(bin, args...)
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			return states, err
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		if kill == 0 {
			// from the first checkpoint (the process has started up) on
			waitFor(filepath.Join(out, ".run", "checkpoint.json"), exited)
			select {
			case <-time.After(time.Duration(rng.Int64N(int64(refTime)))):
			case <-exited:
			}
		} else {
			waitFor(filepath.Join(out, ".dedup", "done"), exited)
			time.Sleep(time.Duration(rng.Int64N(int64(100 * time.Millisecond))))
		}
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		st, err := killState(out)
		if err != nil {
			return states, err
		}
		states = append(states, st)
	}
	b, err := exec.Command(bin, args...).CombinedOutput()
	if code := exitOf(err); code != 3 {
		return states, fmt.Errorf("resumed run: exit %d\n%s", code, b)
	}
	return states, nil
}

// waitFor returns when path exists or the process has exited.
func waitFor(path string, exited <-chan struct{}) {
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case <-time.After(2 * time.Millisecond):
		case <-exited:
			return
		}
	}
}

func exitOf(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

// docLines returns every line of the zstd shards matching pattern,
// sorted: the multiset of output documents. The keys in drop are taken
// out of each line first.
func docLines(t *testing.T, pattern string, drop ...string) []string {
	t.Helper()
	shards, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, sh := range shards {
		f, err := os.Open(sh)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		zr.Close()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for l := range bytes.Lines(b) {
			if len(drop) > 0 {
				var m map[string]any
				if err := json.Unmarshal(l, &m); err != nil {
					t.Fatal(err)
				}
				for _, k := range drop {
					delete(m, k)
				}
				l, _ = json.Marshal(m)
			}
			lines = append(lines, string(l))
		}
	}
	sort.Strings(lines)
	return lines
}

// TestMetamorphicScaleOut: one worker, three workers, and three ranks
// (each a separate `winnow run --rank R --world-size 3`, then `winnow
// dedup OUTDIR` over all of them) give the same multiset of documents,
// of dropped documents and of dedup duplicates, and the same counts.
func TestMetamorphicScaleOut(t *testing.T) {
	in := scaleInputs(t)
	cfg := writeConfig(t, scaleConfig)
	base := []string{"run", "-q", "-c", cfg, "--max-shard-bytes", "20000", in}
	outs := map[string]string{}
	for _, w := range []string{"1", "3"} {
		out := filepath.Join(t.TempDir(), "w"+w)
		if code, _, stderr := winnow(t, append(base, "-w", w, "-o", out)...); code != 3 {
			t.Fatalf("%s workers: exit %d %s", w, code, stderr)
		}
		outs[w+" workers"] = out
	}
	ranks := filepath.Join(t.TempDir(), "ranks")
	for r := range 3 {
		code, _, stderr := winnow(t, append(base, "-w", "2", "-o", ranks, "--rank", strconv.Itoa(r), "--world-size", "3")...)
		if code != 0 && code != 3 {
			t.Fatalf("rank %d: exit %d %s", r, code, stderr)
		}
		if st := readStats(t, filepath.Join(ranks, fmt.Sprintf("rank-%05d", r))); st.Documents.Kept == 0 {
			t.Fatalf("rank %d kept no document: the test wants every rank to write", r)
		}
	}
	// exit 3 as the plain runs: a rank rejected a record
	if code, _, stderr := winnow(t, "dedup", "-q", ranks); code != 3 {
		t.Fatalf("dedup over the ranks: exit %d %s", code, stderr)
	}
	outs["3 ranks"] = ranks

	ref := outs["1 workers"]
	refStats := readStats(t, ref)
	if refStats.Documents.DroppedByReason["dedup/exact"] == 0 || refStats.Documents.Kept == 0 {
		t.Fatalf("the input should keep documents and have exact duplicates: %+v", refStats.Documents)
	}
	for _, mode := range []string{"3 workers", "3 ranks"} {
		out := outs[mode]
		for _, pat := range []string{"documents/*.jsonl.zst", "rejects/*.jsonl.zst", "rejects/dedup/*.jsonl.zst"} {
			var drop []string
			if strings.HasPrefix(pat, "rejects/dedup") {
				// a duplicate's row names its place in the output shards,
				// which are cut differently by ranks
				drop = []string{"file", "offset", "record"}
			}
			a, b := docLines(t, filepath.Join(ref, pat), drop...), docLines(t, filepath.Join(out, pat), drop...)
			if len(a) == 0 {
				t.Fatalf("1 worker wrote no %s", pat)
			}
			if !slices.Equal(a, b) {
				t.Errorf("%s: the lines of %s differ from 1 worker's (%d vs %d)", mode, pat, len(b), len(a))
			}
		}
		st := readStats(t, out)
		if !reflect.DeepEqual(st.Documents, refStats.Documents) || st.Rejected.Total != refStats.Rejected.Total {
			t.Errorf("%s: counts %+v %+v, 1 worker %+v %+v", mode, st.Documents, st.Rejected, refStats.Documents, refStats.Rejected)
		}
	}
}

// TestKillEdgesPart SIGKILLs `winnow dedup edges` at random moments: every
// file it leaves under a final name is complete (byte-identical to the
// file of an uninterrupted part), the manifest never stands without its
// edge files, and once the part is rerun the merge gives the one-process
// dedup's output.
func TestKillEdgesPart(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "winnow")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	// 3,000 documents of 80 words, every 10th a copy of an earlier one
	rng := rand.New(rand.NewPCG(9, 9))
	var buf bytes.Buffer
	var texts []string
	for i := range 3000 {
		var text string
		if i%10 == 9 {
			text = texts[rng.IntN(len(texts))]
		} else {
			w := make([]string, 80)
			for k := range w {
				w[k] = fmt.Sprintf("w%d", rng.IntN(50000))
			}
			text = strings.Join(w, " ")
		}
		texts = append(texts, text)
		line, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("d%05d", i), "text": text})
		buf.Write(append(line, '\n'))
	}
	in := writeFile(t, t.TempDir(), "docs.jsonl", buf.Bytes())
	// a small sort budget, so the part spills runs (more files to kill in)
	c, err := config.Parse("p.yaml", []byte("steps:\n  - minhash: {memory_bytes: 16777216}\n"))
	if err != nil {
		t.Fatal(err)
	}
	pass := filepath.Join(t.TempDir(), "pass")
	if _, err := run.Run(context.Background(), run.Options{Inputs: []string{in}, OutDir: pass, Config: c}); err != nil {
		t.Fatal(err)
	}
	copyDir := func(dst string) string {
		if b, err := exec.Command("cp", "-r", pass, dst).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, b)
		}
		return dst
	}
	part := func(dir string, p int) *exec.Cmd {
		return exec.Command(bin, "dedup", "edges", "-q", dir, "--part", strconv.Itoa(p), "--parts", "2")
	}
	// reference: part 1 uninterrupted, and the one-process dedup
	ref := copyDir(filepath.Join(t.TempDir(), "ref"))
	start := time.Now()
	if b, err := part(ref, 1).CombinedOutput(); err != nil {
		t.Fatalf("part 1: %v %s", err, b)
	}
	partTime := time.Since(start)
	refEdges := map[string][]byte{}
	for _, ext := range []string{".exact", ".band", ".json"} {
		name := "part-00001-of-00002" + ext
		b, err := os.ReadFile(filepath.Join(ref, ".dedup", "edges", name))
		if err != nil {
			t.Fatal(err)
		}
		refEdges[name] = b
	}
	if len(refEdges["part-00001-of-00002.band"]) == 0 {
		t.Fatal("the reference part wrote no band edge")
	}
	one := copyDir(filepath.Join(t.TempDir(), "one"))
	if b, err := exec.Command(bin, "dedup", "-q", one).CombinedOutput(); err != nil {
		t.Fatalf("one-process dedup: %v %s", err, b)
	}
	want := outputSnapshot(t, one)

	dir := copyDir(filepath.Join(t.TempDir(), "out"))
	if b, err := part(dir, 0).CombinedOutput(); err != nil {
		t.Fatalf("part 0: %v %s", err, b)
	}
	killed := 0
	states := map[int]int{}
	for k := range 8 {
		// from nothing, so that what is left shows where the kill landed
		for name := range refEdges {
			os.Remove(filepath.Join(dir, ".dedup", "edges", name))
		}
		cmd := part(dir, 1)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(partTime))))
		cmd.Process.Signal(syscall.SIGKILL)
		if err := cmd.Wait(); err != nil {
			killed++
		}
		ents, _ := os.ReadDir(filepath.Join(dir, ".dedup", "edges"))
		present := map[string]bool{}
		for _, e := range ents {
			n := e.Name()
			if !strings.HasPrefix(n, "part-00001-") {
				continue
			}
			present[n] = true
			b, _ := os.ReadFile(filepath.Join(dir, ".dedup", "edges", n))
			if !bytes.Equal(b, refEdges[n]) {
				t.Errorf("kill %d: %s is not the complete file (%d bytes, want %d)", k, n, len(b), len(refEdges[n]))
			}
		}
		// the manifest is renamed last: with it, the part is whole
		if present["part-00001-of-00002.json"] && len(present) != 3 {
			t.Errorf("kill %d: the manifest without its edge files: %v", k, present)
		}
		states[len(present)]++
	}
	t.Logf("final files of part 1 left by the kills: %v (count: kills)", states)
	if killed == 0 {
		t.Errorf("no kill landed while the part ran (%v per part)", partTime)
	}
	t.Logf("%d of 8 kills stopped the part (%v per part)", killed, partTime)
	// the spill folder exists for a short time only, so the kills may have
	// left none: plant one of a killed copy (owner file nobody locks)
	planted := filepath.Join(dir, ".dedup", "edges", ".sort-part-00001-of-00002-1")
	writeFile(t, planted, "run-0", make([]byte, 1<<16))
	writeFile(t, filepath.Dir(planted), filepath.Base(planted)+".owner", nil)
	if b, err := part(dir, 1).CombinedOutput(); err != nil {
		t.Fatalf("part 1 rerun: %v %s", err, b)
	}
	// the rerun removed the spill folders (and temporary edge files in
	// them) of the killed copies, and its own
	ents, _ := os.ReadDir(filepath.Join(dir, ".dedup", "edges"))
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left in the edges folder after the rerun of part 1: %s", e.Name())
		}
	}
	if b, err := exec.Command(bin, "dedup", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("merge: %v %s", err, b)
	}
	for _, d := range diffSnapshots(want, outputSnapshot(t, dir)) {
		t.Error(d)
	}
	// the killed parts' temporary files went with the edges folder
	if _, err := os.Stat(filepath.Join(dir, ".dedup", "edges")); !os.IsNotExist(err) {
		t.Errorf("edges folder left after the merge: %v", err)
	}
}
