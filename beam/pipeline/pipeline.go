package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/transforms/stats"

	"winnow"
	"winnow/internal/blob"
	"winnow/internal/config"
	"winnow/internal/format"
	"winnow/internal/run"
)

// Options configures one Beam run of a winnow pipeline.
type Options struct {
	// Inputs are files, folders or globs, or s3:// and gs:// URLs (an
	// object, a prefix or a glob), as for `winnow run`. They are expanded
	// when the pipeline is built, on the launching machine, into a sorted
	// list without repeats; every worker must see the files under the
	// same names (object URLs are the same everywhere). A URL's query
	// (the driver's parameters, such as endpoint) goes with each object
	// it names to the workers.
	Inputs []string
	// OutDir is the output folder, or an s3:// or gs:// key prefix (with
	// the driver's query parameters, if any). Workers write shards into
	// it and the last step writes stats.json, so on a cluster a local
	// folder must be one every worker shares. For a prefix each writer
	// writes into a worker-local temporary folder and uploads its files
	// under the prefix; stats.json goes up after every other file.
	OutDir string
	// Overwrite removes earlier output: documents/, rejects/,
	// attributes/, side/, .dedup/, .run/ (but its lock file) and
	// stats.json of a folder, the objects of a run's output under a
	// prefix (internal/layout.Owned; stats.json first). The removal is
	// the job's first step, when the runner runs the job (Build removes
	// nothing). Without it a folder or a prefix holding output is
	// refused by Build.
	Overwrite bool
	// Config is the YAML text of the pipeline config, ConfigName its name
	// in error messages. Empty Config means config.Default().
	Config     []byte
	ConfigName string
	// Added is the RFC 3339 time given to documents without an "added"
	// value; empty means each input file's modification time in UTC, as
	// in `winnow run`.
	Added string
}

// loadConfig parses the config of opt, or the default one.
func loadConfig(name string, data []byte) (*config.Config, error) {
	if len(data) == 0 {
		return config.Default(), nil
	}
	return config.Parse(name, data)
}

// expandInputs resolves every argument on its own, as `winnow run` does:
// the files come back sorted without repeats, and an argument that names
// nothing readable is returned in unreadable with its reason. walked
// sums what folder walks passed over (format.Expansion's SkippedFiles
// and SkippedOutputs), for stats.json.
//
// An object URL comes back with the query of its argument, so that a
// worker in another process reaches the same endpoint; files are sorted
// and told apart by the URL without its query.
func expandInputs(args []string, exclude ...string) (files []string, unreadable map[string]string, walked format.Expansion) {
	unreadable = map[string]string{}
	walked.SkippedFiles = map[string]int64{}
	seen := map[string]bool{}
	for _, a := range args {
		ex, err := format.ExpandWith([]string{a}, format.ExpandOptions{Exclude: exclude})
		got := ex.Files
		// as winnow run: what a walk passed over counts even when the
		// argument then names no input
		for k, v := range ex.SkippedFiles {
			walked.SkippedFiles[k] += v
		}
		walked.SkippedOutputs += ex.SkippedOutputs
		if err != nil {
			unreadable[displayName(a)] = err.Error() // an object URL without its query
			continue
		}
		if len(got) == 0 {
			unreadable[displayName(a)] = fmt.Sprintf("pipeline: %s: no input files", displayName(a))
			continue
		}
		for _, f := range got {
			key := f
			if blob.IsURL(f) {
				f = withQuery(f, a)
			} else if abs, err := filepath.Abs(f); err == nil {
				key = abs
			}
			if !seen[key] {
				seen[key] = true
				files = append(files, f)
			}
		}
	}
	slices.SortFunc(files, func(a, b string) int { return strings.Compare(displayName(a), displayName(b)) })
	return files, unreadable, walked
}

// outputs are the names this pipeline writes under OutDir.
//
// The names of `winnow run`'s output that this pipeline does not write
// (attributes/, side/, .run/, .dedup/) are included: left beside new
// documents they would describe other documents (stand-off attributes,
// a resumable dedup phase), so they count as earlier output and
// --overwrite removes them.
var outputs = []string{"documents", "rejects", "attributes", "side", ".run", ".dedup", "stats.json"}

// checkOut checks the output when the job is built, removing nothing:
// without overwrite a folder holding any of outputs, or a prefix holding
// any object, is refused. A local folder is created.
func checkOut(ctx context.Context, dir string, overwrite bool) error {
	if blob.IsURL(dir) {
		o, err := blob.PrepareOutput(ctx, dir, "", overwrite)
		if err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		return o.Close()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	if overwrite {
		return nil
	}
	for _, name := range outputs {
		if name == ".run" && onlyLock(filepath.Join(dir, name)) {
			continue // the advisory lock of winnow run stays in place
		}
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return fmt.Errorf("pipeline: %s already holds output (%s); choose another folder or give --overwrite", dir, name)
		}
	}
	return nil
}

// onlyLock reports whether the folder runDir holds nothing but the lock
// file of run.Lock (or does not exist).
func onlyLock(runDir string) bool {
	ents, err := os.ReadDir(runDir)
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	for _, e := range ents {
		if e.Name() != "lock" {
			return false
		}
	}
	return true
}

// clearOut removes earlier output under dir: the objects of a run's
// output under a prefix (internal/layout.Owned), stats.json first; outputs of a folder, stats.json first, but
// not the lock file in .run (held by the launcher for the whole job;
// removing it would let another process lock a new file).
func clearOut(ctx context.Context, dir string) error {
	if blob.IsURL(dir) {
		return prepareURLOut(ctx, dir, true)
	}
	if err := os.Remove(filepath.Join(dir, "stats.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pipeline: %w", err)
	}
	for _, name := range outputs {
		p := filepath.Join(dir, name)
		if name == ".run" {
			ents, err := os.ReadDir(p)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("pipeline: %w", err)
			}
			for _, e := range ents {
				if e.Name() == "lock" {
					continue
				}
				if err := os.RemoveAll(filepath.Join(p, e.Name())); err != nil {
					return fmt.Errorf("pipeline: %w", err)
				}
			}
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
	}
	return nil
}

// Build adds the winnow pipeline to the scope s:
//
//	input files ─▶ readFn (one element per file: batches of documents)
//	            ─▶ stageFn (the configured winnow.Stage values, unchanged,
//	               then run.DropEmpty)
//	            ─▶ kept documents keyed by order key
//	[minhash step]  ─▶ bucketFn: (exact hash | band j hash, node)
//	                ─▶ GroupByKey ─▶ edgeFn: star edges per bucket
//	                [verify_jaccard] band edges as candidate pairs ─▶
//	                   pairRefsFn ─▶ CoGroupByKey with the documents ─▶
//	                   shinglesFn ─▶ GroupByKey by pair ─▶ verifyFn
//	                ─▶ GroupByKey on one key ─▶ componentsFn: union-find,
//	                   survivor by the policy, rule per member
//	                ─▶ CoGroupByKey with rankFn's per-file ranks (+ file
//	                   counts as side input) ─▶ assignFn: cluster id =
//	                   ordinal of the component's smallest member
//	                ─▶ CoGroupByKey with the documents ─▶ dropDuplicatesFn
//	                [lines.enabled] lineRefsFn: (line hash, rank) ─▶
//	                   GroupByKey ─▶ lineOwnersFn: removals ─▶
//	                   CoGroupByKey with the documents ─▶ removeLinesFn
//	            ─▶ GroupByKey by input file ─▶ writeFn (documents shards)
//	bad records, dropped documents ─▶ GroupByKey by input file ─▶
//	            writeRejectsFn (rejects/, rejects/dedup/)
//	counts of every step ─▶ SumPerKey ─▶ GroupByKey on one key ─▶ statsFn
//
// The config is checked, the inputs expanded and the output folder
// prepared before Build returns; an error says what is wrong and nothing
// is added to s.
func Build(s beam.Scope, opt Options) error {
	cfg, err := loadConfig(opt.ConfigName, opt.Config)
	if err != nil {
		return err
	}
	if err := cfg.Check(); err != nil {
		return err
	}
	if cfg.Output.Format != "" && cfg.Output.Format != "jsonl" {
		return fmt.Errorf("pipeline: output.format %s is not supported on beam: documents are written as JSONL shards (winnow run writes %s)", cfg.Output.Format, cfg.Output.Format)
	}
	// every option of the minhash step is implemented
	dc, hasDedup := run.DedupConfig(cfg)
	if opt.OutDir == "" {
		return errors.New("pipeline: no output folder")
	}
	opt.OutDir = outWithQuery(opt.OutDir, opt.Inputs)
	if err := needCloud(opt); err != nil {
		return err
	}
	if opt.Added != "" {
		if _, err := time.Parse(time.RFC3339, opt.Added); err != nil {
			return fmt.Errorf("pipeline: added time %q is not RFC 3339", opt.Added)
		}
	}
	// Building every stage once here reports a config that parses but
	// cannot run (a missing model file) before any worker starts.
	p, err := cfg.NewPipeline()
	if err != nil {
		return err
	}
	if err := p.Close(); err != nil {
		return err
	}
	// nothing inside the output folder or prefix is an input
	files, unreadable, walked := expandInputs(opt.Inputs, opt.OutDir)
	if len(files) == 0 {
		msgs := make([]string, 0, len(unreadable))
		for _, m := range unreadable {
			msgs = append(msgs, m)
		}
		sort.Strings(msgs)
		return fmt.Errorf("pipeline: no input to read: %s", strings.Join(msgs, "; "))
	}
	// Only checked here: with Overwrite the earlier output is removed
	// by the job's first step (prepareFn), once the runner runs it, so
	// that a job the runner refuses leaves it in place.
	if err := checkOut(context.Background(), opt.OutDir, opt.Overwrite); err != nil {
		return err
	}
	outDir := opt.OutDir
	if !blob.IsURL(outDir) {
		if outDir, err = filepath.Abs(opt.OutDir); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
	}
	cfgText := string(opt.Config)

	tasks := make([]string, len(files))
	for i, f := range files {
		tasks[i] = strconv.Itoa(i) + "\t" + f
	}
	initial := []string{countKey(cInputs) + "\t" + strconv.Itoa(len(files)+len(unreadable))}
	if hasDedup {
		// the dedup section of stats.json has every field, even at 0
		for _, f := range dedupFields {
			initial = append(initial, countKey(cDedup, f)+"\t0")
		}
	}
	for a, msg := range unreadable {
		initial = append(initial, countKey(cUnreadable, a, msg)+"\t1")
	}
	for ext, n := range walked.SkippedFiles {
		initial = append(initial, countKey(cSkippedFiles, ext)+"\t"+strconv.FormatInt(n, 10))
	}
	if walked.SkippedOutputs > 0 {
		initial = append(initial, countKey(cSkippedOutputs)+"\t"+strconv.FormatInt(walked.SkippedOutputs, 10))
	}
	sort.Strings(initial)

	s = s.Scope("winnow")
	// Every writer waits for ready, the one element of the step that
	// removes earlier output (with Overwrite) when the job runs.
	ready := beam.SideInput{Input: beam.ParDo(s.Scope("prepare"), &prepareFn{OutDir: outDir, Overwrite: opt.Overwrite}, beam.Impulse(s))}
	batches, readRejects, readCounts := beam.ParDo3(s.Scope("read"), &readFn{Config: cfgText, ConfigName: opt.ConfigName, Added: opt.Added},
		beam.CreateList(s, tasks))
	kept, stageRejects, stageCounts := beam.ParDo3(s.Scope("stages"), &stageFn{Config: cfgText, ConfigName: opt.ConfigName}, batches)
	countCols := []beam.PCollection{beam.ParDo(s, parseCountFn, beam.CreateList(s, initial)), readCounts, stageCounts}
	rejectCols := []beam.PCollection{readRejects, stageRejects}
	if len(unreadable) > 0 {
		// arguments that name nothing: rows after those of every file,
		// as if each were one more input file
		args := slices.Sorted(maps.Keys(unreadable))
		rows := make([][]byte, len(args))
		for i, a := range args {
			idx := int64(len(files) + i)
			b, err := encodeReject(badReject(idx, orderKey(idx, 0), &winnow.ParseError{File: a, Offset: -1, Record: -1, Err: errors.New(unreadable[a])}))
			if err != nil {
				return err
			}
			rows[i] = b
		}
		rejectCols = append(rejectCols, beam.CreateList(s, rows))
	}
	// The rejects writers count their shards (counts stats.json leaves
	// out) so that the stats step waits for them: stats.json is written
	// last.
	writeRejects := func(sub string, cols ...beam.PCollection) {
		byFile := beam.ParDo(s, keyRejectFn, beam.Flatten(s, cols...))
		countCols = append(countCols, beam.ParDo(s.Scope("write "+sub), &writeRejectsFn{OutDir: outDir, Sub: sub, Config: cfgText, ConfigName: opt.ConfigName},
			beam.GroupByKey(s, byFile), ready))
	}
	writeRejects("rejects", rejectCols...)

	if hasDedup {
		ds := s.Scope("dedup")
		verify := dc.Verify > 0
		buckets := beam.ParDo(ds, &bucketFn{Exact: dc.Exact, Near: dc.Near, Survivor: dc.Survivor, WithExact: dc.Exact}, kept)
		edges, pairs, edgeCounts := beam.ParDo3(ds, &edgeFn{Exact: dc.Exact, Verify: verify}, beam.GroupByKey(ds, buckets))
		countCols = append(countCols, edgeCounts)
		if verify {
			vs := ds.Scope("verify")
			refs := beam.ParDo(vs, pairRefsFn, pairs)
			sets := beam.ParDo(vs, &shinglesFn{MinHash: dc.MinHash}, beam.CoGroupByKey(vs, kept, refs))
			verified, verifyCounts := beam.ParDo2(vs, &verifyFn{Threshold: dc.Verify}, beam.GroupByKey(vs, sets))
			edges = beam.Flatten(ds, edges, verified)
			countCols = append(countCols, verifyCounts)
		}
		members, compCounts := beam.ParDo2(ds, &componentsFn{Survivor: dc.Survivor}, beam.GroupByKey(ds, edges))
		countCols = append(countCols, compCounts)
		ranks, fileCounts := beam.ParDo2(ds, rankFn, beam.GroupByKey(ds, beam.ParDo(ds, keyFileFn, kept)))
		decisions := beam.ParDo(ds, &assignFn{}, beam.CoGroupByKey(ds, ranks, members), beam.SideInput{Input: fileCounts})
		var dedupRejects, dedupCounts beam.PCollection
		kept, dedupRejects, dedupCounts = beam.ParDo3(ds, &dropDuplicatesFn{TagOnly: dc.TagOnly, CountKept: !dc.Lines.Enabled},
			beam.CoGroupByKey(ds, kept, decisions))
		countCols = append(countCols, dedupCounts)
		if dc.Lines.Enabled {
			// repeated lines, over the documents document dedup kept
			// (all of them, tag_only), as dedup.Run's lines phase
			ls := ds.Scope("lines")
			refs := beam.ParDo(ls, &lineRefsFn{Survivor: dc.Survivor}, kept)
			removals := beam.ParDo(ls, lineOwnersFn, beam.GroupByKey(ls, refs))
			var lineRejects, lineCounts beam.PCollection
			kept, lineRejects, lineCounts = beam.ParDo3(ls, &removeLinesFn{Config: cfgText, ConfigName: opt.ConfigName, TagOnly: dc.TagOnly},
				beam.CoGroupByKey(ls, kept, removals))
			countCols = append(countCols, lineCounts)
			dedupRejects = beam.Flatten(ds, dedupRejects, lineRejects)
		}
		writeRejects("rejects/dedup", dedupRejects)
	}

	byFile := beam.ParDo(s, byFileFn, kept)
	writeCounts := beam.ParDo(s.Scope("write"), &writeFn{OutDir: outDir, Config: cfgText, ConfigName: opt.ConfigName},
		beam.GroupByKey(s, byFile), ready)
	countCols = append(countCols, writeCounts)

	sums := stats.SumPerKey(s, beam.Flatten(s, countCols...))
	beam.ParDo0(s.Scope("stats"), &statsFn{OutDir: outDir, Config: cfgText, ConfigName: opt.ConfigName},
		beam.GroupByKey(s, beam.ParDo(s, toOneKeyFn, sums)), ready)
	return nil
}

// LockOut takes, for a local output folder dir (created if missing), the
// advisory lock that `winnow run` takes on its OUTDIR: run.Lock on
// dir/.run/lock, exclusive, so that two jobs, or a job and a winnow run,
// never write one folder at once. The caller holds it until the job has
// finished. For an s3:// or gs:// prefix there is no lock: it returns a
// nil *run.DirLock, whose Unlock does nothing. Errors: *run.InUseError
// (wrapped) naming the holder's pid and start time, I/O errors.
func LockOut(dir string) (*run.DirLock, error) {
	if dir == "" {
		return nil, errors.New("pipeline: no output folder")
	}
	if blob.IsURL(dir) {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	l, err := run.Lock(dir, false)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	return l, nil
}

// Run builds the pipeline and runs it on the named runner ("prism",
// "direct", "flink", "spark", "dataflow", or any runner registered with
// beam.RegisterRunner by an import of its package). It returns when the
// runner reports the job done; the result is in opt.OutDir. A local
// OutDir is locked (LockOut) from before the job is built until Run
// returns.
func Run(ctx context.Context, runner string, opt Options) error {
	lock, err := LockOut(opt.OutDir)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	p, s := beam.NewPipelineWithRoot()
	if err := Build(s, opt); err != nil {
		return err
	}
	if _, err := beam.Run(ctx, runner, p); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	return nil
}
