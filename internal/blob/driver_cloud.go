//go:build cloud

package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"

	gblob "gocloud.dev/blob"
	"gocloud.dev/blob/gcsblob"  // registers gs://
	_ "gocloud.dev/blob/s3blob" // registers s3://
	"gocloud.dev/gcerrors"
	"gocloud.dev/gcp"
	"golang.org/x/oauth2/google"
)

// Enabled says whether the object storage drivers are compiled in.
const Enabled = true

func openBucket(ctx context.Context, l Location) (*gblob.Bucket, error) {
	u := l.bucketURL()
	if l.Scheme == "gs" {
		return openGCS(ctx, l, u)
	}
	b, err := gblob.OpenBucket(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("blob: %s: %w", l, err)
	}
	return b, nil
}

// gcsCreds caches the outcome of looking up Google Application Default
// Credentials, per universe_domain, for the life of the process.
var gcsCreds struct {
	mu  sync.Mutex
	err map[string]error
}

// openGCS opens a gs:// bucket. gcsblob's default opener prints a warning
// on standard output, where a run may write its own output, and goes on
// with empty credentials when there are none, so that the first request
// fails with an unrelated message about a private key. Here missing
// credentials are an error that says where they come from, and an
// anonymous bucket (anonymous=true or access_id=-) or an emulator
// (STORAGE_EMULATOR_HOST) needs none.
func openGCS(ctx context.Context, l Location, rawURL string) (*gblob.Bucket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("blob: %s: %w", l, err)
	}
	q := u.Query()
	emulator := os.Getenv("STORAGE_EMULATOR_HOST") != "" || os.Getenv("STORAGE_EMULATOR_HOST_GRPC") != ""
	if q.Get("anonymous") == "true" || q.Get("access_id") == "-" {
		b, err := (&gcsblob.URLOpener{}).OpenBucketURL(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("blob: %s: %w", l, err)
		}
		return b, nil
	}
	if !emulator {
		ud := q.Get("universe_domain")
		gcsCreds.mu.Lock()
		if gcsCreds.err == nil {
			gcsCreds.err = map[string]error{}
		}
		credErr, seen := gcsCreds.err[ud]
		if !seen {
			if ud != "" {
				_, credErr = gcp.DefaultCredentialsWithParams(ctx, google.CredentialsParams{UniverseDomain: ud})
			} else {
				_, credErr = gcp.DefaultCredentials(ctx)
			}
			gcsCreds.err[ud] = credErr
		}
		gcsCreds.mu.Unlock()
		if credErr != nil {
			return nil, fmt.Errorf("blob: %s: no Google Cloud credentials (set GOOGLE_APPLICATION_CREDENTIALS to a key file, run gcloud auth application-default login, or add ?anonymous=true for a public bucket): %w", l, credErr)
		}
	}
	b, err := gblob.OpenBucket(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("blob: %s: %w", l, err)
	}
	return b, nil
}

// wrap names the URL in err and maps "not found" to ErrNotExist.
func wrap(l Location, err error) error {
	if gcerrors.Code(err) == gcerrors.NotFound {
		// S3's NoSuchBucket and GCS's ErrBucketNotExist are NotFound too
		if msg := err.Error(); strings.Contains(msg, "NoSuchBucket") || strings.Contains(msg, "bucket doesn't exist") {
			return fmt.Errorf("blob: %s: no such bucket %q: %w", l, l.Bucket, ErrNotExist)
		}
		return fmt.Errorf("blob: %s: no such object: %w", l, ErrNotExist)
	}
	return fmt.Errorf("blob: %s: %w", l, err)
}

// object is an open object's body; Close closes the bucket too.
type object struct {
	r      *gblob.Reader
	b      *gblob.Bucket
	closed bool
}

func (o *object) Read(p []byte) (int, error) { return o.r.Read(p) }

func (o *object) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	return errors.Join(o.r.Close(), o.b.Close())
}

func openRange(ctx context.Context, l Location, offset int64) (io.ReadCloser, int64, error) {
	b, err := openBucket(ctx, l)
	if err != nil {
		return nil, 0, err
	}
	r, err := b.NewRangeReader(ctx, l.Key, offset, -1, nil)
	if err != nil {
		b.Close()
		return nil, 0, wrap(l, err)
	}
	return &object{r: r, b: b}, r.Size(), nil
}

// rangeObject reads byte ranges of one object, one ranged GET each; see
// OpenReaderAt.
type rangeObject struct {
	ctx    context.Context
	b      *gblob.Bucket
	l      Location
	size   int64
	closed bool
}

func openReaderAt(ctx context.Context, l Location) (ReaderAt, int64, error) {
	b, err := openBucket(ctx, l)
	if err != nil {
		return nil, 0, err
	}
	a, err := b.Attributes(ctx, l.Key)
	if err != nil {
		b.Close()
		return nil, 0, wrap(l, err)
	}
	return &rangeObject{ctx: ctx, b: b, l: l, size: a.Size}, a.Size, nil
}

func (o *rangeObject) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("blob: %s: negative offset %d", o.l, off)
	}
	if off >= o.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), o.size-off)
	r, err := o.b.NewRangeReader(o.ctx, o.l.Key, off, n, nil)
	if err != nil {
		return 0, wrap(o.l, err)
	}
	defer r.Close()
	k, err := io.ReadFull(r, p[:n])
	if err != nil {
		// the object is shorter than when it was opened
		return k, fmt.Errorf("blob: %s: bytes [%d, %d): %w", o.l, off, off+n, err)
	}
	if k < len(p) {
		return k, io.EOF
	}
	return k, nil
}

func (o *rangeObject) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	return o.b.Close()
}

func stat(ctx context.Context, l Location) (Info, error) {
	b, err := openBucket(ctx, l)
	if err != nil {
		return Info{}, err
	}
	defer b.Close()
	a, err := b.Attributes(ctx, l.Key)
	if err != nil {
		return Info{}, wrap(l, err)
	}
	return Info{Size: a.Size, ModTime: a.ModTime.Unix()}, nil
}

func exists(ctx context.Context, l Location) (bool, error) {
	b, err := openBucket(ctx, l)
	if err != nil {
		return false, err
	}
	defer b.Close()
	ok, err := b.Exists(ctx, l.Key)
	if err != nil {
		return false, wrap(l, err)
	}
	return ok, nil
}

// listKeys returns every object key under prefix, at any depth, sorted.
// Keys ending in "/" (folder markers that some tools write) are left out.
func listKeys(ctx context.Context, l Location, prefix string) ([]string, error) {
	b, err := openBucket(ctx, l)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	var keys []string
	it := b.List(&gblob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, wrap(l.at(prefix), err)
		}
		if obj.IsDir || strings.HasSuffix(obj.Key, "/") {
			continue
		}
		keys = append(keys, obj.Key)
	}
	sort.Strings(keys)
	return keys, nil
}

func remove(ctx context.Context, l Location) error {
	b, err := openBucket(ctx, l)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.Delete(ctx, l.Key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return wrap(l, err)
	}
	return nil
}

func upload(ctx context.Context, l Location, localPath string) error {
	f, err := os.Open(localPath)
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	defer f.Close()
	b, err := openBucket(ctx, l)
	if err != nil {
		return err
	}
	defer b.Close()
	// Cancelling the writer's context makes Close discard the partial
	// object.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := b.NewWriter(wctx, l.Key, &gblob.WriterOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return wrap(l, err)
	}
	if _, err := io.Copy(w, f); err != nil {
		cancel()
		w.Close()
		return fmt.Errorf("blob: upload %s to %s: %w", localPath, l, err)
	}
	if err := w.Close(); err != nil {
		return wrap(l, err)
	}
	return nil
}
