package blob

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"winnow/internal/layout"
)

// StatsName is the file a finished run writes last; Publish uploads it
// last, so a reader that sees it under the prefix sees a complete output.
const StatsName = "stats.json"

// Output is a run's output folder, which may be an object storage prefix.
// For a local folder it is that folder and Publish does nothing. For an
// s3:// or gs:// prefix the run writes into a local staging folder and
// Publish uploads it.
type Output struct {
	// Local is the folder the run writes into: the output folder itself,
	// or the staging folder of a URL output.
	Local string

	url       Location // the prefix, with a trailing "/"; zero when local
	remote    bool
	temp      bool // Local was made by PrepareOutput and is removed by Close
	keep      bool // a failed Publish keeps the staging folder
	overwrite bool
}

// PrepareOutput returns where a run writes its output out. A local out is
// returned as it is (with a staging folder, that is an error). For an s3:// or gs:// out (a key prefix; "/" is
// added when missing) it checks that nothing is stored under the prefix
// unless overwrite is set, and returns staging as the local folder, or,
// when staging is "", a new folder under os.TempDir().
func PrepareOutput(ctx context.Context, out, staging string, overwrite bool) (*Output, error) {
	if !IsURL(out) {
		if staging != "" {
			return nil, fmt.Errorf("blob: a staging folder is only for an s3:// or gs:// output, not %s", out)
		}
		return &Output{Local: out}, nil
	}
	l, err := parse(out)
	if err != nil {
		return nil, err
	}
	if l.Key != "" && !strings.HasSuffix(l.Key, "/") {
		l.Key += "/"
	}
	if hasMeta(l.Key) {
		return nil, fmt.Errorf("blob: %s: an output prefix cannot hold a glob", l)
	}
	if !overwrite {
		keys, err := listKeys(ctx, l, l.Key)
		if err != nil {
			return nil, err
		}
		owned := ownedKeys(l.Key, keys)
		if len(owned) > 0 {
			return nil, fmt.Errorf("blob: %s: output prefix already holds output of a run (%d objects, for example %s); use --overwrite to replace them",
				l, len(owned), l.at(owned[0]))
		}
	}
	if staging != "" {
		// Publish uploads the whole folder: a file of the user's there
		// would go up beside the output.
		if foreign := foreignFile(staging); foreign != "" {
			return nil, fmt.Errorf("blob: staging folder %s holds %s, which is not winnow's output and would be uploaded with it; give an empty folder or one a run staged", staging, foreign)
		}
	}
	o := &Output{Local: staging, url: l, remote: true, overwrite: overwrite}
	if staging == "" {
		dir, err := os.MkdirTemp("", "winnow-staging-")
		if err != nil {
			return nil, fmt.Errorf("blob: staging folder: %w", err)
		}
		o.Local, o.temp = dir, true
	}
	return o, nil
}

// Published reports whether the s3:// or gs:// output prefix out holds a
// StatsName, which Publish uploads last: a finished, complete output.
// A local out is never published.
func Published(ctx context.Context, out string) (bool, error) {
	if !IsURL(out) {
		return false, nil
	}
	l, err := parse(out)
	if err != nil {
		return false, err
	}
	if l.Key != "" && !strings.HasSuffix(l.Key, "/") {
		l.Key += "/"
	}
	return exists(ctx, l.at(l.Key+StatsName))
}

// Remote reports whether the output goes to object storage.
func (o *Output) Remote() bool { return o.remote }

// URL is the output prefix, or the local folder.
func (o *Output) URL() string {
	if !o.remote {
		return o.Local
	}
	return o.url.String()
}

// Publish uploads the staging folder under the prefix after a finished
// run: each file to the key of its path relative to the folder (".dedup"
// and other names starting with "." are local state and stay behind),
// StatsName last. With overwrite, a stored StatsName is deleted first and
// objects of an earlier run (layout.Owned: winnow's own output, never
// other objects under the prefix) that the new output does not have are
// deleted before the new StatsName goes up, so at no time does a StatsName stand
// beside a mixed output. A local Output publishes nothing.
func (o *Output) Publish(ctx context.Context) error {
	if !o.remote {
		return nil
	}
	var files []string
	err := filepath.WalkDir(o.Local, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != o.Local && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(o.Local, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		o.keep = true
		return fmt.Errorf("blob: publish %s: %w", o.Local, err)
	}
	sort.Slice(files, func(i, j int) bool { // StatsName last
		if (files[i] == StatsName) != (files[j] == StatsName) {
			return files[j] == StatsName
		}
		return files[i] < files[j]
	})
	if err := o.publish(ctx, files); err != nil {
		o.keep = true
		return fmt.Errorf("%w (the output stays in %s)", err, o.Local)
	}
	return nil
}

func (o *Output) publish(ctx context.Context, files []string) error {
	var stale []string
	if o.overwrite {
		if err := remove(ctx, o.url.at(o.url.Key+StatsName)); err != nil {
			return err
		}
		old, err := listKeys(ctx, o.url, o.url.Key)
		if err != nil {
			return err
		}
		have := make(map[string]bool, len(files))
		for _, f := range files {
			have[o.url.Key+f] = true
		}
		for _, k := range ownedKeys(o.url.Key, old) {
			if !have[k] {
				stale = append(stale, k)
			}
		}
	}
	for _, f := range files {
		if f == StatsName {
			for _, k := range stale {
				if err := remove(ctx, o.url.at(k)); err != nil {
					return err
				}
			}
			stale = nil
		}
		if err := upload(ctx, o.url.at(o.url.Key+f), filepath.Join(o.Local, filepath.FromSlash(f))); err != nil {
			return err
		}
	}
	for _, k := range stale { // an output without StatsName
		if err := remove(ctx, o.url.at(k)); err != nil {
			return err
		}
	}
	return nil
}

// foreignFile returns the first file (relative, "/"-separated) in dir
// that Publish would upload and that is not part of a winnow output
// (layout.Owned); "" when none, or when dir does not exist.
func foreignFile(dir string) string {
	found := ""
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found != "" {
			return filepath.SkipAll
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			if rel = filepath.ToSlash(rel); !layout.Owned(rel) {
				found = rel
				return filepath.SkipAll
			}
		}
		return nil
	})
	return found
}

// ownedKeys returns the keys under prefix that are part of a winnow
// output (layout.Owned): the only objects --overwrite deletes, so that
// inputs or other files kept under an output prefix survive it.
func ownedKeys(prefix string, keys []string) []string {
	var out []string
	for _, k := range keys {
		if rel, ok := strings.CutPrefix(k, prefix); ok && layout.Owned(rel) {
			out = append(out, k)
		}
	}
	return out
}

// Close removes a staging folder that PrepareOutput made, unless Publish
// failed (the error names the folder, so the output can still be
// recovered). A local Output and a staging folder given by the caller are
// left alone. Calling it twice is safe.
func (o *Output) Close() error {
	if !o.temp || o.keep {
		return nil
	}
	o.temp = false
	if err := os.RemoveAll(o.Local); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	return nil
}
