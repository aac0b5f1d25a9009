//go:build cloud

package format

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"winnow"
	"winnow/internal/blob"
	"winnow/internal/blob/blobtest"
	"winnow/internal/format/parquet"
	"winnow/internal/testutil"
)

// readAllDocs reads every document and parse error of r.
func readAllDocs(t testing.TB, r winnow.Reader) (docs []*winnow.Doc, bad int) {
	t.Helper()
	for {
		d, err := r.Next()
		if err == io.EOF {
			return docs, bad
		}
		if err != nil {
			bad++
			if _, ok := err.(*winnow.ParseError); !ok {
				return docs, bad
			}
			continue
		}
		docs = append(docs, d)
	}
}

func put(t testing.TB, local, url string) {
	t.Helper()
	if err := blob.Upload(t.Context(), local, url); err != nil {
		t.Fatal(err)
	}
}

// Objects read through Open give the same documents as the files they
// were uploaded from; only Pos.File (the URL) differs.
func TestOpenURLMatchesFile(t *testing.T) {
	s := blobtest.NewS3(t)
	dir := t.TempDir()
	misnamed := filepath.Join(dir, "docs.bin")
	os.WriteFile(misnamed, []byte("{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n"), 0o644)
	for _, local := range []string{
		testutil.Shared(t, "corpus/warc/resiliparse/warcfile.warc.gz"),
		testutil.Shared(t, "corpus/warc/resiliparse/warcfile.warc"),
		testutil.Shared(t, "corpus/warc/dolma/jsonl/cc_en_head-0091.jsonl.gz"),
		misnamed,
	} {
		url := s.Object("in/" + filepath.Base(local))
		put(t, local, url)
		fr, err := Open(local, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want, wantBad := readAllDocs(t, fr)
		fr.Close()
		ur, err := Open(url, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, gotBad := readAllDocs(t, ur)
		if p, ok := ur.(Progresser); !ok || p.InputBytes() == 0 {
			t.Errorf("%s: reader is no Progresser or read no bytes", url)
		}
		if err := ur.Close(); err != nil {
			t.Errorf("%s: Close = %v", url, err)
		}
		if err := ur.Close(); err != nil {
			t.Errorf("%s: second Close = %v", url, err)
		}
		if len(want) == 0 || len(got) != len(want) || gotBad != wantBad {
			t.Fatalf("%s: %d documents and %d bad records, want %d and %d", url, len(got), gotBad, len(want), wantBad)
		}
		for i := range got {
			if plain := plainURL(url); got[i].Pos.File != plain || !strings.HasSuffix(plain, "/in/"+filepath.Base(local)) {
				t.Errorf("%s: Pos.File = %q", url, got[i].Pos.File)
			}
			got[i].Pos.File = want[i].Pos.File
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s: document %d differs:\n got %s %+v\nwant %s %+v", url, i, got[i].ID, got[i].Metadata, want[i].ID, want[i].Metadata)
				break
			}
		}
		if k, err := Detect(url); err != nil || k == Unknown {
			t.Errorf("Detect(%s) = %v, %v", url, k, err)
		}
	}
}

func TestURLErrors(t *testing.T) {
	s := blobtest.NewS3(t)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.warc.gz")
	os.WriteFile(junk, []byte("this is not a crawl\n"), 0o644)
	put(t, junk, s.Object("in/junk.warc.gz"))
	pq := filepath.Join(dir, "x.parquet")
	os.WriteFile(pq, []byte("PAR1 not really"), 0o644)
	put(t, pq, s.Object("in/x.parquet"))
	b := "s3://" + s.Bucket + "/"
	for _, tc := range []struct{ url, want string }{
		{b + "in/junk.warc.gz", "format: " + b + "in/junk.warc.gz: not a WARC or JSONL file"},
		{b + "in/x.parquet", "parquet: " + b + "in/x.parquet: "},
		{b + "in/none.jsonl", "format: blob: " + b + "in/none.jsonl: no such object"},
	} {
		_, err := Open(tc.url, Options{})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Open(%s) = %v, want %q", tc.url, err, tc.want)
		}
	}
}

// Expand mixes local paths and URLs, keeps only known names below an
// object "folder", and reports the URLs that name nothing.
func TestExpandURL(t *testing.T) {
	s := blobtest.NewS3(t)
	dir := t.TempDir()
	f := filepath.Join(dir, "a.jsonl")
	os.WriteFile(f, []byte("{\"text\":\"x\"}\n"), 0o644)
	for _, k := range []string{"in/a.jsonl", "in/b.warc.gz", "in/README.md", "in/sub/c.json.gz"} {
		put(t, f, s.Object(k))
	}
	b := "s3://" + s.Bucket + "/"
	got, err := Expand([]string{s.Object("in/"), f, s.Object("in/a.jsonl"), b + "nothing/*.jsonl"})
	want := []string{f, b + "in/a.jsonl", b + "in/b.warc.gz", b + "in/sub/c.json.gz"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Expand = %q, want %q", got, want)
	}
	if err == nil || err.Error() != "format: blob: "+b+"nothing/*.jsonl: no object matches" {
		t.Errorf("Expand error = %v", err)
	}
}

// gs:// works the same way, against a fake Cloud Storage server.
func TestOpenGCS(t *testing.T) {
	g := blobtest.NewGCS(t)
	local := testutil.Shared(t, "corpus/warc/dolma/jsonl/cc_en_head-0174.jsonl.gz")
	put(t, local, g.Object("dolma/"+filepath.Base(local)))
	urls, err := Expand([]string{g.Object("dolma/*.jsonl.gz")})
	if err != nil || len(urls) != 1 || urls[0] != g.Object("dolma/"+filepath.Base(local)) {
		t.Fatalf("Expand = %q, %v", urls, err)
	}
	fr, err := Open(local, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := readAllDocs(t, fr)
	fr.Close()
	r, err := Open(urls[0], Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, bad := readAllDocs(t, r)
	if len(want) == 0 || len(got) != len(want) || bad != 0 || got[len(got)-1].ID != want[len(want)-1].ID {
		t.Errorf("gs:// read %d documents (%d bad), want %d", len(got), bad, len(want))
	}
}

// writeParquet writes the 697 documents of the dolma sample CC-MAIN-...-00140
// into one Parquet shard of row groups of 40 rows, so that a reader
// fetches many column chunks, and returns its path.
func writeParquet(t testing.TB) string {
	t.Helper()
	r, err := Open(testutil.Shared(t, "corpus/warc/dolma/jsonl/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	docs, bad := readAllDocs(t, r)
	r.Close()
	if len(docs) != 697 || bad != 0 {
		t.Fatalf("sample: %d documents, %d bad", len(docs), bad)
	}
	dir := t.TempDir()
	w, err := parquet.NewShardWriter(dir, parquet.ShardOptions{RowGroupRows: 40})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if err := w.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if len(w.Shards()) != 1 {
		t.Fatalf("shards = %v, want one", w.Shards())
	}
	return w.Shards()[0]
}

// A Parquet object is read by ranged requests and gives the documents
// of the file it was uploaded from, on S3 and on GCS.
func TestParquetURLMatchesFile(t *testing.T) {
	local := writeParquet(t)
	fr, err := Open(local, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, wantBad := readAllDocs(t, fr)
	fr.Close()
	if len(want) < 100 || wantBad != 0 {
		t.Fatalf("local shard: %d documents, %d bad", len(want), wantBad)
	}
	for _, store := range []string{"s3", "gcs"} {
		var url string
		if store == "s3" {
			url = blobtest.NewS3(t).Object("in/docs.parquet")
		} else {
			url = blobtest.NewGCS(t).Object("in/docs.parquet")
		}
		put(t, local, url)
		if k, err := Detect(url); err != nil || k != Parquet {
			t.Errorf("Detect(%s) = %v, %v; want Parquet", url, k, err)
		}
		ur, err := Open(url, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, gotBad := readAllDocs(t, ur)
		if err := ur.Close(); err != nil {
			t.Errorf("%s: Close = %v", url, err)
		}
		if err := ur.Close(); err != nil {
			t.Errorf("%s: second Close = %v", url, err)
		}
		if len(got) != len(want) || gotBad != 0 {
			t.Fatalf("%s: %d documents and %d bad records, want %d and 0", url, len(got), gotBad, len(want))
		}
		for i := range got {
			if plain := plainURL(url); got[i].Pos.File != plain || got[i].Pos.Record != int64(i) {
				t.Fatalf("%s: document %d at %+v, want record %d of %s", url, i, got[i].Pos, i, plain)
			}
			got[i].Pos.File = want[i].Pos.File
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("%s: document %d differs:\n got %s %q\nwant %s %q", url, i, got[i].ID, trim(got[i].Text), want[i].ID, trim(want[i].Text))
			}
		}
	}
}

func trim(s string) string { return s[:min(len(s), 80)] }

// An object replaced by a shorter one between opening and reading fails
// naming the URL, not with wrong documents.
func TestParquetURLShrunk(t *testing.T) {
	local := writeParquet(t)
	s := blobtest.NewS3(t)
	url := s.Object("in/docs.parquet")
	put(t, local, url)
	r, err := Open(url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	short := filepath.Join(t.TempDir(), "short.parquet")
	if err := os.WriteFile(short, []byte("PAR1"), 0o644); err != nil {
		t.Fatal(err)
	}
	put(t, short, url)
	n := 0
	for {
		_, err = r.Next()
		if err != nil {
			break
		}
		n++
	}
	if err == io.EOF {
		t.Fatalf("reading a replaced object gave %d documents and no error", n)
	}
	t.Logf("error: %v", err)
	if !strings.Contains(err.Error(), plainURL(url)) {
		t.Errorf("error %v does not name %s", err, plainURL(url))
	}
}

// BenchmarkParquetRead reads the 697-document Parquet shard of
// writeParquet (row groups of 40 rows) from the local disk and from a
// fake S3 server on 127.0.0.1, by ranged requests; bytes are the file's.
func BenchmarkParquetRead(b *testing.B) {
	local := writeParquet(b)
	fi, err := os.Stat(local)
	if err != nil {
		b.Fatal(err)
	}
	s := blobtest.NewS3(b)
	url := s.Object("in/docs.parquet")
	put(b, local, url)
	for _, src := range []struct{ name, path string }{{"file", local}, {"s3", url}} {
		b.Run(src.name, func(b *testing.B) {
			b.SetBytes(fi.Size())
			for b.Loop() {
				r, err := Open(src.path, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if docs, bad := readAllDocs(b, r); len(docs) != 697 || bad != 0 {
					b.Fatalf("%d documents, %d bad", len(docs), bad)
				}
				r.Close()
			}
		})
	}
}
