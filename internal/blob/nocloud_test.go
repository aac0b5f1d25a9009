//go:build !cloud

package blob

import (
	"strings"
	"testing"
)

// Without the cloud tag every operation on an object says how to get it.
func TestWithoutCloudTag(t *testing.T) {
	ctx := t.Context()
	const want = "blob: s3://b/in/x.warc.gz: this winnow was built without object storage support (build with -tags cloud)"
	if _, _, err := Open(ctx, "s3://b/in/x.warc.gz"); err == nil || err.Error() != want {
		t.Errorf("Open = %v, want %q", err, want)
	}
	if _, err := Expand(ctx, "s3://b/in/x.warc.gz", nil); err == nil || err.Error() != want {
		t.Errorf("Expand = %v, want %q", err, want)
	}
	if _, err := PrepareOutput(ctx, "gs://b/out", "", false); err == nil || !strings.Contains(err.Error(), "-tags cloud") {
		t.Errorf("PrepareOutput = %v, want the build tag hint", err)
	}
	if Enabled {
		t.Error("Enabled without the cloud tag")
	}
}
