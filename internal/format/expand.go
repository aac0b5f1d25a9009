package format

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"winnow/internal/blob"
)

// Expand turns INPUT arguments into the sorted, de-duplicated list of
// files to read. An argument is
//   - a file, taken as it is whatever its name (Detect looks at its
//     content later);
//   - a folder, walked recursively for files whose names KindOf
//     recognises, skipping names that start with "." (temporary files);
//   - a glob (filepath.Match syntax, plus "**" for any number of folders,
//     as in "crawl/**/*.warc.gz"); a matched file is taken as it is and
//     a matched folder is walked. As in the shell, a wildcard does not
//     match a name that starts with ".".
//
// A path that does not exist, a glob that matches nothing and a folder
// without a single known file are errors that name the argument. Expand
// reports them all, joined with errors.Join, together with the files that
// the other arguments gave; the caller decides whether to go on.
// Duplicates are recognised by their absolute path; the first spelling is
// kept.
//
// An s3:// or gs:// URL names objects the same way (blob.Expand): an
// object, a "folder" (a prefix, listed at any depth for known names) or
// a glob in the key; its objects are listed as plain URLs.
func Expand(args []string) ([]string, error) {
	ex, err := ExpandWith(args, ExpandOptions{})
	return ex.Files, err
}

// ExpandOptions are the options of ExpandWith.
type ExpandOptions struct {
	// Exclude lists folders whose files are never inputs, whatever the
	// arguments say: a run's own output folder, or its s3:// or gs://
	// output prefix.
	Exclude []string
}

// Expansion is what ExpandWith found.
type Expansion struct {
	// Files are the inputs, sorted, as Expand returns them.
	Files []string
	// SkippedFiles counts the regular files that a folder walk passed over
	// because KindOf does not know their names, by extension (see
	// SkipKey): ".arc.gz", ".warc.lz4", ".bad". Names that start with "."
	// (temporary files) are not counted.
	SkippedFiles map[string]int64
	// SkippedOutputs counts the folders below a walked folder that hold a
	// winnow output (a ".run" folder, or "stats.json" beside a "documents"
	// folder) and were therefore not read; excluded folders count too.
	SkippedOutputs int64
}

// ExpandWith is Expand that also reports what folder walks passed over
// and never lists a file inside opt.Exclude. A folder walk does not
// enter a folder below the walked one that holds a winnow output (see
// IsOutputDir): reading an earlier run's shards and stats.json as input
// would count each document twice.
func ExpandWith(args []string, opt ExpandOptions) (Expansion, error) {
	ex := Expansion{SkippedFiles: map[string]int64{}}
	var (
		errs []error
		seen = map[string]bool{}
	)
	var exclude, excludeURLs []string
	for _, e := range opt.Exclude {
		if blob.IsURL(e) {
			u := blob.Plain(e)
			if !strings.HasSuffix(u, "/") {
				u += "/"
			}
			excludeURLs = append(excludeURLs, u)
			continue
		}
		if abs, err := filepath.Abs(e); err == nil {
			exclude = append(exclude, abs)
		}
	}
	excluded := func(abs string) bool {
		for _, e := range exclude {
			if abs == e || strings.HasPrefix(abs, e+string(filepath.Separator)) {
				return true
			}
		}
		return false
	}
	add := func(p string) {
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = p
		}
		if excluded(abs) {
			return
		}
		if !seen[abs] {
			seen[abs] = true
			ex.Files = append(ex.Files, p)
		}
	}
	outCache, skippedOut := map[string]bool{}, map[string]bool{}
	for _, arg := range args {
		if blob.IsURL(arg) {
			bx, err := blob.ExpandWith(context.Background(), arg, blob.ExpandOptions{
				Keep: func(name string) bool { return KindOf(name) != Unknown }, Exclude: excludeURLs, SkipKey: SkipKey, SkipOutputs: true})
			if err != nil {
				errs = append(errs, fmt.Errorf("format: %w", err))
			}
			for k, v := range bx.Skipped {
				ex.SkippedFiles[k] += v
			}
			ex.SkippedOutputs += bx.SkippedOutputs
			for _, u := range bx.URLs {
				if !seen[u] {
					seen[u] = true
					ex.Files = append(ex.Files, u)
				}
			}
			continue
		}
		var matches []string
		if hasMeta(arg) {
			var err error
			matches, err = glob(arg)
			if err != nil {
				errs = append(errs, fmt.Errorf("format: %s: %w", arg, err))
				continue
			}
			if len(matches) == 0 {
				errs = append(errs, fmt.Errorf("format: %s: no file matches", arg))
				continue
			}
		} else {
			matches = []string{arg}
		}
		for _, m := range matches {
			fi, err := os.Stat(m)
			if err != nil {
				errs = append(errs, fmt.Errorf("format: %w", err))
				continue
			}
			if !fi.IsDir() {
				// a file a glob matched inside an earlier output: only
				// its document shards, as a folder walk takes them
				if d, ok := outsideDocuments(m, outCache); hasMeta(arg) && ok {
					if !skippedOut[d] {
						skippedOut[d] = true
						ex.SkippedOutputs++
					}
					continue
				}
				add(m)
				continue
			}
			found, err := walk(m, excluded, &ex)
			if err != nil {
				errs = append(errs, err)
			}
			if err == nil && len(found) == 0 {
				errs = append(errs, fmt.Errorf("format: %s: no WARC or JSONL files in the folder", m))
			}
			for _, f := range found {
				add(f)
			}
		}
	}
	sort.Strings(ex.Files)
	return ex, errors.Join(errs...)
}

// outsideDocuments returns the nearest folder above the file p that
// holds a winnow output (IsOutputDir; answers cached in cache), and
// whether p lies outside that output's documents/ folder: its
// stats.json, rejects, side and attribute files are no documents.
func outsideDocuments(p string, cache map[string]bool) (string, bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		out, seen := cache[d]
		if !seen {
			out = IsOutputDir(d)
			cache[d] = out
		}
		if out {
			return d, !strings.HasPrefix(abs, filepath.Join(d, "documents")+string(filepath.Separator))
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

// IsOutputDir reports whether dir holds a winnow output: a ".run"
// folder (the run's checkpoint), or "stats.json" beside a "documents"
// folder.
func IsOutputDir(dir string) bool {
	if fi, err := os.Stat(filepath.Join(dir, ".run")); err == nil && fi.IsDir() {
		return true
	}
	if _, err := os.Stat(filepath.Join(dir, "stats.json")); err != nil {
		return false
	}
	fi, err := os.Stat(filepath.Join(dir, "documents"))
	return err == nil && fi.IsDir()
}

// compressionExts are the endings SkipKey keeps together with the one
// before them.
var compressionExts = map[string]bool{".gz": true, ".zst": true, ".lz4": true, ".bz2": true, ".xz": true, ".br": true}

// SkipKey is the extension under which Expansion.SkippedFiles counts a
// file name: the last extension, lower-cased, with the one before it when
// the last is a compression ("a.arc.gz" -> ".arc.gz", "a.warc.gz.bad" ->
// ".bad", "README" -> "(none)").
func SkipKey(name string) string {
	n := strings.ToLower(name)
	ext := filepath.Ext(n)
	if ext == "" || ext == n {
		return "(none)"
	}
	if compressionExts[ext] {
		if prev := filepath.Ext(strings.TrimSuffix(n, ext)); prev != "" && prev != strings.TrimSuffix(n, ext) {
			return prev + ext
		}
	}
	return ext
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// walk lists the known input files below dir, counting in ex the files
// it passes over and the output folders (and excluded folders) it does
// not enter.
// A walked folder that is itself a winnow output gives the shards of its
// documents/ folder only (its stats.json, rejects and side files are not
// documents).
func walk(dir string, excluded func(abs string) bool, ex *Expansion) ([]string, error) {
	var out []string
	if docs := filepath.Join(dir, "documents"); IsOutputDir(dir) {
		if fi, err := os.Stat(docs); err == nil && fi.IsDir() {
			dir = docs
		}
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("format: %w", err)
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			abs, err := filepath.Abs(p)
			if err == nil && excluded(abs) || p != dir && IsOutputDir(p) {
				ex.SkippedOutputs++
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if KindOf(d.Name()) != Unknown {
			out = append(out, p)
		} else {
			ex.SkippedFiles[SkipKey(d.Name())]++
		}
		return nil
	})
	return out, err
}

// glob is filepath.Glob with "**" standing for zero or more folders.
func glob(pattern string) ([]string, error) {
	if !strings.Contains(pattern, "**") {
		matches, err := filepath.Glob(pattern)
		if strings.HasPrefix(filepath.Base(pattern), ".") {
			return matches, err
		}
		var out []string
		for _, m := range matches {
			if !strings.HasPrefix(filepath.Base(m), ".") {
				out = append(out, m)
			}
		}
		return out, err
	}
	// Walk from the longest leading part without meta characters.
	parts := strings.Split(filepath.ToSlash(pattern), "/")
	i := 0
	for i < len(parts) && !hasMeta(parts[i]) {
		i++
	}
	root := filepath.FromSlash(strings.Join(parts[:i], "/"))
	if root == "" {
		root = "."
	}
	if strings.HasPrefix(pattern, "/") && i == 1 {
		root = "/"
	}
	rest := parts[i:]
	for _, p := range rest {
		if p != "**" && strings.Contains(p, "**") {
			return nil, errors.New("\"**\" must be a whole path element")
		}
		if _, err := filepath.Match(p, ""); err != nil {
			return nil, err
		}
	}
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return nil // no such root: nothing matches
			}
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return nil
		}
		if blob.MatchParts(rest, strings.Split(filepath.ToSlash(rel), "/")) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}
