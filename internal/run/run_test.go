package run

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"winnow"
	"winnow/internal/config"
)

func testConfig(workers, batch, inFlight int) *config.Config {
	c := config.Default()
	c.Workers, c.BatchSize, c.MaxInFlight = workers, batch, inFlight
	c.Steps = nil
	return c
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// TestRunCounts runs a small mixed input and checks every counter, the
// rejects rows and the documents against values derived from the input.
func TestRunCounts(t *testing.T) {
	in := t.TempDir()
	a := writeInput(in, "b/a.fake.txt",
		"doc a1 hello world",
		"bad truncated record",
		"skip request",
		"doc a2 buy spam now",
		"skip request",
		"doc a3 third doc",
	)
	c := writeInput(in, "c.fake",
		"doc c1 first",
		"fatal unexpected end of gzip stream",
		"doc c2 never read",
	)
	broken := writeInput(in, "d.broken", "doc x1 y")
	missing := filepath.Join(in, "nope.warc")
	out := t.TempDir()

	fb := &fakeBackend{}
	st, err := Run(context.Background(), Options{
		Inputs:      []string{missing, c, filepath.Join(in, "b"), broken, filepath.Join(in, "b", "..", "c.fake")},
		OutDir:      out,
		Config:      testConfig(2, 2, 2),
		Backend:     fb.backend(),
		NewPipeline: pipelineOf(func() winnow.Stage { return spamStage{} }),
		Version:     "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Inputs.Total != 4 || st.Inputs.Unreadable != 2 {
		t.Errorf("inputs = %+v", st.Inputs)
	}
	if !strings.Contains(st.Inputs.UnreadableFiles[missing], "no such file") || !strings.Contains(st.Inputs.UnreadableFiles[broken], "not a known format") {
		t.Errorf("unreadable files = %v", st.Inputs.UnreadableFiles)
	}
	// a: a1 a2 a3; c: c1 (c2 is after the fatal error).
	if st.Documents.Read != 4 || st.Documents.Kept != 3 || st.Documents.Dropped != 1 {
		t.Errorf("documents = %+v", st.Documents)
	}
	if st.Documents.DroppedByReason["spam/contains_spam"] != 1 {
		t.Errorf("dropped by reason = %v", st.Documents.DroppedByReason)
	}
	if st.Rejected.Total != 2 || st.Rejected.ByFile[a] != 1 || st.Rejected.ByFile[c] != 1 {
		t.Errorf("rejected = %+v", st.Rejected)
	}
	if st.Skipped["request"] != 2 {
		t.Errorf("skipped = %v", st.Skipped)
	}
	if !st.Incomplete() {
		t.Error("a run with unreadable inputs must be incomplete")
	}
	var inBytes int64
	for _, p := range []string{a, c, broken} {
		fi, _ := os.Stat(p)
		inBytes += fi.Size()
	}
	if st.BytesIn != inBytes {
		t.Errorf("bytes in = %d, want %d", st.BytesIn, inBytes)
	}

	docs := readLines(t, filepath.Join(out, "documents", "00000.jsonl"))
	var ids []string
	var docBytes int64
	for _, d := range docs {
		ids = append(ids, d["id"].(string))
		if d["added"] != "2024-05-06T07:08:09Z" {
			t.Errorf("%s: added = %v, want the input's mtime", d["id"], d["added"])
		}
	}
	raw, _ := os.ReadFile(filepath.Join(out, "documents", "00000.jsonl"))
	docBytes = int64(len(raw))
	if got := strings.Join(ids, ","); got != "a1,a3,c1" {
		t.Errorf("kept ids in order = %s", got)
	}
	if st.BytesOut != docBytes {
		t.Errorf("bytes out = %d, want %d", st.BytesOut, docBytes)
	}
	if docs[0]["text"] != "HELLO world" || docs[0]["source"] != "a" || docs[2]["source"] != "c" {
		t.Errorf("first doc = %v, third = %v", docs[0], docs[2])
	}

	rej := readLines(t, filepath.Join(out, "rejects", "00000.jsonl"))
	var reasons []string
	for _, r := range rej {
		reasons = append(reasons, r["reason"].(string))
	}
	// Inputs are read in sorted order: b/a.fake.txt, c.fake; the missing
	// path is reported first (found while expanding), d.broken when
	// reached.
	want := []string{
		"fake: stat " + missing + ": no such file or directory",
		"truncated record",
		"spam/contains_spam",
		"unexpected end of gzip stream",
		"fake: " + broken + ": not a known format",
	}
	if strings.Join(reasons, "|") != strings.Join(want, "|") {
		t.Errorf("reject reasons\n got %q\nwant %q", reasons, want)
	}
	if rej[1]["file"] != a || rej[1]["record"] != 1.0 || rej[1]["offset"] != 19.0 {
		t.Errorf("bad record row = %v", rej[1])
	}

	var onDisk Stats
	b, err := os.ReadFile(filepath.Join(out, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &onDisk); err != nil {
		t.Fatal(err)
	}
	if onDisk.Documents.Kept != 3 || onDisk.Version != "test" || onDisk.Config["batch_size"] != 2.0 {
		t.Errorf("stats.json = %s", b)
	}
	var sum bytes.Buffer
	st.WriteSummary(&sum)
	for _, w := range []string{`(?m)^documents kept +3$`, `(?m)^  spam/contains_spam +1$`, `(?m)^rejected records +2$`, `(?m)^unreadable inputs +2$`} {
		if !regexp.MustCompile(w).MatchString(sum.String()) {
			t.Errorf("summary lacks %q:\n%s", w, sum.String())
		}
	}
}

// TestMetamorphicWorkers checks that the output does not depend on the
// number of workers or on the order in which they finish.
func TestMetamorphicWorkers(t *testing.T) {
	in := t.TempDir()
	writeInput(in, "x/1.fake", docLines("one", 500)...)
	writeInput(in, "x/2.fake", append(docLines("two", 300), "bad oops", "doc two-last last")...)
	writeInput(in, "x/3.fake", docLines("three", 77)...)

	run := func(workers int) (docs, rejects []byte, st *Stats) {
		out := t.TempDir()
		fb := &fakeBackend{}
		st, err := Run(context.Background(), Options{
			Inputs:      []string{filepath.Join(in, "x")},
			OutDir:      out,
			Config:      testConfig(workers, 7, 3),
			Backend:     fb.backend(),
			NewPipeline: pipelineOf(func() winnow.Stage { return spamStage{jitter: true} }),
		})
		if err != nil {
			t.Fatal(err)
		}
		d, _ := os.ReadFile(filepath.Join(out, "documents", "00000.jsonl"))
		r, _ := os.ReadFile(filepath.Join(out, "rejects", "00000.jsonl"))
		return d, r, st
	}
	d1, r1, s1 := run(1)
	d4, r4, s4 := run(4)
	if len(d1) == 0 || !bytes.Equal(d1, d4) {
		t.Errorf("documents differ between 1 and 4 workers (%d vs %d bytes)", len(d1), len(d4))
	}
	if len(r1) == 0 || !bytes.Equal(r1, r4) {
		t.Error("rejects differ between 1 and 4 workers")
	}
	j1, _ := json.Marshal(s1.Documents)
	j4, _ := json.Marshal(s4.Documents)
	if !bytes.Equal(j1, j4) || s1.Documents.Read != 878 {
		t.Errorf("counts differ: %+v vs %+v", s1.Documents, s4.Documents)
	}
	// 500+300+77 docs, every 7th from index 3 dropped, plus two-last.
	wantDropped := int64(0)
	for _, n := range []int{500, 300, 77} {
		wantDropped += int64((n - 3 + 6) / 7)
	}
	if s1.Documents.Dropped != wantDropped || s1.Documents.Kept != 878-wantDropped {
		t.Errorf("dropped %d kept %d, want %d dropped", s1.Documents.Dropped, s1.Documents.Kept, wantDropped)
	}
}

// TestMemoryBound blocks the writer and checks that the reader stops once
// max_in_flight batches (plus the one being filled) are outstanding.
func TestMemoryBound(t *testing.T) {
	in := t.TempDir()
	p := writeInput(in, "big.fake", docLines("d", 5000)...)
	const batch, inFlight = 10, 4
	fb := &fakeBackend{}
	var seen atomic.Int64
	fb.onWrite = func(n int64) error {
		if n == 0 {
			time.Sleep(150 * time.Millisecond)
			seen.Store(fb.readDocs.Load())
		}
		return nil
	}
	_, err := Run(context.Background(), Options{
		Inputs: []string{p}, OutDir: t.TempDir(), Config: testConfig(2, batch, inFlight),
		Backend: fb.backend(), NewPipeline: pipelineOf(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := seen.Load(); got == 0 || got > (inFlight+1)*batch {
		t.Errorf("reader was %d documents ahead of a blocked writer, bound is %d", got, (inFlight+1)*batch)
	}
	if fb.readDocs.Load() != 5000 {
		t.Errorf("read %d documents", fb.readDocs.Load())
	}
}

func TestBrokenRun(t *testing.T) {
	in := t.TempDir()
	good := writeInput(in, "a.fake", docLines("a", 200)...)
	boom := writeInput(in, "b.fake", "doc b1 fine", "doc b2 boom")
	panicky := writeInput(in, "c.fake", "doc c1 panic")
	fileInTheWay := writeInput(in, "file", "x")
	diskFull := errors.New("no space left on device")

	tests := []struct {
		name   string
		inputs []string
		out    string
		fb     *fakeBackend
		want   string
	}{
		{"stage error", []string{good, boom}, "", &fakeBackend{}, "run: batch starting at " + boom + ": record 0 at offset 0: fail: fail: boom"},
		{"stage panic", []string{panicky}, "", &fakeBackend{}, "run: stage panic in the batch starting at " + panicky},
		{"write error", []string{good}, "", &fakeBackend{onWrite: func(n int64) error {
			if n == 50 {
				return diskFull
			}
			return nil
		}}, "run: documents: no space left on device"},
		{"reject write error", []string{good, boom}, "", &fakeBackend{rejectErr: diskFull}, ""},
		{"output folder", []string{good}, filepath.Join(fileInTheWay, "out"), &fakeBackend{}, "not a directory"},
		{"no input", []string{filepath.Join(in, "missing")}, "", &fakeBackend{}, "run: no input to read: fake: stat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := tt.out
			if out == "" {
				out = t.TempDir()
			}
			done := make(chan struct{})
			var st *Stats
			var err error
			go func() {
				defer close(done)
				st, err = Run(context.Background(), Options{
					Inputs: tt.inputs, OutDir: out, Config: testConfig(3, 4, 2), Backend: tt.fb.backend(),
					NewPipeline: pipelineOf(func() winnow.Stage { return failStage{} }),
				})
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("run did not stop after an error")
			}
			if err == nil {
				t.Fatalf("no error, stats %+v", st)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if _, serr := os.Stat(filepath.Join(out, "stats.json")); serr == nil {
				t.Error("a broken run wrote stats.json")
			}
		})
	}
}

func TestCancelled(t *testing.T) {
	in := t.TempDir()
	p := writeInput(in, "a.fake", docLines("a", 3000)...)
	ctx, cancel := context.WithCancel(context.Background())
	fb := &fakeBackend{onWrite: func(n int64) error {
		if n == 10 {
			cancel()
		}
		return nil
	}}
	_, err := Run(ctx, Options{Inputs: []string{p}, OutDir: t.TempDir(), Config: testConfig(2, 5, 2),
		Backend: fb.backend(), NewPipeline: pipelineOf()})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestOutDirAndAdded(t *testing.T) {
	in := t.TempDir()
	p := writeInput(in, "a.fake", "doc a1 hi")
	out := t.TempDir()
	opt := Options{Inputs: []string{p}, OutDir: out, Config: testConfig(1, 4, 2),
		Backend: (&fakeBackend{}).backend(), NewPipeline: pipelineOf(), Added: "2025-01-02T03:04:05Z"}
	if _, err := Run(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	if d := readLines(t, filepath.Join(out, "documents", "00000.jsonl")); d[0]["added"] != "2025-01-02T03:04:05Z" {
		t.Errorf("added = %v", d[0]["added"])
	}
	if _, err := Run(context.Background(), opt); err == nil || !strings.Contains(err.Error(), "already holds output") {
		t.Errorf("second run into the same folder: %v", err)
	}
	opt.Overwrite = true
	if _, err := Run(context.Background(), opt); err != nil {
		t.Errorf("overwrite: %v", err)
	}
	opt.Added = "yesterday"
	opt.OutDir = t.TempDir()
	if _, err := Run(context.Background(), opt); err == nil || !strings.Contains(err.Error(), "not RFC 3339") {
		t.Errorf("bad added: %v", err)
	}
}

func TestWriteOrdered(t *testing.T) {
	const window = 4
	tokens := make(chan struct{}, window)
	out := make(chan *batch, 16)
	// Arrival order a worker pool could produce within a window of 4.
	for _, s := range []int{2, 0, 3, 1, 5, 4, 7, 6, 8} {
		out <- &batch{seq: s}
	}
	close(out)
	for i := 0; i < window; i++ {
		tokens <- struct{}{}
	}
	var got []int
	err := writeOrdered(context.Background(), window, out, tokens, func(b *batch) error {
		got = append(got, b.seq)
		if len(tokens) < cap(tokens) {
			tokens <- struct{}{} // the reader would send the next batch now
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range got {
		if s != i {
			t.Fatalf("written order %v", got)
		}
	}
	if len(got) != 9 {
		t.Fatalf("written %v", got)
	}

	out2 := make(chan *batch, 2)
	out2 <- &batch{seq: 5}
	close(out2)
	if err := writeOrdered(context.Background(), window, out2, tokens, func(*batch) error { return nil }); err == nil {
		t.Error("a batch beyond the window must be an error, not a silent overflow")
	}
}

func TestProgressLine(t *testing.T) {
	// Read ahead: 2 inputs and 3 MB read, but only the documents of the
	// first 1 MB written. Done is 1 of 4 MB: 25 %, 1 MB in 2 s, so 3 MB
	// left take 6 s; 500 documents in 2 s are 250/s.
	c := &counters{filesTotal: 4, bytesTotal: 4_000_000}
	c.filesDone.Store(2)
	c.docsRead.Store(1400)
	c.bytesDone.Store(3_000_000)
	c.docsWritten.Store(500)
	c.bytesWritten.Store(1_000_000)
	got := progressLine(c, 2*time.Second)
	want := "winnow: 2/4 inputs read, 500 documents written, 250 docs/s, 0.5 MB/s, 25%, eta 6s"
	if got != want {
		t.Errorf("progress line\n got %q\nwant %q", got, want)
	}
	var buf bytes.Buffer
	c.start = time.Now()
	stop := startProgress(&buf, 20*time.Millisecond, c)
	time.Sleep(300 * time.Millisecond)
	stop()
	if n := strings.Count(buf.String(), "\n"); n < 2 || !strings.HasPrefix(buf.String(), "winnow: 2/4 inputs read") {
		t.Errorf("periodic progress %q", buf.String())
	}
}

func TestBaseName(t *testing.T) {
	for in, want := range map[string]string{
		"/a/b/CC-MAIN-1.warc.gz": "CC-MAIN-1", "x.jsonl": "x", "noext": "noext", "/d/.hidden.gz": ".hidden",
	} {
		if got := baseName(in); got != want {
			t.Errorf("baseName(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkPipeline measures the executor end to end over in-memory
// documents: reader, batching, 2 workers, re-ordering and writing, with
// one light stage.
func BenchmarkPipeline(b *testing.B) {
	in := b.TempDir()
	lines := make([]string, 20000)
	var size int64
	for i := range lines {
		lines[i] = "doc d" + strings.Repeat("x", 8) + " " + strings.Repeat("lorem ipsum dolor sit amet ", 40)
		size += int64(len(lines[i]) + 1)
	}
	p := writeInput(in, "bench.fake", lines...)
	b.SetBytes(size)
	for b.Loop() {
		_, err := Run(context.Background(), Options{Inputs: []string{p}, OutDir: b.TempDir(),
			Config: testConfig(2, 256, 16), Backend: (&fakeBackend{}).backend(),
			NewPipeline: pipelineOf(func() winnow.Stage { return spamStage{} })})
		if err != nil {
			b.Fatal(err)
		}
	}
}
