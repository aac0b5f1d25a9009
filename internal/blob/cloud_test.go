//go:build cloud

package blob

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"winnow/internal/blob/blobtest"
)

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readAll(t testing.TB, rc io.ReadCloser) []byte {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkRoundTrip uploads a file of n bytes, then reads it whole, from an
// offset and past its end, and stats it.
func checkRoundTrip(t *testing.T, url func(key string) string, n int) {
	ctx := t.Context()
	data := randomBytes(n, uint64(n))
	local := filepath.Join(t.TempDir(), "x.bin")
	writeFile(t, local, data)
	if err := Upload(ctx, local, url("in/x.bin")); err != nil {
		t.Fatal(err)
	}
	info, err := Stat(ctx, url("in/x.bin"))
	if err != nil || info.Size != int64(n) || info.ModTime <= 0 {
		t.Fatalf("Stat = %+v, %v; want size %d and a modification time", info, err, n)
	}
	body, size, err := Open(ctx, url("in/x.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, body); size != int64(n) || !bytes.Equal(got, data) {
		t.Fatalf("Open: size %d, %d bytes read, equal %v; want %d", size, len(got), bytes.Equal(got, data), n)
	}
	if err := body.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	off := int64(n) / 3
	body, size, err = OpenRange(ctx, url("in/x.bin"), off)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, body); size != int64(n) || !bytes.Equal(got, data[off:]) {
		t.Fatalf("OpenRange(%d): size %d, %d bytes read; want %d bytes from the offset", off, size, len(got), int64(n)-off)
	}
	_, _, err = Open(ctx, url("in/missing.bin"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "/in/missing.bin: no such object") {
		t.Errorf("Open of a missing object = %v, want a not-exist error naming it", err)
	}
}

func TestS3RoundTrip(t *testing.T) {
	s := blobtest.NewS3(t)
	// 6 MiB: more than one 5 MiB part of a multipart upload.
	checkRoundTrip(t, s.Object, 6<<20+123)
}

func TestGCSRoundTrip(t *testing.T) {
	g := blobtest.NewGCS(t)
	checkRoundTrip(t, g.Object, 300<<10+7)
	// a public bucket, read without credentials
	checkRoundTrip(t, func(key string) string { return g.Object(key) + "?anonymous=true" }, 1000)
}

// inputName is the keep function of the Expand tests: the names
// internal/format knows, in short.
func inputName(name string) bool {
	for _, s := range []string{".warc.gz", ".warc", ".jsonl", ".jsonl.zst"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

func TestExpand(t *testing.T) {
	s := blobtest.NewS3(t)
	ctx := t.Context()
	local := filepath.Join(t.TempDir(), "f")
	writeFile(t, local, []byte("x"))
	for _, k := range []string{"in/a.warc.gz", "in/b.jsonl", "in/notes.txt", "in/.tmp.jsonl", "in/sub/c.jsonl.zst",
		"in/sub/.h/d.jsonl", "in/.git/e.jsonl", "other/f.warc", "in2/g.jsonl"} {
		if err := Upload(ctx, local, s.Object(k)); err != nil {
			t.Fatal(err)
		}
	}
	b := "s3://" + s.Bucket + "/"
	for _, tc := range []struct {
		arg     string
		want    []string
		wantErr string
	}{
		{arg: "in/", want: []string{"in/a.warc.gz", "in/b.jsonl", "in/sub/c.jsonl.zst"}},
		{arg: "in", want: []string{"in/a.warc.gz", "in/b.jsonl", "in/sub/c.jsonl.zst"}},
		{arg: "in/notes.txt", want: []string{"in/notes.txt"}},
		{arg: "in/*", want: []string{"in/a.warc.gz", "in/b.jsonl", "in/notes.txt", "in/sub/c.jsonl.zst"}},
		{arg: "in*/*.jsonl", want: []string{"in/b.jsonl", "in2/g.jsonl"}},
		{arg: "in/**/*.jsonl*", want: []string{"in/b.jsonl", "in/sub/c.jsonl.zst"}},
		{arg: "in/.*", want: []string{"in/.git/e.jsonl", "in/.tmp.jsonl"}},
		{arg: "", want: []string{"in/a.warc.gz", "in/b.jsonl", "in/sub/c.jsonl.zst", "in2/g.jsonl", "other/f.warc"}},
		{arg: "nope/", wantErr: "blob: " + b + "nope/: no such object, and no input object below it"},
		{arg: "in/*.parquet", wantErr: "blob: " + b + "in/*.parquet: no object matches"},
		{arg: "in/a**", wantErr: `"**" must be a whole path element`},
		{arg: "in/[", wantErr: "syntax error in pattern"},
	} {
		got, err := Expand(ctx, "s3://"+s.Bucket+"/"+tc.arg+"?"+s.Query, inputName)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Expand(%q) = %v, %v; want error %q", tc.arg, got, err, tc.wantErr)
			}
			continue
		}
		var want []string
		for _, k := range tc.want {
			want = append(want, b+k)
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Expand(%q) = %q, %v; want %q", tc.arg, got, err, want)
		}
	}
	// The plain URLs Expand returns open with the remembered query.
	got, err := Expand(ctx, s.Object("in/*.warc.gz"), nil)
	if err != nil || len(got) != 1 {
		t.Fatalf("Expand = %q, %v", got, err)
	}
	body, _, err := Open(ctx, got[0])
	if err != nil {
		t.Fatal(err)
	}
	if b := readAll(t, body); string(b) != "x" {
		t.Errorf("read %q through a plain URL, want %q", b, "x")
	}
}

func TestPublish(t *testing.T) {
	s := blobtest.NewS3(t)
	ctx := t.Context()
	prefix := "s3://" + s.Bucket + "/out"

	o, err := PrepareOutput(ctx, prefix+"?"+s.Query, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Remote() || o.URL() != prefix+"/" || !strings.HasPrefix(o.Local, os.TempDir()) {
		t.Fatalf("PrepareOutput = remote %v, URL %q, local %q", o.Remote(), o.URL(), o.Local)
	}
	files := map[string]string{
		"documents/00000.jsonl.zst": "d0", "documents/00001.jsonl.zst": "d1",
		"rejects/00000.jsonl.zst": "r0", "stats.json": "{}", ".dedup/done": "state",
	}
	for name, body := range files {
		writeFile(t, filepath.Join(o.Local, name), []byte(body))
	}
	if err := o.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	path := "/" + s.Bucket + "/out/"
	wantWrites := []string{"PUT " + path + "documents/00000.jsonl.zst", "PUT " + path + "documents/00001.jsonl.zst",
		"PUT " + path + "rejects/00000.jsonl.zst", "PUT " + path + "stats.json"}
	if got := s.Writes(); !slices.Equal(got, wantWrites) {
		t.Errorf("writes = %q, want %q", got, wantWrites)
	}
	for name, body := range files {
		rc, _, err := Open(ctx, prefix+"/"+name)
		if strings.HasPrefix(name, ".") {
			if !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: uploaded (err %v), want it left behind", name, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, rc); string(got) != body {
			t.Errorf("%s = %q, want %q", name, got, body)
		}
	}
	staging := o.Local
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(staging); !os.IsNotExist(err) {
		t.Errorf("staging folder %s still there after Close (%v)", staging, err)
	}

	// A second run into the same prefix needs overwrite. Objects that
	// are not winnow's (inputs kept under the prefix, notes) neither
	// count nor go away with the overwrite.
	theirs := filepath.Join(t.TempDir(), "theirs")
	writeFile(t, theirs, []byte("not winnow's"))
	for _, k := range []string{"out/in/cc.warc.gz", "out/notes.txt", "out/documents/README.md"} {
		if err := Upload(ctx, theirs, "s3://"+s.Bucket+"/"+k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := PrepareOutput(ctx, prefix, "", false); err == nil ||
		!strings.Contains(err.Error(), "output prefix already holds output of a run (4 objects") {
		t.Errorf("PrepareOutput on a full prefix = %v, want a refusal counting winnow's 4 objects", err)
	}
	if o, err := PrepareOutput(ctx, "s3://"+s.Bucket+"/out/in/", "", false); err != nil {
		t.Errorf("PrepareOutput on a prefix holding only other objects = %v, want it accepted", err)
	} else {
		o.Close()
	}
	mine := t.TempDir()
	o, err = PrepareOutput(ctx, prefix+"/", mine, true)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(mine, "documents/00000.jsonl.zst"), []byte("new"))
	writeFile(t, filepath.Join(mine, "stats.json"), []byte(`{"n":1}`))
	before := len(s.Writes())
	if err := o.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	wantWrites = []string{"DELETE " + path + "stats.json", "PUT " + path + "documents/00000.jsonl.zst",
		"DELETE " + path + "documents/00001.jsonl.zst", "DELETE " + path + "rejects/00000.jsonl.zst", "PUT " + path + "stats.json"}
	if got := s.Writes()[before:]; !slices.Equal(got, wantWrites) {
		t.Errorf("overwrite writes = %q, want %q", got, wantWrites)
	}
	pl, err := Parse(prefix)
	if err != nil {
		t.Fatal(err)
	}
	got, err := listKeys(ctx, pl, "out/")
	if want := []string{"out/documents/00000.jsonl.zst", "out/documents/README.md", "out/in/cc.warc.gz", "out/notes.txt", "out/stats.json"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("after overwrite the prefix holds %q (%v), want %q", got, err, want)
	}
	o.Close()
	if _, err := os.Stat(filepath.Join(mine, "stats.json")); err != nil {
		t.Errorf("Close removed a staging folder it did not make: %v", err)
	}

	local, err := PrepareOutput(ctx, mine, "", false)
	if err != nil || local.Remote() || local.Local != mine || local.Publish(ctx) != nil || local.Close() != nil {
		t.Errorf("a local output is not passed through: %+v, %v", local, err)
	}
}

// BenchmarkOpenS3 streams an 8 MiB object from the in-process fake S3
// server: the client's overhead per byte, loopback included.
func BenchmarkOpenS3(b *testing.B) {
	s := blobtest.NewS3(b)
	ctx := b.Context()
	data := randomBytes(8<<20, 1)
	local := filepath.Join(b.TempDir(), "x")
	writeFile(b, local, data)
	if err := Upload(ctx, local, s.Object("bench")); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		rc, _, err := Open(ctx, s.Object("bench"))
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil || n != int64(len(data)) {
			b.Fatalf("read %d bytes, %v", n, err)
		}
	}
}

// Without Google credentials, a gs:// operation fails with an error that
// says where credentials come from, and writes nothing on standard
// output (gcsblob's default opener prints a warning there).
func TestGCSNoCredentials(t *testing.T) {
	t.Setenv("STORAGE_EMULATOR_HOST", "")
	t.Setenv("STORAGE_EMULATOR_HOST_GRPC", "")
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	t.Setenv("HOME", t.TempDir())
	t.Setenv("CLOUDSDK_CONFIG", t.TempDir())
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	_, statErr := Stat(t.Context(), "gs://winnow-no-creds/in/a.jsonl")
	os.Stdout = stdout
	w.Close()
	printed, _ := io.ReadAll(r)
	if len(printed) != 0 {
		t.Errorf("printed on standard output: %q", printed)
	}
	want := "blob: gs://winnow-no-creds/in/a.jsonl: no Google Cloud credentials (set GOOGLE_APPLICATION_CREDENTIALS"
	if statErr == nil || !strings.HasPrefix(statErr.Error(), want) || !strings.Contains(statErr.Error(), "missing.json") {
		t.Errorf("Stat = %v, want an error starting %q and naming the key file", statErr, want)
	}
}

// ExpandWith skips the run's own output prefix and earlier winnow
// outputs below a listed folder, reads only documents/ of a folder that
// is itself an output, and counts what it passed over.
func TestExpandWithOutputs(t *testing.T) {
	s := blobtest.NewS3(t)
	ctx := t.Context()
	local := filepath.Join(t.TempDir(), "f")
	writeFile(t, local, []byte("x"))
	for _, k := range []string{"in/a.jsonl", "in/notes.txt", "in/sub/c.jsonl.zst",
		"in/old/stats.json", "in/old/documents/00000.jsonl.zst", "in/old/rejects/00000.jsonl.zst",
		"in/ck/.run/checkpoint.json", "in/ck/documents/00000.jsonl.zst",
		"out/stats.json", "out/documents/00000.jsonl.zst", "out/in/x.jsonl",
		"prev/stats.json", "prev/documents/00000.jsonl.zst", "prev/rejects/00000.jsonl.zst"} {
		if err := Upload(ctx, local, s.Object(k)); err != nil {
			t.Fatal(err)
		}
	}
	b := "s3://" + s.Bucket + "/"
	keep := func(name string) bool { return strings.Contains(name, ".jsonl") }
	ext := func(name string) string { return path.Ext(name) }
	out := []string{b + "out/"}
	for _, tc := range []struct {
		arg     string
		want    []string
		skipped map[string]int64
		outputs int64
		wantErr string
	}{
		{arg: "in/", want: []string{"in/a.jsonl", "in/sub/c.jsonl.zst"}, skipped: map[string]int64{".txt": 1}, outputs: 2},
		{arg: "prev/", want: []string{"prev/documents/00000.jsonl.zst"}, skipped: map[string]int64{}},
		{arg: "", want: []string{"in/a.jsonl", "in/sub/c.jsonl.zst"}, skipped: map[string]int64{".txt": 1}, outputs: 4},
		{arg: "out/in/", outputs: 1, wantErr: "no such object, and no input object below it (1 folders skipped: the run's own output, or earlier winnow outputs)"},
		{arg: "out/in/x.jsonl", wantErr: "inside the run's output " + b + "out/, never an input"},
		{arg: "**/*.jsonl", want: []string{"in/a.jsonl"}, skipped: map[string]int64{}, outputs: 1},
		// files of earlier outputs named by a glob: their document shards
		// only, never stats.json or rejects
		{arg: "prev/*/*", want: []string{"prev/documents/00000.jsonl.zst"}, skipped: map[string]int64{}, outputs: 1},
		{arg: "**/stats.json", outputs: 3, wantErr: "no object matches (3 folders skipped: the run's own output, or earlier winnow outputs)"},
		// a glob that names an output folder reads its documents/, as
		// naming the folder does (and as a local glob does)
		{arg: "in/*", want: []string{"in/a.jsonl", "in/ck/documents/00000.jsonl.zst", "in/notes.txt", "in/old/documents/00000.jsonl.zst", "in/sub/c.jsonl.zst"}, skipped: map[string]int64{}},
	} {
		ex, err := ExpandWith(ctx, b+tc.arg+"?"+s.Query, ExpandOptions{Keep: keep, Exclude: out, SkipKey: ext, SkipOutputs: true})
		if tc.wantErr != "" {
			if err == nil || !strings.HasSuffix(err.Error(), tc.wantErr) || ex.SkippedOutputs != tc.outputs {
				t.Errorf("%s: err %v, skipped outputs %d; want an error ending %q and %d", tc.arg, err, ex.SkippedOutputs, tc.wantErr, tc.outputs)
			}
			continue
		}
		var got []string
		for _, u := range ex.URLs {
			got = append(got, strings.TrimPrefix(u, b))
		}
		if err != nil || !slices.Equal(got, tc.want) || !maps.Equal(ex.Skipped, tc.skipped) || ex.SkippedOutputs != tc.outputs {
			t.Errorf("%s: %q, skipped %v, outputs %d, err %v; want %q, %v, %d", tc.arg, got, ex.Skipped, ex.SkippedOutputs, err, tc.want, tc.skipped, tc.outputs)
		}
	}
}

// A bucket that does not exist is named as such, not as a missing object
// (S3; the fake GCS server answers a read from a missing bucket as a
// missing object).
func TestNoSuchBucket(t *testing.T) {
	s := blobtest.NewS3(t)
	_, _, err := Open(t.Context(), "s3://winnow-no-bucket/in/a.jsonl?"+s.Query)
	if err == nil || !strings.Contains(err.Error(), `no such bucket "winnow-no-bucket"`) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open = %v, want a missing-bucket error", err)
	}
	_, err = Expand(t.Context(), "s3://winnow-no-bucket/in/", nil)
	if err == nil || !strings.Contains(err.Error(), `no such bucket "winnow-no-bucket"`) {
		t.Errorf("Expand = %v, want a missing-bucket error", err)
	}
}

// A staging folder holding a file that is not winnow's output is refused:
// Publish would upload it beside the output.
func TestStagingWithForeignFile(t *testing.T) {
	s := blobtest.NewS3(t)
	staging := t.TempDir()
	writeFile(t, filepath.Join(staging, "documents", "00000.jsonl.zst"), []byte("d"))
	writeFile(t, filepath.Join(staging, ".run", "checkpoint.json"), []byte("{}"))
	if o, err := PrepareOutput(t.Context(), s.Object("out/"), staging, false); err != nil {
		t.Errorf("a staging folder with a run's files = %v, want it accepted", err)
	} else {
		o.Close()
	}
	writeFile(t, filepath.Join(staging, "mine", "sample.jsonl"), []byte("{}"))
	_, err := PrepareOutput(t.Context(), s.Object("out/"), staging, false)
	if err == nil || !strings.Contains(err.Error(), "holds mine/sample.jsonl, which is not winnow's output") {
		t.Errorf("PrepareOutput = %v, want a refusal naming mine/sample.jsonl", err)
	}
}
