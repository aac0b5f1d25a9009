package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"winnow/internal/blob"
	"winnow/internal/run"
)

// Object storage. An input or output named by an s3:// or gs:// URL is
// reached through internal/blob, as `winnow run` reaches it: inputs are
// expanded on the launching machine (format.Expand) and read by the
// workers with format.Open; every writer writes its files into a
// worker-local temporary folder and uploads them under the output prefix
// before its bundle ends. The drivers are compiled in only with the build
// tag "cloud".

// cloudEnabled is blob.Enabled; a test turns it off to see the error of
// a build without the drivers.
var cloudEnabled = blob.Enabled

// needCloud fails when a URL is given to a build without the object
// storage drivers: the same binary runs on the workers, so the job could
// not read or write it there either.
func needCloud(opt Options) error {
	if cloudEnabled {
		return nil
	}
	for _, a := range append(slices.Clone(opt.Inputs), opt.OutDir) {
		if blob.IsURL(a) {
			return fmt.Errorf("pipeline: %s: this winnow-beam was built without object storage support (build with -tags cloud)", a)
		}
	}
	return nil
}

// withQuery returns the plain object URL u (as blob.Expand returns it)
// with the driver's query parameters of the argument it came from, so
// that a worker in another process reaches the same endpoint.
func withQuery(u, arg string) string {
	l, err := blob.Parse(arg)
	if err != nil || l.Query == "" {
		return u
	}
	return u + "?" + l.Query
}

// outWithQuery gives an output URL without a query the query of the
// first input URL of the same bucket that has one: the parameters given
// once hold for the whole bucket (internal/blob), and the writers, in
// other processes, see only the output URL.
func outWithQuery(out string, inputs []string) string {
	o, err := blob.Parse(out)
	if err != nil || o.Query != "" {
		return out
	}
	for _, a := range inputs {
		if l, err := blob.Parse(a); err == nil && l.Query != "" && l.Scheme == o.Scheme && l.Bucket == o.Bucket {
			return out + "?" + l.Query
		}
	}
	return out
}

// displayName is the name of an input in documents, rejects rows and
// stats.json: a file's path, or an object's URL without its query (as
// internal/format names it).
func displayName(path string) string { return blob.Plain(path) }

// prepareURLOut does for an s3:// or gs:// output prefix what
// `winnow run` does (blob.PrepareOutput): without overwrite a prefix
// holding the output of a run is refused; with it that output (and no
// other object under the prefix) is removed, stats.json first, so that no
// stats.json stands beside a mixed output.
func prepareURLOut(ctx context.Context, out string, overwrite bool) error {
	o, err := blob.PrepareOutput(ctx, out, "", overwrite)
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	defer o.Close()
	if overwrite {
		// Publishing the new, empty staging folder with overwrite
		// deletes stats.json, then every object of the earlier output
		// (internal/layout.Owned) that the (empty) new output does not
		// have.
		if err := o.Publish(ctx); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
	}
	return o.Close()
}

// withOutDir runs write on the folder a writer writes into and publishes
// what it wrote. For a local outDir that is outDir itself. For an s3://
// or gs:// prefix it is a new worker-local temporary folder: after write
// returns, every file in it is uploaded to the object of its relative
// path under the prefix (in name order; an upload replaces an object of
// the same name, so a retried bundle leaves no duplicate), and the folder
// is removed.
func withOutDir(ctx context.Context, outDir string, write func(dir string) error) error {
	if !blob.IsURL(outDir) {
		return write(outDir)
	}
	l, err := blob.Parse(outDir)
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	prefix := l.Key
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	tmp, err := os.MkdirTemp("", "winnow-beam-")
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := write(tmp); err != nil {
		return err
	}
	var files []string
	err = filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
			rel, err := filepath.Rel(tmp, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	slices.Sort(files)
	for _, rel := range files {
		u := (&url.URL{Scheme: l.Scheme, Host: l.Bucket, Path: "/" + prefix + rel, RawQuery: l.Query}).String()
		if err := blob.Upload(ctx, filepath.Join(tmp, filepath.FromSlash(rel)), u); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
	}
	return nil
}

// ReadStats reads the stats.json a finished job wrote under out, a folder
// or an s3:// or gs:// prefix. Errors: os.ErrNotExist (wrapped) when the
// job has not written it (it failed, or runs on asynchronously), a
// stats.json that does not parse.
func ReadStats(ctx context.Context, out string) (*run.Stats, error) {
	var b []byte
	if blob.IsURL(out) {
		base, query, _ := strings.Cut(out, "?")
		u := strings.TrimSuffix(base, "/") + "/stats.json"
		if query != "" {
			u += "?" + query
		}
		r, _, err := blob.Open(ctx, u)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		if b, err = io.ReadAll(r); err != nil {
			return nil, fmt.Errorf("pipeline: %w", err)
		}
	} else {
		var err error
		if b, err = os.ReadFile(filepath.Join(out, "stats.json")); err != nil {
			return nil, err
		}
	}
	var st run.Stats
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("pipeline: %s stats.json: %w", out, err)
	}
	return &st, nil
}
