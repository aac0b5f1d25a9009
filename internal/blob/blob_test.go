package blob

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestIsURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"s3://bucket/key", true},
		{"S3://bucket", true},
		{"gs://bucket/a/b.warc.gz", true},
		{"gs://b", true},
		{"s3://", false},
		{"s3:///key", false},
		{"file:///tmp/x", false},
		{"http://example.com/x", false},
		{"/tmp/s3://x", false},
		{"crawl/*.warc.gz", false},
		{"", false},
		{"://b", false},
	} {
		if got := IsURL(tc.in); got != tc.want {
			t.Errorf("IsURL(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Location
		str     string
		wantErr string
	}{
		{in: "s3://b/in/x.warc.gz", want: Location{"s3", "b", "in/x.warc.gz", ""}, str: "s3://b/in/x.warc.gz"},
		{in: "S3://b", want: Location{"s3", "b", "", ""}, str: "s3://b/"},
		{in: "gs://b/out/", want: Location{"gs", "b", "out/", ""}, str: "gs://b/out/"},
		{in: "s3://b/a%20b/c?endpoint=http://127.0.0.1:9000&use_path_style=true",
			want: Location{"s3", "b", "a b/c", "endpoint=http://127.0.0.1:9000&use_path_style=true"}, str: "s3://b/a b/c"},
		{in: "s3://b/in/*.jsonl?region=eu-west-1", want: Location{"s3", "b", "in/*.jsonl", "region=eu-west-1"}, str: "s3://b/in/*.jsonl"},
		{in: "s3://user@b/k", wantErr: "want scheme://bucket/key"},
		{in: "s3://b/k#frag", wantErr: "want scheme://bucket/key"},
		{in: "http://b/k", wantErr: "not an s3:// or gs:// URL"},
		{in: "s3://b/%zz", wantErr: "invalid URL escape"},
	} {
		got, err := Parse(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "blob: ") {
				t.Errorf("Parse(%q) error = %v, want one with %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		if s := got.String(); s != tc.str {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, s, tc.str)
		}
	}
}

// The query given once for a bucket is used for its URLs without one.
func TestBucketURLRemembersQuery(t *testing.T) {
	l, err := parse("s3://remember-me/in/*.warc.gz?endpoint=http://127.0.0.1:1&use_path_style=true")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.bucketURL(), "s3://remember-me?endpoint=http://127.0.0.1:1&use_path_style=true"; got != want {
		t.Errorf("bucketURL = %q, want %q", got, want)
	}
	plain, _ := Parse("s3://remember-me/in/a.warc.gz")
	if got, want := plain.bucketURL(), "s3://remember-me?endpoint=http://127.0.0.1:1&use_path_style=true"; got != want {
		t.Errorf("plain bucketURL = %q, want %q", got, want)
	}
	other, _ := Parse("gs://remember-me/x")
	if got, want := other.bucketURL(), "gs://remember-me"; got != want {
		t.Errorf("other scheme bucketURL = %q, want %q", got, want)
	}
	own, _ := Parse("s3://remember-me/x?region=eu-west-1")
	if got, want := own.bucketURL(), "s3://remember-me?region=eu-west-1"; got != want {
		t.Errorf("own query bucketURL = %q, want %q", got, want)
	}
}

func TestMatchParts(t *testing.T) {
	for _, tc := range []struct {
		pat, name string
		want      bool
	}{
		{"in/*", "in/a.warc.gz", true},
		{"in/*", "in/sub/a.warc.gz", false},
		{"in/*", "in/.hidden", false},
		{"in/.*", "in/.hidden", true},
		{"in/**/*.jsonl", "in/a.jsonl", true},
		{"in/**/*.jsonl", "in/x/y/a.jsonl", true},
		{"in/**/*.jsonl", "in/.git/a.jsonl", false},
		{"in/**/*.jsonl", "in/x/a.jsonl.gz", false},
		{"**", "a/b/c", true},
		{"in/?.json", "in/a.json", true},
		{"in/[ab].json", "in/c.json", false},
		{"in/*/x", "in/a/x", true},
	} {
		got := MatchParts(strings.Split(tc.pat, "/"), strings.Split(tc.name, "/"))
		if got != tc.want {
			t.Errorf("MatchParts(%q, %q) = %v, want %v", tc.pat, tc.name, got, tc.want)
		}
	}
}

func TestOpenRejectsBadURLs(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		url, want string
	}{
		{"s3://b/", "blob: s3://b/: not an object"},
		{"s3://b", "blob: s3://b/: not an object"},
		{"http://b/x", "blob: http://b/x: not an s3:// or gs:// URL"},
	} {
		_, _, err := Open(ctx, tc.url)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Open(%q) = %v, want %q", tc.url, err, tc.want)
		}
	}
	if _, _, err := OpenRange(ctx, "s3://b/k", -1); err == nil || !strings.Contains(err.Error(), "negative offset") {
		t.Errorf("OpenRange(-1) = %v, want a negative offset error", err)
	}
	if err := Upload(ctx, "/nonexistent", "s3://b/out/"); err == nil || !strings.Contains(err.Error(), "not an object key") {
		t.Errorf("Upload to a prefix = %v, want not an object key", err)
	}
	if _, err := PrepareOutput(ctx, "/tmp/out", "/tmp/staging", false); err == nil ||
		err.Error() != "blob: a staging folder is only for an s3:// or gs:// output, not /tmp/out" {
		t.Errorf("PrepareOutput(local, staging) = %v", err)
	}
	if o, err := PrepareOutput(ctx, "/tmp/out", "", true); err != nil || o.Local != "/tmp/out" || o.Remote() {
		t.Errorf("PrepareOutput(local) = %+v, %v", o, err)
	}
	if !errors.Is(ErrNotExist, os.ErrNotExist) {
		t.Error("ErrNotExist does not match os.ErrNotExist")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"s3://b/in/x.warc.gz", "gs://b", "s3://b/a%20b?endpoint=http://x:1", "s3://user@b/k",
		"S3://B/../k", "gs://b/k#f", "s3:///", "s3://b/[", "s3://b/**/x?", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s)
		if !IsURL(s) && err == nil {
			t.Fatalf("Parse(%q) succeeded on a non-URL", s)
		}
		if err != nil {
			return
		}
		if l.Bucket == "" || (l.Scheme != "s3" && l.Scheme != "gs") {
			t.Fatalf("Parse(%q) = %+v", s, l)
		}
		_ = l.bucketURL()
		if hasMeta(l.Key) {
			// pattern checks must not panic either
			MatchParts(strings.Split(l.Key, "/"), strings.Split("a/b/c", "/"))
		}
	})
}

// Remember records a URL's query for its bucket, so that a URL of the
// same bucket without a query, opened first (the output prefix), reaches
// the same endpoint; local paths and other buckets are left alone.
func TestRemember(t *testing.T) {
	q := "endpoint=http://127.0.0.1:1&region=us-east-1&use_path_style=true"
	Remember("/local/in.jsonl", "s3://remember-a/in/x.jsonl?"+q, "s3://remember-b/in/y.jsonl")
	l, err := Parse("s3://remember-a/out/")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.bucketURL(), "s3://remember-a?"+q; got != want {
		t.Errorf("bucket URL %q, want %q", got, want)
	}
	l, _ = Parse("s3://remember-b/out/")
	if got := l.bucketURL(); got != "s3://remember-b" {
		t.Errorf("bucket URL of a bucket given without a query %q, want none", got)
	}
}
