package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"winnow/internal/run"
)

// rejectInputs writes two JSONL inputs of about the same size: a.jsonl
// reads cleanly, b.jsonl has one broken line (one rejected record), so
// that with two ranks exactly one rank has the reject.
func rejectInputs(t *testing.T) string {
	t.Helper()
	in := t.TempDir()
	writeFile(t, in, "a.jsonl", []byte(`{"id":"a1","text":"the first document of the clean input file"}`+"\n"+
		`{"id":"a2","text":"the second document of the clean input file"}`+"\n"))
	writeFile(t, in, "b.jsonl", []byte(`{"id":"b1","text":"a document next to a broken line"}`+"\n"+
		`{"id":"b2","text":`+"\n"+
		`{"id":"b3","text":"a document after the broken line"}`+"\n"))
	return in
}

// TestRankChainExitCode: a rejected record in one rank makes that rank,
// and then winnow merge and winnow dedup over the merged output, exit
// with code 3 and the summary line of winnow run, so that the chain's
// final status does not hide the reject.
func TestRankChainExitCode(t *testing.T) {
	in := rejectInputs(t)
	cfg := writeConfig(t, minhashOnly)
	const want = "winnow: finished, but 1 record was rejected (see "

	one := filepath.Join(t.TempDir(), "one")
	if code, _, stderr := winnow(t, "run", "-q", "-c", cfg, in, "-o", one); code != 3 || !strings.Contains(stderr, want+one+"/rejects") {
		t.Fatalf("plain run: exit %d: %s", code, stderr)
	}

	out := filepath.Join(t.TempDir(), "out")
	threes := 0
	for r := range 2 {
		code, _, stderr := winnow(t, "run", "-q", "-c", cfg, in, "-o", out, "--rank", strconv.Itoa(r), "--world-size", "2")
		switch code {
		case 3:
			threes++
		case 0:
		default:
			t.Fatalf("rank %d: exit %d: %s", r, code, stderr)
		}
	}
	if threes != 1 {
		t.Fatalf("%d ranks exited 3, want exactly 1", threes)
	}
	code, _, stderr := winnow(t, "merge", "-q", out)
	if code != 3 || !strings.Contains(stderr, want+out+"/rejects and stats.json)") {
		t.Errorf("merge: exit %d, want 3: %s", code, stderr)
	}
	// a second merge (already merged) reports the same status
	if code, _, stderr := winnow(t, "merge", "-q", out); code != 3 {
		t.Errorf("merge again: exit %d, want 3: %s", code, stderr)
	}
	for p := range 2 {
		if code, _, stderr := winnow(t, "dedup", "edges", "-q", out, "--part", strconv.Itoa(p), "--parts", "2"); code != 0 {
			t.Fatalf("edges part %d: exit %d: %s", p, code, stderr)
		}
	}
	code, _, stderr = winnow(t, "dedup", "-q", out)
	if code != 3 || !strings.Contains(stderr, want+out+"/rejects and stats.json)") {
		t.Errorf("dedup: exit %d, want 3: %s", code, stderr)
	}
	if st := readStats(t, out); st.Rejected.Total != 1 || st.Documents.Read != 4 {
		t.Errorf("merged stats: %d rejected, %d read; want 1 and 4", st.Rejected.Total, st.Documents.Read)
	}

	// clean inputs: the chain exits 0
	clean := t.TempDir()
	writeFile(t, clean, "a.jsonl", []byte(`{"id":"a1","text":"only a clean document here"}`+"\n"))
	out2 := filepath.Join(t.TempDir(), "out")
	for r := range 2 {
		if code, _, stderr := winnow(t, "run", "-q", "-c", cfg, clean, "-o", out2, "--rank", strconv.Itoa(r), "--world-size", "2"); code != 0 {
			t.Fatalf("clean rank %d: exit %d: %s", r, code, stderr)
		}
	}
	if code, _, stderr := winnow(t, "dedup", "-q", out2); code != 0 {
		t.Errorf("clean dedup: exit %d: %s", code, stderr)
	}
}

// TestWorldSizeOne: --world-size 1 behaves like any world size (a job
// array of one task works as one of sixteen): rank 0 writes
// OUTDIR/rank-00000 and runs only the per-document pass; merge and dedup
// then give the output of a plain run.
func TestWorldSizeOne(t *testing.T) {
	in, want := dupCorpus(t)
	cfg := writeConfig(t, minhashOnly)
	plain := filepath.Join(t.TempDir(), "plain")
	if code, _, stderr := winnow(t, "run", "-q", "-c", cfg, in, "-o", plain); code != 0 {
		t.Fatalf("plain run: exit %d: %s", code, stderr)
	}
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := winnow(t, "run", "-q", "-c", cfg, in, "-o", out, "--rank", "0", "--world-size", "1"); code != 0 {
		t.Fatalf("rank 0 of 1: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "rank-00000", "stats.json")); err != nil {
		t.Errorf("rank 0 of 1 did not write OUTDIR/rank-00000: %v", err)
	}
	for _, p := range []string{"stats.json", "documents", ".dedup"} {
		if _, err := os.Stat(filepath.Join(out, p)); err == nil {
			t.Errorf("rank 0 of 1 wrote OUTDIR/%s (a rank runs only the pass)", p)
		}
	}
	if st := readStats(t, filepath.Join(out, "rank-00000")); st.Dedup != nil || st.Documents.Kept != 6 {
		t.Errorf("rank 0 of 1 ran the dedup phase (%d kept, dedup %v)", st.Documents.Kept, st.Dedup)
	}
	if code, _, stderr := winnow(t, "dedup", "-q", out); code != 0 {
		t.Fatalf("dedup: exit %d: %s", code, stderr)
	}
	checkDeduped(t, out, want)
	if d := diffSnapshots(outputSnapshot(t, plain), outputSnapshot(t, out)); len(d) > 0 {
		t.Errorf("world size 1 differs from a plain run: %v", d)
	}
}

// TestRankRefusesPlainOutput: a rank run refuses an OUTDIR that holds
// the output of a plain run (it would write beside it and the merge would
// replace its shards) unless --overwrite, which removes that output; a
// merge refuses such a folder too.
func TestRankRefusesPlainOutput(t *testing.T) {
	in := rejectInputs(t)
	cfg := writeConfig(t, minhashOnly)
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := winnow(t, "run", "-q", "-c", cfg, in, "-o", out); code != 3 {
		t.Fatalf("plain run: exit %d: %s", code, stderr)
	}
	want := "winnow: run: " + out + " holds the output of a run without --rank and --world-size (documents/00000.jsonl.zst); a rank run writes only rank folders beside it; start over with --overwrite (removes it), or choose another folder\n"
	for _, extra := range [][]string{nil, {"--resume"}} {
		args := append([]string{"run", "-q", "-c", cfg, in, "-o", out, "--rank", "1", "--world-size", "2"}, extra...)
		if code, _, stderr := winnow(t, args...); code != 1 || stderr != want {
			t.Errorf("%v: exit %d: %q\nwant %q", extra, code, stderr, want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "rank-00001")); err == nil {
		t.Error("a refused rank wrote its folder")
	}
	// an unfinished plain run: only its checkpoint
	for _, p := range []string{"documents", "rejects", "side", "stats.json", ".dedup"} {
		os.RemoveAll(filepath.Join(out, p))
	}
	code, _, stderr := winnow(t, "run", "-q", "-c", cfg, in, "-o", out, "--rank", "0", "--world-size", "2", "--resume")
	if code != 1 || !strings.Contains(stderr, out+" holds the output of a run without --rank and --world-size;") {
		t.Errorf("unfinished plain run: exit %d: %s", code, stderr)
	}

	// --overwrite removes the plain run; the ranks and merge then work
	for r := range 2 {
		code, _, stderr := winnow(t, "run", "-q", "-c", cfg, in, "-o", out, "--rank", strconv.Itoa(r), "--world-size", "2", "--overwrite")
		if code != 0 && code != 3 {
			t.Fatalf("rank %d --overwrite: exit %d: %s", r, code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(out, ".run", "checkpoint.json")); err == nil {
		t.Error("--overwrite left the plain run's checkpoint")
	}
	// a plain run into the same folder, then merge: refused, nothing moved
	if code, _, stderr := winnow(t, "run", "-q", "-c", cfg, in, "-o", out); code != 3 {
		t.Fatalf("plain run beside ranks: exit %d: %s", code, stderr)
	}
	code, _, stderr = winnow(t, "merge", "-q", out)
	if code != 1 || stderr != "winnow: merge: "+out+" holds a run without --rank and --world-size beside the rank folders; remove it (or its folder .run) first\n" {
		t.Errorf("merge over a plain run: exit %d: %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "rank-00001", "stats.json")); err != nil {
		t.Errorf("the refused merge moved or removed a rank: %v", err)
	}
}

// TestRankAfterMerge: a rank requeued after winnow merge (or after winnow
// dedup) finds its share merged, says so and exits with its own finished
// code, writing nothing; the next merge and dedup keep the output. A rank
// of another world size is refused.
func TestRankAfterMerge(t *testing.T) {
	in := rejectInputs(t)
	cfg := writeConfig(t, minhashOnly)
	out := filepath.Join(t.TempDir(), "out")
	codes := map[int]int{}
	for r := range 2 {
		code, _, stderr := winnow(t, "run", "-q", "-c", cfg, in, "-o", out, "--rank", strconv.Itoa(r), "--world-size", "2")
		if code != 0 && code != 3 {
			t.Fatalf("rank %d: exit %d: %s", r, code, stderr)
		}
		codes[r] = code
	}
	if code, _, stderr := winnow(t, "merge", "-q", out); code != 3 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	merged := outputSnapshot(t, out)
	requeue := func(stage string) {
		t.Helper()
		for r := range 2 {
			for _, extra := range [][]string{{"--resume"}, nil} {
				args := append([]string{"run", "-q", "-c", cfg, in, "-o", out, "--rank", strconv.Itoa(r), "--world-size", "2"}, extra...)
				code, _, stderr := winnow(t, args...)
				want := "winnow: rank " + strconv.Itoa(r) + " was already merged into " + out + "; nothing to do\n"
				if code != codes[r] || !strings.HasPrefix(stderr, want) {
					t.Errorf("%s: rank %d %v: exit %d (want %d): %q", stage, r, extra, code, codes[r], stderr)
				}
			}
			if _, err := os.Stat(run.RankDir(out, r)); err == nil {
				t.Errorf("%s: requeued rank %d wrote its folder", stage, r)
			}
		}
	}
	requeue("after merge")
	if code, _, stderr := winnow(t, "merge", "-q", out); code != 3 {
		t.Fatalf("merge again: exit %d: %s", code, stderr)
	}
	if d := diffSnapshots(merged, outputSnapshot(t, out)); len(d) > 0 {
		t.Errorf("requeue and second merge changed the output: %v", d)
	}
	if code, _, stderr := winnow(t, "dedup", "-q", out); code != 3 {
		t.Fatalf("dedup: exit %d: %s", code, stderr)
	}
	requeue("after dedup")
	code, _, stderr := winnow(t, "run", "-q", "-c", cfg, in, "-o", out, "--rank", "0", "--world-size", "3", "--resume")
	if code != 1 || !strings.Contains(stderr, out+" holds the merged output of another run (world size 2, config ") || !strings.Contains(stderr, "this rank: world size 3") {
		t.Errorf("rank 0 of 3: exit %d: %s", code, stderr)
	}
	// the same command without the rank flags: not a plain run to resume
	// or to write beside; the refusal changes nothing
	before := outputSnapshot(t, out)
	for _, extra := range [][]string{{"--resume"}, nil} {
		code, _, stderr = winnow(t, append([]string{"run", "-q", "-c", cfg, in, "-o", out}, extra...)...)
		if code != 1 || stderr != "winnow: run: "+out+" holds the merged output of a --rank/--world-size run; a rank is resumed by rerunning its rank command; start over with --overwrite, or choose another folder\n" {
			t.Errorf("plain run %v over merged ranks: exit %d: %q", extra, code, stderr)
		}
	}
	if d := diffSnapshots(before, outputSnapshot(t, out)); len(d) > 0 {
		t.Errorf("the refused plain runs changed the output: %v", d)
	}
	if _, err := os.Stat(filepath.Join(out, ".run", "merged.json")); err != nil {
		t.Errorf("the refused plain runs removed the merge record: %v", err)
	}
}

// TestEdgesAfterDedup: winnow dedup edges on an output whose dedup phase
// finished is refused and writes nothing.
func TestEdgesAfterDedup(t *testing.T) {
	in, _ := dupCorpus(t)
	out := passOnly(t, in, filepath.Join(t.TempDir(), "out"))
	if code, _, stderr := winnow(t, "dedup", "-q", out); code != 0 {
		t.Fatalf("dedup: exit %d: %s", code, stderr)
	}
	before := outputSnapshot(t, out)
	code, _, stderr := winnow(t, "dedup", "edges", "-q", out, "--part", "0", "--parts", "2")
	if code != 1 || !strings.HasPrefix(stderr, "winnow: run: the dedup phase in "+out+" already finished") {
		t.Errorf("edges after dedup: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, ".dedup", "edges")); !os.IsNotExist(err) {
		t.Errorf("the refused part wrote .dedup/edges: %v", err)
	}
	if d := diffSnapshots(before, outputSnapshot(t, out)); len(d) > 0 {
		t.Errorf("the refused part changed the output: %v", d)
	}
}

// TestMergeAndDedupMessages: merge errors are merge's; a clash of runs
// names every clashing rank and what differs (world size, config); dedup
// without a minhash step says where the config came from and what to do.
func TestMergeAndDedupMessages(t *testing.T) {
	in := rejectInputs(t)
	cfgA := writeConfig(t, minhashOnly)
	cfgB := writeConfig(t, "batch_size: 3\nsteps: [minhash]\n")
	empty := t.TempDir()
	if code, _, stderr := winnow(t, "merge", empty); code != 1 || stderr != "winnow: merge: "+empty+" holds no rank-* folders to merge\n" {
		t.Errorf("merge of no ranks: exit %d: %q", code, stderr)
	}

	out := filepath.Join(t.TempDir(), "out")
	for _, r := range []struct{ cfg, rank, world string }{{cfgA, "0", "2"}, {cfgB, "1", "2"}, {cfgA, "2", "3"}, {cfgB, "3", "4"}} {
		if code, _, stderr := winnow(t, "run", "-q", "-c", r.cfg, in, "-o", out, "--rank", r.rank, "--world-size", r.world); code != 0 && code != 3 {
			t.Fatalf("rank %s of %s: exit %d: %s", r.rank, r.world, code, stderr)
		}
	}
	code, _, stderr := winnow(t, "merge", out)
	for _, w := range []string{
		"winnow: merge: " + out + ": rank folders of another run than rank-00000 (world size 2): rank-00001 (config or --added ",
		"), rank-00002 (world size 3, not 2), rank-00003 (world size 4, not 2; config or --added ",
		"; rerun those ranks with the same arguments and --overwrite, or remove them\n",
	} {
		if code != 1 || !strings.Contains(stderr, w) {
			t.Errorf("clashing ranks: exit %d: %q lacks %q", code, stderr, w)
		}
	}
	if strings.Count(stderr, "config or --added") != 2 {
		t.Errorf("clashing ranks: %q names the config of other than ranks 1 and 3", stderr)
	}

	// dedup without a minhash step
	plain := filepath.Join(t.TempDir(), "plain")
	if code, _, stderr := winnow(t, "run", "-q", "-c", writeConfig(t, "steps: [clean]\n"), in, "-o", plain); code != 3 {
		t.Fatalf("run without minhash: exit %d: %s", code, stderr)
	}
	code, _, stderr = winnow(t, "dedup", plain)
	if want := "winnow: dedup: the config recorded in " + plain + "/stats.json has no minhash step: the run had none, so its output has no MinHash signatures to dedup (rerun it with a minhash step), or give --config or --preset with the run's minhash step\n"; code != 1 || stderr != want {
		t.Errorf("dedup of a run without minhash: exit %d: %q\nwant %q", code, stderr, want)
	}
	code, _, stderr = winnow(t, "dedup", "-c", writeConfig(t, "steps: [clean]\n"), plain)
	if want := "winnow: dedup: the pipeline of --config or --preset has no minhash step; give one with a minhash step (with the options of the run's minhash step)\n"; code != 1 || stderr != want {
		t.Errorf("dedup -c without minhash: exit %d: %q\nwant %q", code, stderr, want)
	}
}

// TestDedupConfigRecorded: `winnow dedup --config` with other dedup
// settings than the pass (survivor, verify_jaccard) records the settings
// it ran with as the minhash step's in stats.json, not the pass's.
func TestDedupConfigRecorded(t *testing.T) {
	in, _ := dupCorpus(t)
	cfg := writeConfig(t, minhashOnly)
	other := writeConfig(t, "batch_size: 2\nmax_in_flight: 4\nsteps:\n  - minhash: {survivor: oldest, verify_jaccard: 0.9}\n")
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := winnow(t, "run", "-q", "-c", cfg, in, "-o", out, "--rank", "0", "--world-size", "1"); code != 0 {
		t.Fatalf("rank 0 of 1: exit %d: %s", code, stderr)
	}
	if code, _, stderr := winnow(t, "dedup", "-q", "-c", other, out); code != 0 {
		t.Fatalf("dedup -c: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Config struct {
			Steps []map[string]struct {
				Survivor string  `json:"survivor"`
				Verify   float64 `json:"verify_jaccard"`
			} `json:"steps"`
		} `json:"config"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Config.Steps) != 1 {
		t.Fatalf("steps %+v", st.Config.Steps)
	}
	if mh, ok := st.Config.Steps[0]["minhash"]; !ok || mh.Survivor != "oldest" || mh.Verify != 0.9 {
		t.Errorf("stats.json minhash step %+v, want survivor oldest, verify_jaccard 0.9", st.Config.Steps[0])
	}
}

// TestBytesOutAfterDedup: stats.json's bytes_out (and the dedup
// section's) is the uncompressed size of the documents shards as they
// are after the dedup phase dropped duplicates, not the pass's.
func TestBytesOutAfterDedup(t *testing.T) {
	in, _ := dupCorpus(t)
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := winnow(t, "run", "-q", "-c", writeConfig(t, minhashOnly), in, "-o", out); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	names, _ := filepath.Glob(filepath.Join(out, "documents", "*.jsonl.zst"))
	var size int64
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		k, err := io.Copy(io.Discard, zr)
		if err != nil {
			t.Fatal(err)
		}
		size += k
		zr.Close()
		f.Close()
	}
	st := readStats(t, out)
	if st.Dedup == nil || st.Documents.Dropped == 0 {
		t.Fatalf("the input should lose duplicates: %+v", st.Documents)
	}
	if size == 0 || st.BytesOut != size || st.Dedup.BytesOut != size {
		t.Errorf("bytes_out %d, dedup.bytes_out %d; the shards hold %d uncompressed bytes", st.BytesOut, st.Dedup.BytesOut, size)
	}
}
