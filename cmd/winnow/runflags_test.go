package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunFlagChecks checks that bad flag values fail with exit code 1 and
// a message naming the flag, before any input is read or output written,
// instead of being replaced by a default or reported as a config key.
func TestRunFlagChecks(t *testing.T) {
	tests := []struct {
		flags []string
		want  []string // the stderr lines
	}{
		{[]string{"--workers", "0"}, []string{"winnow: run: --workers: must be at least 1, got 0"}},
		{[]string{"-w", "-3"}, []string{"winnow: run: --workers: must be at least 1, got -3"}},
		{[]string{"--progress-every", "0"}, []string{"winnow: run: --progress-every: must be a positive duration such as 10s, got 0s"}},
		{[]string{"--progress-every", "-5s"}, []string{"winnow: run: --progress-every: must be a positive duration such as 10s, got -5s"}},
		{[]string{"--report-sample", "-1"}, []string{"winnow: run: --report-sample: must be at least 1 document, got -1"}},
		{[]string{"--report", "--report-sample", "0"}, []string{"winnow: run: --report-sample: must be at least 1 document, got 0"}},
		{[]string{"--max-shard-bytes", "0"}, []string{"winnow: run: --max-shard-bytes: must be at least 1 byte, got 0 (leave the flag out for the config's value, default 512 MiB)"}},
		{[]string{"--compression", "lz4"}, []string{`winnow: run: --compression: unknown compression "lz4" (want one of zst, gz, none)`}},
		{[]string{"--output-format", "csv"}, []string{`winnow: run: --output-format: unknown format "csv" (want one of jsonl, parquet)`}},
		{[]string{"--text-field", ""}, []string{"winnow: run: --text-field: must not be empty"}},
		{[]string{"--world-size", "3"}, []string{"winnow: run: --world-size: needs --rank, the share of the inputs this process takes (0 to 2)"}},
		{[]string{"--rank", "1"}, []string{"winnow: run: --rank: needs --world-size, the number of ranks the inputs are split among"}},
		{[]string{"--rank", "0", "--world-size", "0"}, []string{"winnow: run: --world-size: must be at least 1, got 0"}},
		{[]string{"--rank", "2", "--world-size", "2"}, []string{"winnow: run: --rank: must be in [0, 2) for --world-size 2, got 2"}},
		{[]string{"--rank", "-1", "--world-size", "2"}, []string{"winnow: run: --rank: must be in [0, 2) for --world-size 2, got -1"}},
		{[]string{"--workers", "0", "--progress-every", "-1s", "--report-sample", "-2"}, []string{
			"winnow: run: --workers: must be at least 1, got 0",
			"run: --progress-every: must be a positive duration such as 10s, got -1s",
			"run: --report-sample: must be at least 1 document, got -2"}},
	}
	in := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(in, []byte(`{"id":"a","text":"one document"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.flags, " "), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "o")
			args := append([]string{"run", "-q", in, "-o", out}, tt.flags...)
			code, _, stderr := winnow(t, args...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if got := strings.TrimSuffix(stderr, "\n"); got != strings.Join(tt.want, "\n") {
				t.Errorf("stderr:\n%s\nwant:\n%s", got, strings.Join(tt.want, "\n"))
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a bad flag must fail before any output is written")
			}
		})
	}
	// Good values of the same flags run.
	out := filepath.Join(t.TempDir(), "o")
	code, _, stderr := winnow(t, "run", "-q", in, "-o", out, "--workers", "1", "--progress-every", "1s",
		"--report-sample", "1", "--max-shard-bytes", "1", "--compression", "none")
	if code != 0 {
		t.Errorf("good flags: exit %d: %s", code, stderr)
	}
}
