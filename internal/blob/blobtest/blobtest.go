//go:build cloud

// Package blobtest starts in-process object storage servers for tests:
// a fake S3 (github.com/johannesboyne/gofakes3) and a fake Google Cloud
// Storage (github.com/fsouza/fake-gcs-server), both on 127.0.0.1. No
// test reaches a real cloud.
package blobtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

var buckets atomic.Int64

// Bucket returns a bucket name not used before in this process, so that
// the query parameters internal/blob remembers per bucket never mix two
// servers.
func Bucket(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), buckets.Add(1))
}

// S3 is a fake S3 server with one bucket.
type S3 struct {
	Bucket string
	Query  string // the s3blob parameters that reach the server
	URL    string // the server's base URL

	mu  sync.Mutex
	log []string
}

// Writes returns the PUT and DELETE requests the server has had, in
// order, as "METHOD /bucket/key" (a multipart upload shows as several
// PUTs of the same path).
func (s *S3) Writes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// Object is the s3:// URL of key in the bucket, with the query.
func (s *S3) Object(key string) string {
	return "s3://" + s.Bucket + "/" + key + "?" + s.Query
}

// NewS3 starts a fake S3 server on 127.0.0.1 with a new bucket, for the
// test's lifetime. It sets fake AWS credentials in the environment and
// points the AWS SDK away from ~/.aws and the instance metadata service,
// so it uses t.Setenv and the test cannot be parallel.
func NewS3(t testing.TB) *S3 {
	t.Helper()
	backend := s3mem.New()
	s := &S3{}
	fake := gofakes3.New(backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut || r.Method == http.MethodDelete {
			s.mu.Lock()
			s.log = append(s.log, r.Method+" "+r.URL.Path)
			s.mu.Unlock()
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	bucket := Bucket("s3")
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_REGION":                  "us-east-1",
		"AWS_CONFIG_FILE":             none,
		"AWS_SHARED_CREDENTIALS_FILE": none,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL":            "",
	} {
		t.Setenv(k, v)
	}
	q := url.Values{}
	q.Set("endpoint", srv.URL)
	q.Set("region", "us-east-1")
	q.Set("use_path_style", "true")
	// gofakes3 sends the whole object's CRC32 with a ranged GET too,
	// which the SDK would reject.
	q.Set("response_checksum_validation", "when_required")
	s.Bucket, s.Query, s.URL = bucket, q.Encode(), srv.URL
	return s
}

// GCS is a fake Google Cloud Storage server with one bucket.
type GCS struct {
	Bucket string
	Server *fakestorage.Server
}

// Object is the gs:// URL of key in the bucket.
func (g *GCS) Object(key string) string { return "gs://" + g.Bucket + "/" + key }

// NewGCS starts a fake Cloud Storage server on 127.0.0.1 with a new
// bucket and sets STORAGE_EMULATOR_HOST to it (t.Setenv: the test
// cannot be parallel).
func NewGCS(t testing.TB) *GCS {
	t.Helper()
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		Scheme: "http", Host: "127.0.0.1",
		// Reads go to the XML API path /bucket/object on the public host.
		PublicHost: "127.0.0.1",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("STORAGE_EMULATOR_HOST", u.Host)
	bucket := Bucket("gs")
	srv.CreateBucket(bucket)
	return &GCS{Bucket: bucket, Server: srv}
}
