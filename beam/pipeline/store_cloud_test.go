//go:build cloud

package pipeline

import (
	"encoding/json"
	"io"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"winnow/internal/blob"
	"winnow/internal/blob/blobtest"
)

// blobConfig extracts the text of the WARC's HTML pages, cleans,
// filters (the Gopher rules drop documents of both inputs) and
// deduplicates.
const blobConfig = `
batch_size: 16
steps:
  - extract
  - clean
  - gopher_quality: {profile: datatrove}
  - minhash
`

// TestObjectStorage runs the Beam pipeline on Prism over a WARC and a
// dolma JSONL file read from a fake S3 bucket, writing to the bucket, and
// compares the downloaded output with the same pipeline run over the
// same files on the local disk: the same documents, the same rejects rows
// (input names compared by base name: a local path against an object
// URL), the same shard names and the same counts in stats.json, which is
// the last object written. Then the overwrite check and removal on the
// prefix.
func TestObjectStorage(t *testing.T) {
	s := blobtest.NewS3(t)
	ctx := t.Context()
	inputs := []string{
		shared(t, "corpus/warc/resiliparse/warcfile.warc.gz"),
		shared(t, "corpus/warc/dolma/jsonl/cc_en_head-0091.jsonl.gz"),
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
		if err := os.WriteFile(filepath.Join(localIn, filepath.Base(in)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The expanded inputs carry the bucket's query to the workers (in
	// another process, where blob has not seen it), sorted by name.
	files, unreadable, _ := expandInputs([]string{s.Object("in/*")})
	wantFiles := []string{s.Object("in/cc_en_head-0091.jsonl.gz"), s.Object("in/warcfile.warc.gz")}
	if !reflect.DeepEqual(files, wantFiles) || len(unreadable) != 0 {
		t.Fatalf("expandInputs = %q, %v; want %q", files, unreadable, wantFiles)
	}
	const added = "2024-05-01T00:00:00Z"
	local := filepath.Join(t.TempDir(), "local")
	if err := Run(ctx, "prism", Options{Inputs: []string{filepath.Join(localIn, "*")}, OutDir: local,
		Config: []byte(blobConfig), Added: added}); err != nil {
		t.Fatalf("local run: %v", err)
	}
	outPrefix := "s3://" + s.Bucket + "/out/"
	out := outPrefix + "?" + s.Query
	opt := Options{Inputs: []string{s.Object("in/*")}, OutDir: out, Config: []byte(blobConfig), Added: added}
	if err := Run(ctx, "prism", opt); err != nil {
		t.Fatalf("object storage run: %v", err)
	}

	// stats.json went up after every other object.
	w := s.Writes()
	if len(w) == 0 || w[len(w)-1] != "PUT /"+s.Bucket+"/out/stats.json" {
		t.Errorf("last write %q, want the PUT of stats.json", w[max(0, len(w)-1):])
	}
	remote := download(t, outPrefix)

	localNames, remoteNames := tree(t, local), tree(t, remote)
	// a local output keeps the lock file of the launcher; a prefix has
	// no lock
	if i := slices.Index(localNames, ".run/lock"); i >= 0 {
		localNames = slices.Delete(localNames, i, i+1)
	} else {
		t.Errorf("local output without .run/lock: %q", localNames)
	}
	// input 0 is the dolma file, 1 the WARC (sorted by name)
	if !slices.Contains(remoteNames, "stats.json") || !slices.Contains(remoteNames, "documents/00000.jsonl.zst") ||
		!slices.Contains(remoteNames, "rejects/1000000.jsonl.zst") {
		t.Fatalf("objects under %s: %q, want stats.json, documents of the first input and rejects of the second", outPrefix, remoteNames)
	}
	if !reflect.DeepEqual(remoteNames, localNames) {
		t.Errorf("objects %q, local files %q", remoteNames, localNames)
	}

	wantDocs, gotDocs := readDocs(t, local), readDocs(t, remote)
	if len(wantDocs) == 0 {
		t.Error("the local run kept no document")
	}
	diffDocs(t, "object storage", gotDocs, wantDocs)

	for _, pat := range []string{"rejects/*.jsonl.zst", "rejects/dedup/*.jsonl.zst"} {
		want, got := baseFiles(t, rejectLines(t, local, pat)), baseFiles(t, rejectLines(t, remote, pat))
		if pat == "rejects/*.jsonl.zst" && len(want) == 0 {
			t.Errorf("the local run rejected nothing: the comparison of %s is empty", pat)
		}
		diffLines(t, pat, got, want)
	}

	ws, gs := readStats(t, local), readStats(t, remote)
	if ws.Documents.Read == 0 || ws.Documents.Dropped == 0 || ws.Inputs.Total != 2 {
		t.Errorf("local stats: %d read, %d dropped, %d inputs; want documents read and dropped from 2 inputs",
			ws.Documents.Read, ws.Documents.Dropped, ws.Inputs.Total)
	}
	if !reflect.DeepEqual(gs.Documents, ws.Documents) || !reflect.DeepEqual(gs.Inputs, ws.Inputs) ||
		gs.Rejected.Total != ws.Rejected.Total || !reflect.DeepEqual(baseKeys(gs.Rejected.ByFile), baseKeys(ws.Rejected.ByFile)) ||
		!reflect.DeepEqual(gs.Skipped, ws.Skipped) || !reflect.DeepEqual(gs.Dedup, ws.Dedup) ||
		!reflect.DeepEqual(gs.Shards, ws.Shards) || gs.BytesOut != ws.BytesOut {
		a, _ := json.Marshal(gs)
		b, _ := json.Marshal(ws)
		t.Errorf("stats.json differs:\n object storage %s\n local          %s", trunc(string(a)), trunc(string(b)))
	}

	// The prefix now holds output: refused without overwrite.
	if err := Build(newScope(), opt); err == nil || !strings.Contains(err.Error(), "already holds output of a run") {
		t.Errorf("Build over a prefix holding output: %v, want a refusal", err)
	}
	// With overwrite, Build removes nothing; the job's first step
	// removes every object under the prefix, stats.json first, a stray
	// one too; other prefixes stay.
	stray := s.Object("out/documents/99999.jsonl.zst")
	if err := blob.Upload(ctx, inputs[1], stray); err != nil {
		t.Fatal(err)
	}
	opt.Overwrite = true
	if err := Build(newScope(), opt); err != nil {
		t.Fatalf("Build with overwrite: %v", err)
	}
	hasStray := func(objs []string) bool {
		return slices.ContainsFunc(objs, func(o string) bool { return strings.HasSuffix(o, "/out/documents/99999.jsonl.zst") })
	}
	if left, err := blob.Expand(ctx, out, nil); err != nil || !hasStray(left) || len(left) != len(remoteNames)+1 {
		t.Errorf("Build with overwrite changed the prefix: %q (%v), had %q", left, err, remoteNames)
	}
	if err := Run(ctx, "prism", opt); err != nil {
		t.Fatalf("object storage run with overwrite: %v", err)
	}
	if left, err := blob.Expand(ctx, out, nil); err != nil || hasStray(left) || len(left) != len(remoteNames) {
		t.Errorf("after overwrite the prefix holds %q (%v), want the %d objects of the new output", left, err, len(remoteNames))
	}
	if ins, err := blob.Expand(ctx, s.Object("in/"), nil); err != nil || len(ins) != 2 {
		t.Errorf("inputs after overwrite: %q, %v", ins, err)
	}
	if w := s.Writes(); !slices.Contains(w, "DELETE /"+s.Bucket+"/out/stats.json") ||
		slices.Index(w, "DELETE /"+s.Bucket+"/out/stats.json") > slices.Index(w, "DELETE /"+s.Bucket+"/out/documents/99999.jsonl.zst") ||
		w[len(w)-1] != "PUT /"+s.Bucket+"/out/stats.json" {
		t.Errorf("writes %q: want stats.json deleted before the shards, and written last", w[max(0, len(w)-12):])
	}
}

// download copies every object under the prefix into a new folder.
func download(t *testing.T, prefix string) string {
	t.Helper()
	dir := t.TempDir()
	objs, err := blob.Expand(t.Context(), prefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		rel := strings.TrimPrefix(o, prefix)
		rc, _, err := blob.Open(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tree lists the files under dir by slash-separated relative path.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// baseFiles replaces the "file" of each rejects row by its base name,
// sorted again.
func baseFiles(t *testing.T, rows []string) []string {
	t.Helper()
	out := make([]string, len(rows))
	for i, r := range rows {
		var m map[string]any
		if err := json.Unmarshal([]byte(r), &m); err != nil {
			t.Fatal(err)
		}
		if f, ok := m["file"].(string); ok {
			m["file"] = path.Base(filepath.ToSlash(f))
		}
		b, _ := json.Marshal(m)
		out[i] = string(b)
	}
	slices.Sort(out)
	return out
}

// baseKeys is m keyed by the base names of its keys.
func baseKeys(m map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range m {
		out[path.Base(filepath.ToSlash(k))] += v
	}
	return out
}

// TestOutDirGCS writes through withOutDir to a fake Cloud Storage prefix
// given without its trailing "/": the files land under the prefix by
// their relative paths with their bytes, a second write of the same name
// replaces the object, checkOut refuses the prefix, accepts it with
// overwrite without removing anything, and clearOut empties it.
func TestOutDirGCS(t *testing.T) {
	g := blobtest.NewGCS(t)
	ctx := t.Context()
	out := g.Object("runs/out")
	if err := checkOut(ctx, out, false); err != nil {
		t.Fatalf("checkOut over an empty prefix: %v", err)
	}
	write := func(content string) {
		t.Helper()
		err := withOutDir(ctx, out, func(dir string) error {
			if err := os.MkdirAll(filepath.Join(dir, "documents"), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, "documents", "01000.jsonl.zst"), []byte(content), 0o644); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "stats.json"), []byte("{}\n"), 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	write("first")
	write("second") // a retried bundle
	objs, err := blob.Expand(ctx, out+"/", nil)
	want := []string{g.Object("runs/out/documents/01000.jsonl.zst"), g.Object("runs/out/stats.json")}
	if err != nil || !reflect.DeepEqual(objs, want) {
		t.Fatalf("objects %q (%v), want %q", objs, err, want)
	}
	rc, _, err := blob.Open(ctx, want[0])
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(b) != "second" {
		t.Errorf("shard object holds %q (%v), want the second write", b, err)
	}
	if err := checkOut(ctx, out, false); err == nil || !strings.Contains(err.Error(), "already holds output of a run") {
		t.Errorf("checkOut over a prefix holding output: %v, want a refusal", err)
	}
	if err := checkOut(ctx, out, true); err != nil {
		t.Fatalf("checkOut with overwrite: %v", err)
	}
	if objs, err := blob.Expand(ctx, out+"/", nil); err != nil || len(objs) != 2 {
		t.Fatalf("checkOut with overwrite removed objects: %q (%v)", objs, err)
	}
	if err := clearOut(ctx, out); err != nil {
		t.Fatalf("clearOut: %v", err)
	}
	if left, err := blob.Expand(ctx, out+"/", nil); err == nil {
		t.Errorf("after overwrite the prefix still holds %q", left)
	}
}
