package format

import (
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
	var (
		files []string
		errs  []error
		seen  = map[string]bool{}
	)
	add := func(p string) {
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = p
		}
		if !seen[abs] {
			seen[abs] = true
			files = append(files, p)
		}
	}
	for _, arg := range args {
		if blob.IsURL(arg) {
			urls, err := expandURL(arg)
			if err != nil {
				errs = append(errs, err)
			}
			for _, u := range urls {
				if !seen[u] {
					seen[u] = true
					files = append(files, u)
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
				add(m)
				continue
			}
			found, err := walk(m)
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
	sort.Strings(files)
	return files, errors.Join(errs...)
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// walk lists the known input files below dir.
func walk(dir string) ([]string, error) {
	var out []string
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
		if d.Type().IsRegular() && KindOf(d.Name()) != Unknown {
			out = append(out, p)
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
		if matchParts(rest, strings.Split(filepath.ToSlash(rel), "/")) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// matchParts matches path elements against pattern elements, "**"
// matching any number of elements.
func matchParts(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for k := 0; k <= len(name); k++ {
				if k > 0 && strings.HasPrefix(name[k-1], ".") {
					return false // "**" does not enter hidden folders
				}
				if matchParts(pat[1:], name[k:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if strings.HasPrefix(name[0], ".") && !strings.HasPrefix(pat[0], ".") {
			return false
		}
		if ok, _ := filepath.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
