package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"winnow/internal/testutil"
)

// writeFile writes b to dir/rel, creating its folders.
func writeFile(t *testing.T, dir, rel string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// sampleJSONL is testdata/sample/sample.jsonl: 5 documents.
func sampleJSONL(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.Root(t), "testdata", "sample", "sample.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOwnOutputNotInput: a folder walk over a folder that holds the run's
// OUTDIR, or an earlier run's output, reads the input documents once.
func TestOwnOutputNotInput(t *testing.T) {
	selfin := filepath.Join(t.TempDir(), "selfin")
	writeFile(t, selfin, "in.jsonl", sampleJSONL(t))
	out := filepath.Join(selfin, "out")
	if code, _, stderr := winnow(t, "run", "-q", selfin, "-o", out); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	if st := readStats(t, out); st.Documents.Read != 5 {
		t.Fatalf("first run read %d documents, want 5", st.Documents.Read)
	}
	// a second output beside the first: the first is an earlier run's
	// output and is not read
	out2 := filepath.Join(selfin, "out2")
	code, _, stderr := winnow(t, "run", selfin, "-o", out2)
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	st := readStats(t, out2)
	if st.Documents.Read != 5 || st.Rejected.Total != 0 || st.Inputs.Total != 1 {
		t.Errorf("second run: read %d, rejected %d, inputs %d; want 5, 0, 1", st.Documents.Read, st.Rejected.Total, st.Inputs.Total)
	}
	// out, and out2 itself: the run creates it (to lock it) before reading
	// its inputs, so a resume of out2 counts the same
	if st.Inputs.SkippedOutputs != 2 {
		t.Errorf("skipped output folders %d, want 2", st.Inputs.SkippedOutputs)
	}
	if !strings.Contains(stderr, "skipped output folders") {
		t.Errorf("summary does not count the skipped output folders:\n%s", stderr)
	}
	// over the first output again: its own shards and stats.json are not
	// inputs, so nothing is deleted and then found missing
	if code, _, stderr := winnow(t, "run", "-q", "--overwrite", selfin, "-o", out); code != 0 {
		t.Fatalf("overwrite run: exit %d: %s", code, stderr)
	}
	st = readStats(t, out)
	if st.Documents.Read != 5 || st.Inputs.Unreadable != 0 || st.Rejected.Total != 0 {
		t.Errorf("overwrite run: read %d, unreadable %d, rejected %d; want 5, 0, 0", st.Documents.Read, st.Inputs.Unreadable, st.Rejected.Total)
	}
}

// TestInterruptMessage: a run stopped by a signal (its context cancelled)
// says how to finish it, exits 1, and --resume finishes it.
func TestInterruptMessage(t *testing.T) {
	in := writeFile(t, t.TempDir(), "in.jsonl", sampleJSONL(t))
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := exitCode(execute(ctx, []string{"run", "-q", in, "-o", out}, &stdout, &stderr), &stderr)
	if code != 1 || stderr.String() != "winnow: interrupted; rerun with --resume to finish\n" {
		t.Fatalf("interrupted run: exit %d, stderr %q", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(out, "stats.json")); err == nil {
		t.Fatal("an interrupted run wrote stats.json")
	}
	if code, _, stderr := winnow(t, "run", "-q", "--resume", in, "-o", out); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if st := readStats(t, out); st.Documents.Read != 5 {
		t.Errorf("resumed run read %d documents, want 5", st.Documents.Read)
	}
	// a second --resume finds the run finished
	code, _, again := winnow(t, "run", "-q", "--resume", in, "-o", out)
	if want := "winnow: " + out + ": the run already finished; nothing to do\n"; code != 0 || again != want {
		t.Errorf("resume of a finished run: exit %d, stderr %q; want 0 and %q", code, again, want)
	}
}

// TestSkippedFilesCounted: a walk of corpus/warc reads the 36 files of
// known names and counts the other 12 by extension (listed by hand from
// the folder: 3 .arc, 1 .arc.gz, 3 .test, 2 .warc.lz4, 1 .wat.gz, 1
// .warc.gz.bad, SOURCES.md); an lz4 file named directly is unreadable
// with a reason that says so.
func TestSkippedFilesCounted(t *testing.T) {
	dir := testutil.Shared(t, "corpus/warc")
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := winnow(t, "run", "--config", writeConfig(t, extractOnly), dir, "-o", out)
	if code != 3 {
		t.Fatalf("exit %d, want 3: %s", code, stderr)
	}
	st := readStats(t, out)
	want := map[string]int64{".arc": 3, ".arc.gz": 1, ".test": 3, ".warc.lz4": 2, ".wat.gz": 1, ".bad": 1, ".md": 1}
	if st.Inputs.Total != 36 || !reflect.DeepEqual(st.Inputs.SkippedFiles, want) {
		t.Errorf("inputs %d, skipped %v; want 36 and %v", st.Inputs.Total, st.Inputs.SkippedFiles, want)
	}
	if !strings.Contains(stderr, "skipped files .warc.lz4") {
		t.Errorf("summary lacks the skipped files:\n%s", stderr)
	}

	lz4 := testutil.Shared(t, "corpus/warc/resiliparse/warcfile.warc.lz4")
	out = filepath.Join(t.TempDir(), "lz4")
	code, _, stderr = winnow(t, "run", "-q", lz4, testutil.Shared(t, "seed/seed.jsonl"), "-o", out)
	if code != 3 {
		t.Fatalf("lz4 named: exit %d, want 3: %s", code, stderr)
	}
	if reason := readStats(t, out).Inputs.UnreadableFiles[lz4]; !strings.Contains(reason, "lz4 compression is not supported") {
		t.Errorf("lz4 reason %q", reason)
	}
}

func TestIncompleteWording(t *testing.T) {
	for _, tc := range []struct {
		unreadable int
		rejected   int64
		want       string
	}{
		{0, 5, "finished, but 5 records were rejected (see o/rejects and stats.json)"},
		{1, 0, "finished, but 1 input was unreadable (see o/rejects and stats.json)"},
		{2, 1, "finished, but 2 inputs were unreadable and 1 record was rejected (see o/rejects and stats.json)"},
	} {
		if got := (&incompleteError{unreadable: tc.unreadable, rejected: tc.rejected, outDir: "o"}).Error(); got != tc.want {
			t.Errorf("%d, %d:\n got %q\nwant %q", tc.unreadable, tc.rejected, got, tc.want)
		}
	}
}

// TestStatsModeAndReportDir: stats.json is readable by all (0644, as the
// shards), and report -o naming an existing folder writes report.html in
// it.
func TestStatsModeAndReportDir(t *testing.T) {
	in := writeFile(t, t.TempDir(), "in.jsonl", sampleJSONL(t))
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := winnow(t, "run", "-q", "--report", in, "-o", out); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	fi, err := os.Stat(filepath.Join(out, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("stats.json: mode %v, want 0644", fi.Mode().Perm())
	}
	dir := t.TempDir()
	code, stdout, stderr := winnow(t, "report", out, "-o", dir)
	if code != 0 {
		t.Fatalf("report -o DIR: exit %d: %s", code, stderr)
	}
	want := filepath.Join(dir, "report.html")
	if strings.TrimSpace(stdout) != want {
		t.Errorf("report printed %q, want %q", stdout, want)
	}
	if b, err := os.ReadFile(want); err != nil || !bytes.Contains(b, []byte("<html")) {
		t.Errorf("%s: %d bytes, %v", want, len(b), err)
	}
}
