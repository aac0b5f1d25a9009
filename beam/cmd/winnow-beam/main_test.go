package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"

	"winnow/beam/pipeline"
	"winnow/internal/run"
)

func TestMain(m *testing.M) {
	flag.Parse()
	beam.Init()
	os.Exit(m.Run())
}

func prismJob(ctx context.Context, p *beam.Pipeline) error {
	_, err := beam.Run(ctx, "prism", p)
	return err
}

func input(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "a.jsonl")
	if err := os.WriteFile(p, []byte("{\"id\":\"a\",\"text\":\"one document\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLaunchLocked: with the output folder's lock held (as winnow run
// holds it), launch exits 1 with one line naming the holder's pid and
// never runs the job.
func TestLaunchLocked(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := run.Lock(out, false)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	var stderr bytes.Buffer
	ran := false
	code := launch(t.Context(), pipeline.Options{Inputs: []string{input(t, tmp)}, OutDir: out}, false,
		func(context.Context, *beam.Pipeline) error { ran = true; return nil }, &stderr)
	msg := stderr.String()
	if code != 1 || ran {
		t.Errorf("exit %d, job run %v; want 1 and no job", code, ran)
	}
	if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "winnow-beam: ") || !strings.Contains(msg, "in use") ||
		!strings.Contains(msg, fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("stderr %q, want one line saying the folder is in use by pid %d", msg, os.Getpid())
	}
}

// TestLaunchJobFails: a job that fails on its workers (the step that
// removes earlier output cannot remove a stats.json that is a folder
// holding a file) exits 1 with one line that names the failing path,
// not the runner's plan dump.
func TestLaunchJobFails(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	if err := os.MkdirAll(filepath.Join(out, "stats.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "stats.json", "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := launch(t.Context(), pipeline.Options{Inputs: []string{input(t, tmp)}, OutDir: out, Overwrite: true}, false, prismJob, &stderr)
	want := fmt.Sprintf("winnow-beam: the job failed: pipeline: remove %s: directory not empty\n", filepath.Join(out, "stats.json"))
	if code != 1 || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", code, stderr.String(), want)
	}
}

// TestLaunchExitCodes: a finished job exits 0, and 3 with the
// IncompleteMessage line when an input was unreadable; a job that could
// not be built exits 1 with one line.
func TestLaunchExitCodes(t *testing.T) {
	tmp := t.TempDir()
	in := input(t, tmp)
	var stderr bytes.Buffer
	if code := launch(t.Context(), pipeline.Options{Inputs: []string{in}, OutDir: filepath.Join(tmp, "ok")}, false, prismJob, &stderr); code != 0 {
		t.Errorf("clean job: exit %d (%s), want 0", code, stderr.String())
	}
	stderr.Reset()
	missing := filepath.Join(tmp, "missing.jsonl")
	out := filepath.Join(tmp, "partial")
	if code := launch(t.Context(), pipeline.Options{Inputs: []string{in, missing}, OutDir: out}, false, prismJob, &stderr); code != 3 {
		t.Errorf("job with a missing input: exit %d, want 3", code)
	}
	if want := "winnow-beam: " + run.IncompleteMessage(1, 0, out) + "\n"; !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("stderr ends %q, want %q", stderr.String(), want)
	}
	stderr.Reset()
	code := launch(t.Context(), pipeline.Options{Inputs: []string{in}, OutDir: filepath.Join(tmp, "bad"), Config: []byte("output: {format: parquet}\n"), ConfigName: "c.yaml"}, false, prismJob, &stderr)
	if msg := stderr.String(); code != 1 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "building the job: pipeline: output.format parquet") {
		t.Errorf("unbuildable job: exit %d, stderr %q; want 1 and one line", code, msg)
	}
}

func TestOneLine(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"bundle inst003 failed: while executing Process for Plan[stage-009]:\n4: ParDo[pipeline.prepareFn] Out:[2]\ncaused by:\npipeline: remove /x/stats.json: directory not empty", "pipeline: remove /x/stats.json: directory not empty"},
		{"no job service endpoint specified. Use --endpoint=<endpoint>", "no job service endpoint specified. Use --endpoint=<endpoint>"},
		{"bundle failed\n  caused by: the cause\n\n", "caused by: the cause"},
		{"step failed: pipeline: a: pipeline: b\nplan: pipeline.readFn", "pipeline: a: pipeline: b"},
	} {
		if got := oneLine(fmt.Errorf("%s", c.in)); got != c.want {
			t.Errorf("oneLine(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A runner name that no imported runner registered is refused with one
// line; the names beamx's runners register pass.
func TestCheckRunner(t *testing.T) {
	for _, ok := range []string{"", "prism", "direct", "flink", "spark", "dataflow", "universal"} {
		if err := checkRunner(ok); err != nil {
			t.Errorf("checkRunner(%q) = %v", ok, err)
		}
	}
	err := checkRunner("nosuch")
	if want := "--runner nosuch: no such runner (want one of prism, direct, dataflow, flink, spark, universal)"; err == nil || err.Error() != want {
		t.Errorf("checkRunner(nosuch) = %v, want %q", err, want)
	}
}

// A config with two errors is refused with both, one line each, and the
// output folder the refused job would have made is not left behind.
func TestLaunchConfigErrors(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	cfg := []byte("steps:\n  - language: {languages: [en], threshold: 7}\n  - nosuchstage: {}\n")
	var stderr bytes.Buffer
	ran := false
	code := launch(t.Context(), pipeline.Options{Inputs: []string{input(t, tmp)}, OutDir: out, Config: cfg, ConfigName: "bad.yaml"}, false,
		func(context.Context, *beam.Pipeline) error { ran = true; return nil }, &stderr)
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if code != 1 || ran || len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "winnow-beam: building the job: config: bad.yaml:2: step language: ") ||
		!strings.HasPrefix(lines[1], `winnow-beam: building the job: config: bad.yaml:3: unknown step "nosuchstage"`) {
		t.Errorf("exit %d, ran %v, stderr %q; want 1 and both config errors", code, ran, stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the refused job left %s (%v)", out, err)
	}
}
