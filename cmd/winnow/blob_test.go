//go:build cloud

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"winnow/internal/blob"
	"winnow/internal/blob/blobtest"
	"winnow/internal/format"
	"winnow/internal/format/parquet"
	"winnow/internal/run"
	"winnow/internal/testutil"
)

// TestRunObjectStorage reads a WARC, a dolma JSONL file and a Parquet
// file from a fake S3 bucket and writes the output back to it, then
// compares the output with a run over the same files on the local disk:
// the document shards must be byte-identical, and stats.json must be
// there.
func TestRunObjectStorage(t *testing.T) {
	s := blobtest.NewS3(t)
	ctx := t.Context()
	inputs := []string{
		testutil.Shared(t, "corpus/warc/resiliparse/warcfile.warc.gz"),
		testutil.Shared(t, "corpus/warc/dolma/jsonl/cc_en_head-0091.jsonl.gz"),
		parquetOf(t, testutil.Shared(t, "corpus/warc/dolma/jsonl/cc_en_head-0174.jsonl.gz")),
	}
	localIn := t.TempDir()
	for _, in := range inputs {
		if err := blob.Upload(ctx, in, s.Object("in/"+filepath.Base(in))); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(localIn, filepath.Base(in)), b, 0o644)
	}
	common := []string{"-q", "--workers", "2", "--added", "2024-05-01T00:00:00Z"}

	local := filepath.Join(t.TempDir(), "local")
	if code, _, stderr := winnow(t, append([]string{"run", filepath.Join(localIn, "*"), "-o", local}, common...)...); code != 0 {
		t.Fatalf("local run: exit %d %s", code, stderr)
	}
	staging := filepath.Join(t.TempDir(), "staging")
	out := "s3://" + s.Bucket + "/out/"
	args := append([]string{"run", s.Object("in/*"), "-o", out + "?" + s.Query, "--staging", staging}, common...)
	if code, _, stderr := winnow(t, args...); code != 0 {
		t.Fatalf("object storage run: exit %d %s", code, stderr)
	}

	objs, err := blob.Expand(ctx, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objs {
		names = append(names, strings.TrimPrefix(o, out))
	}
	if !slices.Contains(names, "stats.json") || !slices.Contains(names, "documents/00000.jsonl.zst") {
		t.Fatalf("output objects %q lack stats.json or the first documents shard", names)
	}
	localDocs, _ := filepath.Glob(filepath.Join(local, "documents", "*"))
	var remoteDocs []string
	for _, n := range names {
		if strings.HasPrefix(n, "documents/") {
			remoteDocs = append(remoteDocs, n)
		}
	}
	if len(localDocs) == 0 || len(remoteDocs) != len(localDocs) {
		t.Fatalf("documents shards: %d from object storage, %d local", len(remoteDocs), len(localDocs))
	}
	for _, name := range remoteDocs {
		rc, _, err := blob.Open(ctx, out+name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(local, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes from object storage differ from the local run's %d", name, len(got), len(want))
		}
	}
	// stats.json went up last, and counts the objects' bytes.
	if w := s.Writes(); len(w) == 0 || w[len(w)-1] != "PUT /"+s.Bucket+"/out/stats.json" {
		t.Errorf("last write %q, want stats.json", w[len(w)-1:])
	}
	st, err := urlStats(t, out+"stats.json")
	var inBytes int64
	for _, in := range inputs {
		fi, _ := os.Stat(in)
		inBytes += fi.Size()
	}
	if err != nil || st.BytesIn != inBytes || st.Inputs.Total != len(inputs) {
		t.Errorf("stats.json: bytes_in %d, inputs %d (%v); want %d bytes of %d inputs", st.BytesIn, st.Inputs.Total, err, inBytes, len(inputs))
	}
	if _, err := os.Stat(filepath.Join(staging, "stats.json")); err != nil {
		t.Errorf("the staging folder given with --staging is gone: %v", err)
	}

	rows := shardRows(t, filepath.Join(local, "documents"))
	sources := map[string]int{}
	for _, r := range rows {
		sources[r["source"].(string)]++
	}
	// warcfile.warc.gz holds HTML responses; the dolma file names its own
	// source. Both inputs must have reached the output.
	if sources["warcfile"] == 0 || len(sources) < 2 {
		t.Errorf("documents by source = %v, want documents of both inputs", sources)
	}
	// The Parquet object's documents reached the output: one of its
	// ids, which no other input holds.
	found := false
	for _, r := range rows {
		found = found || r["id"] == "http://archives2.getty.edu:8082/xtf/view?docId=ead/2002.M.13/2002.M.13.xml"
	}
	if !found {
		t.Error("no document of the Parquet input in the output")
	}

	// Without --added, a document read from an object is added at the
	// object's modification time, as one read from a file is at the file's.
	out2 := t.TempDir()
	if code, _, stderr := winnow(t, "run", "-q", s.Object("in/warcfile.warc.gz"), "-o", out2); code != 0 {
		t.Fatalf("run without --added: exit %d %s", code, stderr)
	}
	info, err := blob.Stat(ctx, s.Object("in/warcfile.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Unix(info.ModTime, 0).UTC().Format(time.RFC3339)
	rows2 := shardRows(t, filepath.Join(out2, "documents"))
	for _, r := range rows2 {
		if r["added"] != want {
			t.Fatalf("added = %v, want %s (the object's time)", r["added"], want)
		}
	}
	if len(rows2) == 0 {
		t.Error("no documents from the WARC object")
	}

	// A second run into the same prefix is refused without --overwrite.
	code, _, stderr := winnow(t, append([]string{"run", s.Object("in/*"), "-o", out}, common...)...)
	if code != 1 || !strings.Contains(stderr, "output prefix already holds output of a run") {
		t.Errorf("second run without --overwrite: exit %d %s", code, stderr)
	}
	// An input object that is missing is named in the error.
	code, _, stderr = winnow(t, append([]string{"run", s.Object("in/missing.jsonl"), "-o", t.TempDir()}, common...)...)
	if code != 1 || !strings.Contains(stderr, "s3://"+s.Bucket+"/in/missing.jsonl") {
		t.Errorf("missing object: exit %d %s", code, stderr)
	}
}

// parquetOf writes the documents of the JSONL file in into one Parquet
// file of row groups of 3 rows, named after it, and returns its path.
func parquetOf(t *testing.T, in string) string {
	t.Helper()
	r, err := format.Open(in, format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	dir := t.TempDir()
	w, err := parquet.NewShardWriter(dir, parquet.ShardOptions{RowGroupRows: 3})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		d, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(d); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n < 5 || len(w.Shards()) != 1 {
		t.Fatalf("%d documents in %v, want at least 5 in one shard", n, w.Shards())
	}
	p := filepath.Join(dir, strings.TrimSuffix(filepath.Base(in), ".jsonl.gz")+".parquet")
	if err := os.Rename(w.Shards()[0], p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunOutputPrefixHoldsInputs: objects under an s3:// output prefix
// that are not winnow's output are never inputs and never deleted, even
// with --overwrite; an earlier output under a listed folder is not read;
// a missing object is named without the bucket's query; the closing line
// points at the output prefix, not at the removed staging folder.
func TestRunOutputPrefixHoldsInputs(t *testing.T) {
	s := blobtest.NewS3(t)
	ctx := t.Context()
	in := testutil.Shared(t, "corpus/warc/dolma/jsonl/cc_en_head-0091.jsonl.gz")
	for _, k := range []string{"data/in/a.jsonl.gz", "data/in/b.jsonl.gz"} {
		if err := blob.Upload(ctx, in, s.Object(k)); err != nil {
			t.Fatal(err)
		}
	}
	b := "s3://" + s.Bucket + "/"
	inputsIntact := func(when string) {
		t.Helper()
		for _, k := range []string{"data/in/a.jsonl.gz", "data/in/b.jsonl.gz"} {
			if _, err := blob.Stat(ctx, s.Object(k)); err != nil {
				t.Fatalf("%s: input %s is gone: %v", when, k, err)
			}
		}
	}
	// inputs inside the output prefix: refused as a local run is, nothing
	// deleted
	for _, extra := range [][]string{nil, {"--overwrite"}} {
		args := append([]string{"run", "-q", s.Object("data/in/"), "-o", s.Object("data")}, extra...)
		code, _, stderr := winnow(t, args...)
		if code != 1 || !strings.Contains(stderr, "no input to read") || !strings.Contains(stderr, "the run's own output") {
			t.Errorf("%v: exit %d, %q; want 1 and no input to read", extra, code, stderr)
		}
		inputsIntact(fmt.Sprint(extra))
	}
	// output beside the inputs, in a folder the input listing covers
	out := b + "data/out/"
	args := []string{"run", "-q", "--added", "2024-05-01T00:00:00Z", s.Object("data/"), s.Object("data/in/nope.jsonl"), "-o", s.Object("data/out/")}
	for round, extra := range [][]string{nil, {"--overwrite"}} {
		code, _, stderr := winnow(t, append(args, extra...)...)
		want := "winnow: finished, but 1 input was unreadable (see " + out + "rejects and stats.json)\n"
		if code != 3 || !strings.HasSuffix(stderr, want) {
			t.Fatalf("round %d: exit %d, stderr %q; want 3 and %q", round, code, stderr, want)
		}
		inputsIntact(fmt.Sprint("round ", round))
		st, err := urlStats(t, out+"stats.json")
		if err != nil {
			t.Fatal(err)
		}
		// two inputs and the missing one; the first round's output under
		// data/out/ is neither read nor counted as an input
		_, missing := st.Inputs.UnreadableFiles[b+"data/in/nope.jsonl"]
		if st.Inputs.Total != 3 || st.Inputs.Unreadable != 1 || !missing || st.Documents.Read != 20 {
			t.Errorf("round %d: inputs %+v, read %d; want 3 inputs, %s unreadable (no query), 20 documents", round, st.Inputs, st.Documents.Read, b+"data/in/nope.jsonl")
		}
	}
	// --resume over a published output of other arguments is refused
	// and deletes nothing
	code, _, stderr := winnow(t, "run", "-q", "--resume", s.Object("data/in/a.jsonl.gz"), "-o", s.Object("data/out/"))
	if code != 1 || !strings.Contains(stderr, "output prefix already holds output of a run") {
		t.Errorf("--resume over a published output: exit %d, %q; want 1 and a refusal", code, stderr)
	}
	if st, err := urlStats(t, out+"stats.json"); err != nil || st.Documents.Read != 20 {
		t.Errorf("after the refused resume stats.json reads %+v, %v; want the earlier run's", st, err)
	}
	inputsIntact("refused resume")
}

// urlStats reads the stats.json object at url; a missing object fails
// the test, a malformed one is the error.
func urlStats(t *testing.T, url string) (*run.Stats, error) {
	t.Helper()
	rc, _, err := blob.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var st run.Stats
	err = json.NewDecoder(rc).Decode(&st)
	return &st, err
}
