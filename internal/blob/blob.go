// Package blob reads a run's inputs from, and writes its outputs to,
// object storage: Amazon S3 and S3-compatible servers (s3://bucket/key)
// and Google Cloud Storage (gs://bucket/key), through gocloud.dev/blob.
//
// The drivers are compiled in only with the build tag "cloud" (go build
// -tags cloud): they add about 52 MB to the binary (35 MB without them,
// 87 MB with s3blob and gcsblob; s3blob alone adds 20 MB). Without the
// tag, IsURL and Parse still work and every operation on an object
// returns an error that says how to build with the drivers.
//
// Credentials and endpoints come from the standard places that
// gocloud.dev's drivers read:
//
//   - s3: the AWS SDK's environment and files (AWS_ACCESS_KEY_ID,
//     AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL,
//     ~/.aws/config) and the URL query parameters of gocloud.dev's
//     s3blob, such as endpoint, region, use_path_style=true,
//     disable_https=true, anonymous=true (gocloud.dev/aws
//     V2ConfigFromURLParams and s3blob.URLOpener);
//   - gs: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS)
//     or an emulator named by STORAGE_EMULATOR_HOST, and gcsblob's query
//     parameters (anonymous=true, ...). Without credentials, a gs://
//     operation fails naming the URL and where credentials come from;
//     anonymous=true (a public bucket) needs none.
//
// Query parameters are a property of the bucket, not of the object: once
// a URL with a query has been seen for a bucket (by Expand, Open, Stat,
// Upload or PrepareOutput), later URLs of the same bucket without a query
// use the same parameters, for the life of the process. So Expand returns
// plain object URLs ("s3://bucket/in/a.warc.gz"), whose last path element
// is the object's base name, and Open still reaches the right endpoint
// with them.
//
// Everything streams: Open hands out the object's body as it arrives,
// Upload copies a local file in parts; no object is held in memory whole.
// The package starts no goroutine of its own (the S3 driver uploads the
// parts of one object concurrently).
package blob

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
)

// Schemes are the URL schemes IsURL accepts.
var Schemes = []string{"s3", "gs"}

// IsURL reports whether s names a bucket or object in object storage: it
// starts with "s3://" or "gs://" (the scheme in any case) followed by a
// bucket name.
func IsURL(s string) bool {
	i := strings.Index(s, "://")
	if i <= 0 || len(s) == i+3 || s[i+3] == '/' {
		return false
	}
	scheme := strings.ToLower(s[:i])
	for _, sc := range Schemes {
		if scheme == sc {
			return true
		}
	}
	return false
}

// Location is a parsed object URL: the bucket (scheme, name and the
// driver's query parameters) and the object key or key prefix.
type Location struct {
	Scheme string // "s3" or "gs"
	Bucket string
	Key    string // without a leading "/"; may be empty (the whole bucket)
	Query  string // raw query, the driver's parameters; empty when none
}

// Parse splits an object URL into its parts. The key is the URL's path
// without the leading "/", percent-decoded. It fails when s is not an
// s3:// or gs:// URL with a bucket, or has a user or a fragment.
func Parse(s string) (Location, error) {
	if !IsURL(s) {
		return Location{}, fmt.Errorf("blob: %s: not an s3:// or gs:// URL", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return Location{}, fmt.Errorf("blob: %w", err)
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" {
		return Location{}, fmt.Errorf("blob: %s: want scheme://bucket/key", s)
	}
	return Location{
		Scheme: strings.ToLower(u.Scheme),
		Bucket: u.Host,
		Key:    strings.TrimPrefix(u.Path, "/"),
		Query:  u.RawQuery,
	}, nil
}

// String is the object URL without the query: scheme://bucket/key.
func (l Location) String() string {
	return l.Scheme + "://" + l.Bucket + "/" + l.Key
}

// at is l with another key.
func (l Location) at(key string) Location {
	l.Key = key
	return l
}

// bucketURL is what gocloud.dev opens: scheme://bucket?query, the query
// being l's own or the one remembered for the bucket.
func (l Location) bucketURL() string {
	q := l.Query
	if q == "" {
		q = params.get(l.Scheme + "://" + l.Bucket)
	}
	u := l.Scheme + "://" + l.Bucket
	if q != "" {
		u += "?" + q
	}
	return u
}

// params remembers the query parameters seen for each bucket.
var params = &paramStore{m: map[string]string{}}

type paramStore struct {
	mu sync.Mutex
	m  map[string]string
}

func (p *paramStore) get(bucket string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[bucket]
}

func (p *paramStore) remember(l Location) {
	if l.Query == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.m[l.Scheme+"://"+l.Bucket] = l.Query
}

// parse is Parse plus remembering the bucket's query parameters.
func parse(rawURL string) (Location, error) {
	l, err := Parse(rawURL)
	if err == nil {
		params.remember(l)
	}
	return l, err
}

// Plain returns s without its query when s is an object URL (the name
// documents, errors and stats carry: the bucket's driver parameters, which
// Remember keeps, may hold endpoints or tokens); any other s as it is.
func Plain(s string) string {
	if !IsURL(s) {
		return s
	}
	if l, err := Parse(s); err == nil {
		return l.String()
	}
	return s
}

// Remember records the query parameters of each URL among args for its
// bucket, as any operation on the URL would, so that a URL of the same
// bucket without a query, used first, reaches the same endpoint. Other
// arguments are ignored.
func Remember(args ...string) {
	for _, a := range args {
		if IsURL(a) {
			parse(a) // an error is reported when the URL is used
		}
	}
}

// ErrNotExist is wrapped by the errors of Open, OpenRange and Stat for an
// object that does not exist; errors.Is also matches os.ErrNotExist.
var ErrNotExist = fmt.Errorf("blob: %w", os.ErrNotExist)

// Open opens the object at rawURL for reading from its start and returns
// its body and its size in bytes. The body streams from the server. The
// error names the URL and wraps ErrNotExist when there is no such object.
func Open(ctx context.Context, rawURL string) (io.ReadCloser, int64, error) {
	return OpenRange(ctx, rawURL, 0)
}

// OpenRange is Open from byte offset on (a ranged GET), so that reading
// can go on after an interruption; size is the whole object's. An offset
// at or past the end gives an empty body.
func OpenRange(ctx context.Context, rawURL string, offset int64) (body io.ReadCloser, size int64, err error) {
	l, err := parse(rawURL)
	if err != nil {
		return nil, 0, err
	}
	if offset < 0 {
		return nil, 0, fmt.Errorf("blob: %s: negative offset %d", l, offset)
	}
	if l.Key == "" || strings.HasSuffix(l.Key, "/") {
		return nil, 0, fmt.Errorf("blob: %s: not an object", l)
	}
	return openRange(ctx, l, offset)
}

// ReaderAt reads byte ranges of one object: each ReadAt is one ranged GET
// of at most len(p) bytes. It is safe for concurrent use. Close releases
// the connection to the bucket; calling it twice is safe.
type ReaderAt interface {
	io.ReaderAt
	io.Closer
}

// OpenReaderAt opens the object at rawURL for random access, as a
// columnar format (Parquet) needs, and returns its size in bytes. ReadAt
// past the size returns io.EOF; a ReadAt that finds the object shorter
// than that size (it was replaced) fails naming the URL and the byte
// range. The error of OpenReaderAt names the URL and wraps ErrNotExist
// when there is no such object.
func OpenReaderAt(ctx context.Context, rawURL string) (ReaderAt, int64, error) {
	l, err := parse(rawURL)
	if err != nil {
		return nil, 0, err
	}
	if l.Key == "" || strings.HasSuffix(l.Key, "/") {
		return nil, 0, fmt.Errorf("blob: %s: not an object", l)
	}
	return openReaderAt(ctx, l)
}

// Info is what Stat says about an object.
type Info struct {
	Size    int64 // bytes
	ModTime int64 // seconds since the Unix epoch
}

// Stat returns the size and modification time of the object at rawURL.
func Stat(ctx context.Context, rawURL string) (Info, error) {
	l, err := parse(rawURL)
	if err != nil {
		return Info{}, err
	}
	return stat(ctx, l)
}

// Expand lists the objects that one URL names, as sorted plain object
// URLs (no query; see the package doc). The URL is
//   - an object key: that object, whatever its name;
//   - a "folder": a key that ends in "/", the bucket alone, or a key that
//     is no object: every object below it, at any depth, whose base name
//     keep accepts;
//   - a glob in the key (path.Match syntax per "/"-separated element,
//     plus "**" for any number of elements, as in
//     "s3://b/crawl/**/*.warc.gz"): every object whose key matches,
//     whatever its name, and every object below a matched folder whose
//     base name keep accepts (as a shell's glob, then a folder walk).
//
// As in internal/format, a wildcard or a folder listing does not take an
// element that starts with "." (unless the pattern element does). A nil
// keep accepts every name. A URL that names nothing is an error naming
// the URL.
func Expand(ctx context.Context, rawURL string, keep func(name string) bool) ([]string, error) {
	ex, err := ExpandWith(ctx, rawURL, ExpandOptions{Keep: keep})
	return ex.URLs, err
}

// ExpandOptions refines ExpandWith.
type ExpandOptions struct {
	// Keep is Expand's keep: the base names a folder listing takes
	// (nil: all).
	Keep func(name string) bool
	// Exclude lists plain URL prefixes ("s3://b/out/", no query) whose
	// objects are never listed, even when named: a run's own output.
	Exclude []string
	// SkipKey, when set, names the counter of Expansion.Skipped under
	// which a folder listing counts an object whose name Keep refuses.
	SkipKey func(name string) string
	// SkipOutputs makes a folder listing treat winnow outputs as a run's
	// input walk does (see ExpandWith); without it every object is
	// listed, as Expand does.
	SkipOutputs bool
}

// Expansion is what ExpandWith found.
type Expansion struct {
	URLs []string
	// Skipped counts, by SkipKey, the objects a folder listing passed
	// over because Keep refused their names.
	Skipped map[string]int64
	// SkippedOutputs counts the "folders" a listing did not enter: an
	// excluded prefix, or one below the listed folder that holds a
	// winnow output (a ".run/" folder, or "stats.json" beside a
	// "documents/" folder), whose stats.json, rejects and side files
	// are no documents and whose shards an earlier run already counted.
	SkippedOutputs int64
}

// ExpandWith is Expand with exclusions and counts. With SkipOutputs, as
// internal/format.ExpandWith does for local folders, a listed folder that
// is itself a winnow output gives the objects of its "documents/" only,
// and the folders below it that are outputs are skipped and counted.
func ExpandWith(ctx context.Context, rawURL string, opt ExpandOptions) (Expansion, error) {
	ex := Expansion{Skipped: map[string]int64{}}
	l, err := parse(rawURL)
	if err != nil {
		return ex, err
	}
	keep := opt.Keep
	if keep == nil {
		keep = func(string) bool { return true }
	}
	excluded := func(key string) (string, bool) {
		u := l.at(key).String()
		for _, e := range opt.Exclude {
			if strings.HasPrefix(u, e) {
				return e, true
			}
		}
		return "", false
	}
	skippedDirs := map[string]bool{}
	// take lists key, an object below the listed folder root (a key
	// prefix ending in "/", or "" for the bucket), when a folder walk
	// would; outs are the output folders among the listed keys.
	take := func(root, key string, outs map[string]bool) {
		if outs[root] {
			root += "documents/"
		}
		rel, ok := strings.CutPrefix(key, root)
		if !ok || hidden(strings.Split(rel, "/")) {
			return
		}
		if e, ok := excluded(key); ok {
			skippedDirs[e] = true
			return
		}
		if d := outputBelow(root, key, outs); d != "" {
			skippedDirs[d] = true
			return
		}
		if keep(path.Base(key)) {
			ex.URLs = append(ex.URLs, l.at(key).String())
		} else if opt.SkipKey != nil {
			ex.Skipped[opt.SkipKey(path.Base(key))]++
		}
	}
	// why says what a listing that found nothing passed over.
	why := func() string {
		if len(skippedDirs) == 0 {
			return ""
		}
		return fmt.Sprintf(" (%d folders skipped: the run's own output, or earlier winnow outputs)", len(skippedDirs))
	}
	if !hasMeta(l.Key) {
		if l.Key != "" && !strings.HasSuffix(l.Key, "/") {
			ok, err := exists(ctx, l)
			if err != nil {
				return ex, err
			}
			if ok {
				if e, ok := excluded(l.Key); ok {
					return ex, fmt.Errorf("blob: %s: inside the run's output %s, never an input", l, e)
				}
				ex.URLs = []string{l.at(l.Key).String()}
				return ex, nil
			}
		}
		prefix := l.Key
		if prefix != "" && !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		keys, err := listKeys(ctx, l, prefix)
		if err != nil {
			return ex, err
		}
		outs := outputDirs(keys, opt.SkipOutputs)
		for _, key := range keys {
			take(prefix, key, outs)
		}
		ex.SkippedOutputs = int64(len(skippedDirs))
		if len(ex.URLs) == 0 {
			return ex, fmt.Errorf("blob: %s: no such object, and no input object below it%s", l, why())
		}
		return ex, nil
	}
	pat := strings.Split(l.Key, "/")
	for _, p := range pat {
		if p != "**" && strings.Contains(p, "**") {
			return ex, fmt.Errorf("blob: %s: \"**\" must be a whole path element", l)
		}
		if _, err := path.Match(p, ""); err != nil {
			return ex, fmt.Errorf("blob: %s: %w", l, err)
		}
	}
	// List from the longest leading part without meta characters.
	keys, err := listKeys(ctx, l, l.Key[:strings.IndexAny(l.Key, "*?[")])
	if err != nil {
		return ex, err
	}
	outs := outputDirs(keys, opt.SkipOutputs)
	for _, key := range keys {
		name := strings.Split(key, "/")
		for k := len(name); k >= 1; k-- {
			if !MatchParts(pat, name[:k]) {
				continue
			}
			// k == len(name): the object itself matched; else a folder did.
			if k == len(name) {
				// named by the pattern itself: taken, as a shell glob
				// takes a file, unless inside the run's output, or an
				// earlier output's file other than a document shard
				if e, ok := excluded(key); ok {
					skippedDirs[e] = true
				} else if d, ok := outsideDocuments(key, outs); ok {
					skippedDirs[d] = true
				} else {
					ex.URLs = append(ex.URLs, l.at(key).String())
				}
			} else {
				take(strings.Join(name[:k], "/")+"/", key, outs) // below a matched folder
			}
			break
		}
	}
	ex.SkippedOutputs = int64(len(skippedDirs))
	if len(ex.URLs) == 0 {
		return ex, fmt.Errorf("blob: %s: no object matches%s", l, why())
	}
	slices.Sort(ex.URLs) // each key is taken once at most
	return ex, nil
}

// outputDirs returns the key prefixes (ending in "/", or "" for the
// bucket) among keys that hold a winnow output: a ".run/" folder, or
// "stats.json" beside a "documents/" folder; none unless on.
func outputDirs(keys []string, on bool) map[string]bool {
	if !on {
		return nil
	}
	dirs := map[string]bool{}
	stats := map[string]bool{}
	out := map[string]bool{}
	for _, k := range keys {
		for i := 0; i < len(k); i++ {
			if k[i] != '/' {
				continue
			}
			d := k[:i+1]
			dirs[d] = true
			if base := path.Base(d); base == ".run" {
				out[d[:len(d)-len(".run/")]] = true
			}
		}
		if path.Base(k) == "stats.json" {
			stats[k[:len(k)-len("stats.json")]] = true
		}
	}
	for d := range stats {
		if dirs[d+"documents/"] {
			out[d] = true
		}
	}
	return out
}

// outsideDocuments returns the output folder (see outputDirs) that holds
// key other than in its documents/ folder: stats.json, rejects, side and
// attribute files of an earlier run are no documents.
func outsideDocuments(key string, outs map[string]bool) (string, bool) {
	if len(outs) == 0 {
		return "", false
	}
	for i := len(key) - 1; i >= -1; i-- {
		if i >= 0 && key[i] != '/' {
			continue
		}
		d := key[:i+1] // "" for the bucket
		if outs[d] {
			return d, !strings.HasPrefix(key, d+"documents/")
		}
	}
	return "", false
}

// outputBelow returns the first output folder (see outputDirs) on the
// way from root down to key, root itself excepted; "" when none.
func outputBelow(root, key string, outs map[string]bool) string {
	for i := len(root); i < len(key); i++ {
		if key[i] == '/' {
			if d := key[:i+1]; d != root && outs[d] {
				return d
			}
		}
	}
	return ""
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// hidden reports whether any element starts with ".".
func hidden(elems []string) bool {
	for _, e := range elems {
		if strings.HasPrefix(e, ".") {
			return true
		}
	}
	return false
}

// MatchParts matches slash-separated elements (of a key or of a local
// path) against pattern elements, each matched with path.Match, "**"
// matching any number of elements; as in a shell, a wildcard does not
// match an element that starts with ".".
func MatchParts(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for k := 0; k <= len(name); k++ {
				if k > 0 && strings.HasPrefix(name[k-1], ".") {
					return false
				}
				if MatchParts(pat[1:], name[k:]) {
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
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// Upload copies the local file at localPath to the object at rawURL,
// streaming it (in parts, for S3). The object appears only when the copy
// is complete; a failed upload leaves no object behind.
func Upload(ctx context.Context, localPath, rawURL string) error {
	l, err := parse(rawURL)
	if err != nil {
		return err
	}
	if l.Key == "" || strings.HasSuffix(l.Key, "/") {
		return fmt.Errorf("blob: %s: not an object key", l)
	}
	return upload(ctx, l, localPath)
}
