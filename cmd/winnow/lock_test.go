package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"winnow/internal/config"
	"winnow/internal/run"
)

// TestOutDirLock: while another process holds OUTDIR's lock, run,
// dedup and merge refuse with exit code 1 naming it and leave OUTDIR as
// it was; edge parts run under a shared holder (other parts) but not
// under an exclusive one (a run, dedup or merge).
func TestOutDirLock(t *testing.T) {
	in := t.TempDir()
	writeFile(t, in, "in.jsonl", sampleJSONL(t))
	out := filepath.Join(t.TempDir(), "out")
	cfg := writeConfig(t, "steps:\n  - clean\n  - minhash: {minhash: {ngram: 5, bands: 4, rows: 2, seed: 1}, near: true}\n")
	if code, _, stderr := winnow(t, "run", "-q", in, "-c", cfg, "-o", out); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	stats, err := os.ReadFile(filepath.Join(out, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	inUse := func(t *testing.T, stderr string) {
		t.Helper()
		want := fmt.Sprintf("%s is in use by another winnow (pid %d, started ", out, os.Getpid())
		if !strings.Contains(stderr, want) || !strings.Contains(stderr, "); wait for it or stop it") {
			t.Errorf("stderr %q, want %q", stderr, want)
		}
	}
	for _, shared := range []bool{false, true} {
		l, err := run.Lock(out, shared)
		if err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"run", "-q", in, "-c", cfg, "-o", out, "--resume"},
			{"run", "-q", in, "-c", cfg, "-o", out, "--overwrite"},
			{"dedup", "-q", out},
			{"merge", "-q", out},
		} {
			code, _, stderr := winnow(t, args...)
			if code != 1 {
				t.Errorf("shared %v, %v: exit %d, want 1: %s", shared, args, code, stderr)
			}
			inUse(t, stderr)
		}
		l.Unlock()
	}
	// Edge parts run on a pass whose dedup phase has not run: a rank
	// run (world size 1) merged into its folder.
	parts := filepath.Join(t.TempDir(), "parts")
	if code, _, stderr := winnow(t, "run", "-q", in, "-c", cfg, "-o", parts, "--rank", "0", "--world-size", "1"); code != 0 {
		t.Fatalf("rank run: exit %d: %s", code, stderr)
	}
	if code, _, stderr := winnow(t, "merge", "-q", parts); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	for _, shared := range []bool{false, true} {
		l, err := run.Lock(parts, shared)
		if err != nil {
			t.Fatal(err)
		}
		code, _, stderr := winnow(t, "dedup", "edges", "-q", parts, "--part", "0", "--parts", "2")
		if shared && code != 0 {
			t.Errorf("edge part beside another part: exit %d: %s", code, stderr)
		}
		if !shared {
			if code != 1 {
				t.Errorf("edge part under an exclusive lock: exit %d, want 1", code)
			}
			if want := fmt.Sprintf("%s is in use by another winnow (pid %d, started ", parts, os.Getpid()); !strings.Contains(stderr, want) {
				t.Errorf("stderr %q, want %q", stderr, want)
			}
		}
		l.Unlock()
	}
	if b, err := os.ReadFile(filepath.Join(out, "stats.json")); err != nil || string(b) != string(stats) {
		t.Errorf("refused commands changed stats.json: %v", err)
	}
	// released: the same commands work again
	if code, _, stderr := winnow(t, "run", "-q", in, "-c", cfg, "-o", out, "--resume"); code != 0 {
		t.Errorf("resume after the lock was released: exit %d: %s", code, stderr)
	}
}

// TestDedupUnfinishedPass: dedup and dedup edges on a folder whose run
// stopped in its per-document pass say so and how to finish it (exit 1),
// rather than failing to open stats.json; on a folder with no run at
// all they say that.
func TestDedupUnfinishedPass(t *testing.T) {
	in := t.TempDir()
	writeFile(t, in, "in.jsonl", sampleJSONL(t))
	cfgPath := writeConfig(t, "steps:\n  - clean\n  - minhash: {minhash: {ngram: 5, bands: 4, rows: 2, seed: 1}, near: true}\n")
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // stopped before its first shard: a checkpoint and no stats
	if _, err := run.RunPhases(ctx, run.Options{Inputs: []string{in}, OutDir: out, Config: cfg}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	want := "run: the run in " + out + " has not finished its per-document pass; finish it with winnow run ... --resume"
	for _, args := range [][]string{
		{"dedup", "-q", out},
		{"dedup", "-q", "-c", cfgPath, out},
		{"dedup", "edges", "-q", out, "--part", "0", "--parts", "1"},
	} {
		code, _, stderr := winnow(t, args...)
		if code != 1 || !strings.Contains(stderr, want) || strings.Contains(stderr, "no such file") {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", args, code, stderr, want)
		}
	}
	empty := t.TempDir()
	code, _, stderr := winnow(t, "dedup", "-q", empty)
	if want := "run: " + empty + " holds no finished run (no stats.json)"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("dedup of an empty folder: exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	if _, err := os.Stat(filepath.Join(empty, ".run")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dedup of a folder without output made %s/.run: %v", empty, err)
	}
	// finished, the same command works
	if code, _, stderr := winnow(t, "run", "-q", in, "-c", cfgPath, "-o", out, "--resume"); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if code, _, stderr := winnow(t, "dedup", "-q", out); code != 0 {
		t.Errorf("dedup of the finished run: exit %d: %s", code, stderr)
	}
}

// TestTwoProcessesOneOutDir: while one winnow process runs into OUTDIR
// (blocked opening a named pipe, so it surely still runs), a second
// `winnow run --resume` (a requeued task) exits 1 naming the first's pid
// and changes nothing; once the first is killed, a resume runs.
func TestTwoProcessesOneOutDir(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "winnow")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	in := t.TempDir()
	fifo := filepath.Join(in, "in.jsonl")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	first := exec.Command(bin, "run", "-q", fifo, "-o", out, "--resume")
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	lockPath := filepath.Join(out, ".run", "lock")
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(lockPath)
		if strings.HasPrefix(string(b), fmt.Sprintf("pid %d\n", first.Process.Pid)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first process never wrote its lock file (%q)", b)
		}
		time.Sleep(5 * time.Millisecond)
	}
	before := outputSnapshot(t, out)
	// without the lock the second would block on the pipe as well
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	second := exec.CommandContext(ctx, bin, "run", "-q", fifo, "-o", out, "--resume")
	b, err := second.CombinedOutput()
	want := fmt.Sprintf("winnow: %s is in use by another winnow (pid %d, started ", out, first.Process.Pid)
	if exitOf(err) != 1 || !strings.HasPrefix(string(b), want) || !strings.Contains(string(b), "); wait for it or stop it") {
		t.Errorf("second process: exit %d, output %q; want 1 and %q", exitOf(err), b, want)
	}
	if after := outputSnapshot(t, out); !reflect.DeepEqual(before, after) {
		t.Errorf("the refused process changed OUTDIR: %v", diffSnapshots(before, after))
	}
	// The lock goes with the process, also when it is killed: a requeued
	// task then resumes (here over a regular file at the pipe's path).
	first.Process.Kill()
	first.Wait()
	if err := os.Remove(fifo); err != nil {
		t.Fatal(err)
	}
	writeFile(t, in, "in.jsonl", sampleJSONL(t))
	if b, err := exec.Command(bin, "run", "-q", fifo, "-o", out, "--resume").CombinedOutput(); err != nil {
		t.Fatalf("resume after the first process was killed: %v\n%s", err, b)
	}
	if st := readStats(t, out); st.Documents.Read != 5 {
		t.Errorf("resumed run read %d documents, want 5", st.Documents.Read)
	}
}

// A run that writes nothing leaves no .run folder (a folder walk would
// take the folder for an output) and no folder it created.
func TestFailedRunLeavesNoLock(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.jsonl")
	fresh := filepath.Join(t.TempDir(), "fresh")
	existing := t.TempDir()
	for _, out := range []string{fresh, existing} {
		if code, _, stderr := winnow(t, "run", "-q", missing, "-o", out); code != 1 || !strings.Contains(stderr, "no input to read") {
			t.Fatalf("%s: exit %d %s; want 1 and no input to read", out, code, stderr)
		}
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("the folder the failed run created is still there (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(existing, ".run")); !os.IsNotExist(err) {
		t.Errorf("the failed run left %s/.run (%v)", existing, err)
	}
	if _, err := os.Stat(existing); err != nil {
		t.Errorf("the failed run removed a folder it did not create: %v", err)
	}
}

// The commands that work on a local output folder refuse an object
// storage prefix with one line naming it without its query.
func TestLocalCommandsRefuseURL(t *testing.T) {
	url := "s3://bucket/out/?endpoint=http://127.0.0.1:1"
	want := "winnow: s3://bucket/out/ is an object storage prefix: this command works on a local output folder"
	for _, args := range [][]string{{"dedup", url}, {"dedup", "edges", url, "--part", "0", "--parts", "2"}, {"merge", url}, {"report", url}} {
		code, _, stderr := winnow(t, args...)
		if code != 1 || !strings.HasPrefix(stderr, want) || strings.Contains(stderr, "endpoint") {
			t.Errorf("%v: exit %d, %q; want 1 and %q", args, code, stderr, want)
		}
	}
}
