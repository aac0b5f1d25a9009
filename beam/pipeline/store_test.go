package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"winnow/internal/blob"
)

// TestWithoutCloudDrivers is the error of a build without the object
// storage drivers (blob.Enabled false), for an input and for an output
// when the job is built, and for an object a worker is to read.
// It runs with and without the cloud tag.
func TestWithoutCloudDrivers(t *testing.T) {
	cloudEnabled = false
	defer func() { cloudEnabled = blob.Enabled }()
	in := filepath.Join(t.TempDir(), "a.jsonl")
	if err := os.WriteFile(in, []byte(`{"id":"a","text":"x"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, opt := range []Options{
		{Inputs: []string{in, "s3://bucket/in/*.warc.gz"}, OutDir: t.TempDir()},
		{Inputs: []string{in}, OutDir: "gs://bucket/out/"},
	} {
		err := Build(newScope(), opt)
		if err == nil || !strings.HasPrefix(err.Error(), "pipeline: ") || !strings.Contains(err.Error(), "build with -tags cloud") {
			t.Errorf("Build(%v): %v, want an error naming the cloud tag", opt, err)
		}
	}
	// A worker built without the tag fails on an object rather than
	// reporting it unreadable.
	rf := &readFn{}
	if err := rf.Setup(); err != nil {
		t.Fatal(err)
	}
	var rejects int
	err := rf.ProcessElement(t.Context(), "0\ts3://bucket/in/a.warc.gz?region=us-east-1",
		func([]byte) {}, func([]byte) { rejects++ }, func(string, int64) {})
	if err == nil || !strings.Contains(err.Error(), "build with -tags cloud") || rejects != 0 {
		t.Errorf("readFn over an object without the drivers: %v, %d rejects rows; want an error naming the tag and none", err, rejects)
	}
}

func newScope() beam.Scope {
	_, s := beam.NewPipelineWithRoot()
	return s
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"s3://b/in/a.warc.gz?endpoint=http%3A%2F%2F127.0.0.1%3A9000&use_path_style=true": "s3://b/in/a.warc.gz",
		"gs://b/x.jsonl.gz":  "gs://b/x.jsonl.gz",
		"/data/in/a.warc.gz": "/data/in/a.warc.gz",
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
}

// An output URL without a query takes that of an input of its bucket.
func TestOutWithQuery(t *testing.T) {
	q := "endpoint=http%3A%2F%2F127.0.0.1%3A9000&use_path_style=true"
	in := []string{"/data/a.jsonl", "s3://other/in/?region=x", "s3://b/in/*?" + q}
	for out, want := range map[string]string{
		"s3://b/out/":           "s3://b/out/?" + q,
		"s3://b/out/?region=eu": "s3://b/out/?region=eu",
		"gs://b/out/":           "gs://b/out/",
		"s3://nobody/out/":      "s3://nobody/out/",
		"/local/out":            "/local/out",
	} {
		if got := outWithQuery(out, in); got != want {
			t.Errorf("outWithQuery(%q) = %q, want %q", out, got, want)
		}
	}
}
