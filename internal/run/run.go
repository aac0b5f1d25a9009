package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"winnow"
	"winnow/internal/blob"
	"winnow/internal/config"
	"winnow/internal/format"
	"winnow/internal/layout"
)

// Options configures one run.
type Options struct {
	// Inputs are files, folders or globs, expanded by Backend.Expand.
	Inputs []string
	// OutDir is the output folder; it is created when missing.
	OutDir string
	// OutURL, when set, is the s3:// or gs:// prefix that OutDir (then a
	// staging folder) is published to: like OutDir, nothing under it is
	// ever an input.
	OutURL string
	// Overwrite removes winnow's earlier output from OutDir first (see
	// ownedOutput: shards, stats.json, report, .run, .dedup), and no
	// other file. Without it a run into a folder that holds winnow output
	// fails, so stale shards are never mixed with new ones; unrelated
	// files in OutDir are allowed.
	Overwrite bool
	// Config is the pipeline config; nil means config.Default().
	Config *config.Config
	// Added is the RFC 3339 time written to documents that have no
	// "added" value. Empty means each input file's modification time in
	// UTC, so a re-run over the same input writes the same bytes.
	Added string
	// Progress receives progress output; nil means none. When it is a
	// terminal (an *os.File for which term.IsTerminal holds) a live bar is
	// drawn; otherwise one line is written every ProgressEvery.
	Progress io.Writer
	// ProgressEvery is the period of progress lines on a non-terminal;
	// 0 means 10 s.
	ProgressEvery time.Duration
	// Version is recorded in stats.json.
	Version string
	// Backend reads inputs and writes shards; nil means Files().
	Backend *Backend
	// NewPipeline builds one worker's pipeline; nil means
	// Config.NewPipeline. Tests and embedding programs use it to run
	// stages that are not in the registry.
	NewPipeline func() (winnow.Pipeline, error)
	// Observer, when set, sees every document the writer stores, in
	// output order (internal/report's Collector: the report's sample and
	// histograms). Its Write is called with OutDir after stats.json.
	Observer Observer
	// Resume continues the unfinished run that OutDir holds (killed,
	// cancelled or failed) from its last checkpoint, so that the output
	// ends up byte-identical to that of an uninterrupted run. The
	// arguments must give the same config, added time, inputs and rank
	// (an error says which differs). When OutDir holds no run, Resume
	// starts one. With an Observer, a resumed run re-reads and re-runs
	// the inputs from the start, writing nothing that is committed, so
	// that the observer sees every document (the report's sample stays
	// exact).
	Resume bool
	// Rank and WorldSize split the inputs among WorldSize processes
	// (WorldSize 0: a plain run into OutDir; WorldSize 1: one rank that
	// takes all, written like any rank). Rank r reads its share
	// (see share) and writes a complete output folder RankDir(OutDir, r);
	// Merge then moves every rank's shards into OutDir.
	Rank, WorldSize int

	// passStats is set by RunPhases when a dedup phase follows: the
	// per-document pass then writes its stats to .run/stats.json, and
	// OUTDIR/stats.json appears only when the whole run finished.
	passStats bool
}

// Observer watches a run's documents. Input is called on the reader
// goroutine for each document as read and returns a copy of what the
// observer wants to keep of it; Observe and Write are called on one
// other goroutine: Observe for every dropped and kept document, with
// what Input returned ("" when nothing), Write once at the end.
type Observer interface {
	Input(d *winnow.Doc) (string, bool)
	Observe(d *winnow.Doc, input string)
	Write(outDir string) error
}

// batch is the unit that moves between goroutines.
type batch struct {
	seq     int
	mark    mark // where the batch starts, for checkpoints
	marked  bool
	docs    []*winnow.Doc
	dropped []*winnow.Doc
	bad     []badRow               // bad records and unreadable inputs, in input order
	inputs  map[*winnow.Doc]string // Observer.Input copies, when observed
	// inputPos is the input consumed (counters.inputBytes) when the
	// reader handed the batch on: once the batch is written, the
	// documents before that point are done.
	inputPos int64
}

// badRow is a reject row that is not a document: a bad record, or an
// input that could not be read at all.
type badRow struct {
	*winnow.ParseError
	unreadable bool
}

func (b *batch) size() int { return len(b.docs) + len(b.bad) }

// counters are shared with the progress display; all else in a run is
// owned by one goroutine at a time.
type counters struct {
	filesDone  atomic.Int64
	filesTotal int64
	docsRead   atomic.Int64
	bytesDone  atomic.Int64 // sizes of the inputs read to the end
	bytesTotal int64
	current    atomic.Pointer[progresser] // the reader of the input being read
	start      time.Time
	// Written by the writer goroutine: documents stored (kept or
	// dropped) and the input position of the last batch it stored. The
	// progress percentage and ETA come from these, so they measure work
	// done, not input read ahead into the window of batches in flight.
	docsWritten  atomic.Int64
	bytesWritten atomic.Int64
}

// inputBytes is the input consumed so far, for progress and ETA.
func (c *counters) inputBytes() int64 {
	n := c.bytesDone.Load()
	if p := c.current.Load(); p != nil {
		n += (*p).InputBytes()
	}
	return n
}

// progresser is format.Progresser: bytes of the current file consumed.
// It must be safe to call from another goroutine.
type progresser interface{ InputBytes() int64 }

// skipper is format.Skipper: records skipped on purpose, by reason.
type skipper interface{ Skipped() map[string]int64 }

// Run reads opt.Inputs, runs every document through the configured
// pipeline and writes the output under opt.OutDir. It returns the run's
// statistics when the run finished, even if some inputs or records were
// unreadable (see Stats.Incomplete); it returns an error when the run is
// broken: a bad config, no input at all, an output that cannot be
// written, a stage error, or ctx cancelled.
func Run(ctx context.Context, opt Options) (*Stats, error) {
	start := time.Now()
	cfg := opt.Config
	if cfg == nil {
		cfg = config.Default()
	}
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if opt.OutDir == "" {
		return nil, errors.New("run: no output folder")
	}
	if opt.Added != "" {
		if _, err := time.Parse(time.RFC3339, opt.Added); err != nil {
			return nil, fmt.Errorf("run: added time %q is not RFC 3339", opt.Added)
		}
	}
	be := opt.Backend
	if be == nil {
		be = Files()
	}
	newPipeline := opt.NewPipeline
	if newPipeline == nil {
		newPipeline = cfg.NewPipeline
	}

	if err := checkRank(opt.Rank, opt.WorldSize); err != nil {
		return nil, err
	}
	outDir := opt.OutDir
	if opt.WorldSize > 0 {
		outDir = RankDir(opt.OutDir, opt.Rank)
	}

	files, unreadable, walked := expand(be, opt.Inputs, opt.OutDir, opt.OutURL)
	if len(files) == 0 {
		msgs := make([]error, 0, len(unreadable))
		for _, u := range unreadable {
			msgs = append(msgs, u.Err)
		}
		return nil, fmt.Errorf("run: no input to read: %w", errors.Join(msgs...))
	}
	sizes := make([]int64, len(files))
	for i, f := range files {
		if size, _, err := format.Stat(f); err == nil { // a file or an s3:// or gs:// object
			sizes[i] = size
		}
	}
	if opt.WorldSize > 1 {
		lo, hi := share(sizes, opt.Rank, opt.WorldSize)
		files, sizes = files[lo:hi], sizes[lo:hi]
		if opt.Rank != 0 {
			unreadable = nil // reported once, by rank 0
			walked = format.Expansion{}
		}
	}

	id := runID{Inputs: files, Added: opt.Added, Rank: opt.Rank, WorldSize: opt.WorldSize}
	for _, u := range unreadable {
		id.Unreadable = append(id.Unreadable, u.File)
	}
	var err error
	if id.Config, err = configHash(cfg, opt.Added); err != nil {
		return nil, err
	}
	ck, err := prepareRun(outDir, opt, id)
	if err != nil {
		return nil, err
	}
	// With an observer, a resumed run replays from the beginning and
	// writes only what follows the checkpoint.
	from := ck.Mark
	if opt.Observer != nil {
		from = mark{Pos: beginning}
	}

	cnt := &counters{filesTotal: int64(len(files)) + int64(len(unreadable)), start: start}
	for _, s := range sizes {
		cnt.bytesTotal += s
	}
	cnt.docsRead.Store(from.DocsRead)
	if from.Pos.File > 0 {
		cnt.filesDone.Store(int64(from.Pos.File))
		for _, s := range sizes[:from.Pos.File] {
			cnt.bytesDone.Add(s)
		}
	}
	cnt.bytesWritten.Store(cnt.bytesDone.Load())

	pipes := make([]winnow.Pipeline, cfg.Workers)
	closePipes := func() {
		for _, p := range pipes {
			p.Close()
		}
	}
	for i := range pipes {
		p, err := newPipeline()
		if err != nil {
			closePipes()
			return nil, err
		}
		pipes[i] = p
	}

	st, err := ck.restoreStats(opt.Version)
	if err != nil {
		closePipes()
		return nil, err
	}
	st.Inputs.Total = int(cnt.filesTotal)
	if len(walked.SkippedFiles) > 0 {
		st.Inputs.SkippedFiles = walked.SkippedFiles
	}
	st.Inputs.SkippedOutputs = walked.SkippedOutputs
	for _, s := range sizes {
		st.BytesIn += s
	}
	out, err := newSink(be, outDir, cfg.Output, ck, st)
	if err != nil {
		closePipes()
		return nil, err
	}

	stopProgress := startProgress(opt.Progress, opt.ProgressEvery, cnt)
	g, gctx := errgroup.WithContext(ctx)
	tokens := make(chan struct{}, cfg.MaxInFlight)
	in := make(chan *batch, cfg.MaxInFlight)
	done := make(chan *batch, cfg.MaxInFlight)

	rd := &reader{
		be: be, cfg: cfg, added: opt.Added, files: files, sizes: sizes,
		unreadable: unreadable, cnt: cnt, tokens: tokens, in: in,
		skipped: maps.Clone(from.Skipped), obs: opt.Observer, from: from.Pos, at: from.At,
	}
	if rd.skipped == nil {
		rd.skipped = map[string]int64{}
	}
	g.Go(func() error { defer close(in); return rd.run(gctx) })

	var wg sync.WaitGroup
	for _, p := range pipes {
		wg.Add(1)
		g.Go(func() error {
			defer wg.Done()
			return work(gctx, p, in, done)
		})
	}
	g.Go(func() error { wg.Wait(); close(done); return nil })
	g.Go(func() error {
		return writeOrdered(gctx, cfg.MaxInFlight, done, tokens, func(b *batch) error {
			if err := out.write(b); err != nil {
				return err
			}
			cnt.docsWritten.Add(int64(len(b.docs) + len(b.dropped)))
			cnt.bytesWritten.Store(b.inputPos)
			observe(opt.Observer, b)
			return nil
		})
	})

	runErr := g.Wait()
	stopProgress()
	if err := closePipeline(pipes); err != nil && runErr == nil {
		runErr = err
	}
	if err := out.close(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		if ctx.Err() != nil {
			// Interrupted: closing the writers renamed the open shards to
			// their final names, but they end mid-batch. Only what the last
			// checkpoint names stays; a resumed run writes the rest again.
			if ck, err := loadCheckpoint(outDir); err == nil && ck != nil {
				if err := ck.clean(outDir); err != nil {
					runErr = errors.Join(runErr, err)
				}
			}
		}
		return nil, runErr
	}

	for k, v := range rd.skipped {
		st.Skipped[k] += v
	}
	st.Documents.Read = cnt.docsRead.Load()
	st.BytesOut = out.bytesOut()
	st.Shards = out.shards()
	st.finish(time.Since(start))
	if st.Config, err = cfg.Map(); err != nil {
		return nil, err
	}
	statsPath := filepath.Join(outDir, "stats.json")
	if opt.passStats {
		statsPath = filepath.Join(outDir, runDir, passStatsFile)
	}
	if err := st.writeFile(statsPath); err != nil {
		return nil, err
	}
	if opt.Observer != nil {
		if err := opt.Observer.Write(outDir); err != nil {
			return nil, err
		}
	}
	if err := setFinished(outDir, finishedPass); err != nil {
		return nil, err
	}
	return st, nil
}

func closePipeline(pipes []winnow.Pipeline) error {
	var first error
	for _, p := range pipes {
		if err := p.Close(); err != nil && first == nil {
			first = fmt.Errorf("run: close stage: %w", err)
		}
	}
	return first
}

// expand resolves every argument on its own, so that one path that does
// not exist is reported and the others are still read. The files come
// back sorted, without repeats (two spellings of one file count once).
// Nothing in outDir is an input (with a Backend.ExpandWith); walked
// counts what folder walks passed over.
func expand(be *Backend, args []string, outDir, outURL string) (files []string, unreadable []badRow, walked format.Expansion) {
	seen := map[string]bool{}
	walked.SkippedFiles = map[string]int64{}
	for _, a := range args {
		var got []string
		var err error
		if be.ExpandWith != nil {
			var ex format.Expansion
			exclude := []string{outDir}
			if outURL != "" {
				exclude = append(exclude, outURL)
			}
			ex, err = be.ExpandWith([]string{a}, format.ExpandOptions{Exclude: exclude})
			got = ex.Files
			for k, v := range ex.SkippedFiles {
				walked.SkippedFiles[k] += v
			}
			walked.SkippedOutputs += ex.SkippedOutputs
		} else {
			got, err = be.Expand([]string{a})
		}
		name := blob.Plain(a)
		if err != nil {
			unreadable = append(unreadable, badRow{&winnow.ParseError{File: name, Offset: -1, Record: -1, Err: err}, true})
			continue
		}
		if len(got) == 0 {
			unreadable = append(unreadable, badRow{&winnow.ParseError{File: name, Offset: -1, Record: -1,
				Err: fmt.Errorf("run: %s: no input files", name)}, true})
			continue
		}
		for _, f := range got {
			key, err := filepath.Abs(f)
			if err != nil {
				key = f
			}
			if !seen[key] {
				seen[key] = true
				files = append(files, f)
			}
		}
	}
	sort.Strings(files)
	return files, unreadable, walked
}

// prepareRun readies dir for the run id and returns the checkpoint to go
// on from: a fresh one for a new run, the recorded one (after removing
// what was written past it) for a resumed run.
func prepareRun(dir string, opt Options, id runID) (*checkpoint, error) {
	old, err := loadCheckpoint(dir)
	if err != nil && !opt.Overwrite {
		return nil, err
	}
	if opt.Resume && old != nil {
		if err := old.matches(dir, id); err != nil {
			return nil, err
		}
		if old.Finished != finishedNone {
			return nil, fmt.Errorf("%w: %s", ErrFinished, dir)
		}
		// The resume writes only what follows the committed output: a
		// committed file that is gone or changed would be lost silently.
		if err := old.verify(dir); err != nil {
			return nil, err
		}
		// The committed output came from the input as it was: a changed
		// file would be resumed at an offset that means something else.
		if err := old.Mark.checkInput(id.Inputs); err != nil {
			return nil, err
		}
		if err := old.clean(dir); err != nil {
			return nil, err
		}
		return old, nil
	}
	if old != nil && old.Finished == finishedNone && !opt.Overwrite {
		return nil, fmt.Errorf("run: %s holds an unfinished run; continue it with --resume or start over with --overwrite", dir)
	}
	if old == nil && !opt.Overwrite {
		// The merged output of ranks has no checkpoint but a merge
		// record in .run, which clearRunDir would remove.
		if rec, _ := loadMergeRecord(dir); rec != nil {
			return nil, fmt.Errorf("run: %s holds the merged output of a --rank/--world-size run; a rank is resumed by rerunning its rank command; start over with --overwrite, or choose another folder", dir)
		}
	}
	if old == nil {
		// A run stopped before its first checkpoint wrote nothing else:
		// .run holds at most a temporary file (and the lock).
		if err := clearRunDir(dir); err != nil {
			return nil, err
		}
	}
	if err := prepareOut(dir, opt.Overwrite, opt.Resume); err != nil {
		return nil, err
	}
	ck := newCheckpoint(id)
	if err := ck.save(dir); err != nil {
		return nil, err
	}
	return ck, nil
}

// prepareOut creates dir. OUTDIR may hold files winnow did not write;
// it is refused only when it holds winnow output (ownedOutput), unless
// overwrite is set, in which case exactly that output is removed and
// nothing else.
//
// With resume (and no checkpoint, or the caller would not be here) the
// error says the output cannot be resumed rather than suggesting
// --resume.
func prepareOut(dir string, overwrite, resume bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	owned, err := ownedOutput(dir)
	if err != nil {
		return err
	}
	if len(owned) == 0 {
		return nil
	}
	if !overwrite {
		rel, _ := filepath.Rel(dir, owned[0])
		if resume {
			return fmt.Errorf("run: cannot resume %s: it holds output without a checkpoint to resume from (%s and %d more); start over with --overwrite, or choose another folder", dir, filepath.ToSlash(rel), len(owned)-1)
		}
		return fmt.Errorf("run: %s already holds output of a run (%s and %d more); start over with --overwrite, finish an interrupted run with --resume, or choose another folder", dir, filepath.ToSlash(rel), len(owned)-1)
	}
	for _, p := range owned {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("run: %w", err)
		}
	}
	// Folders left empty go too; a folder that still holds someone
	// else's file stays (os.Remove fails on it).
	for _, f := range []string{"side", "attributes"} {
		subs, _ := os.ReadDir(filepath.Join(dir, f))
		for _, e := range subs {
			if e.IsDir() {
				os.Remove(filepath.Join(dir, f, e.Name()))
			}
		}
	}
	for _, f := range []string{"documents", filepath.Join("rejects", "dedup"), "rejects", "side", "attributes", "report"} {
		os.Remove(filepath.Join(dir, f))
	}
	return nil
}

// isShardName reports whether name is that of a shard a run or a merge
// writes: "NNNNN.ext" or, after a merge, "RRRRR-NNNNN.ext".
func isShardName(name string) bool { return layout.IsShardName(name) }

// ownedNames are the entries of OUTDIR that only winnow writes, removed
// whole: stats.json, the report and the dedup phase's state (the run's
// state in .run is listed entry by entry: its lock file stays).
var ownedNames = []string{"stats.json", "report.html", ".dedup", "report/histograms.json", "report/sample.jsonl.zst"}

// ownedOutput lists, sorted, the output of winnow in dir: the entries in
// ownedNames, those of .run but its lock file, and the shard files (see isShardName, or temporary files
// starting with ".") in documents/, rejects/,
// rejects/dedup/, side/<key>/ and attributes/<set>/. Other files in those
// folders are not winnow's.
func ownedOutput(dir string) ([]string, error) {
	var out []string
	for _, n := range ownedNames {
		p := filepath.Join(dir, n)
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	state, _ := os.ReadDir(filepath.Join(dir, runDir))
	for _, e := range state {
		if e.Name() != lockFile {
			out = append(out, filepath.Join(dir, runDir, e.Name()))
		}
	}
	folders := []string{"documents", "rejects", filepath.Join("rejects", "dedup")}
	for _, parent := range []string{"side", "attributes"} {
		ents, _ := os.ReadDir(filepath.Join(dir, parent))
		for _, e := range ents {
			if e.IsDir() {
				folders = append(folders, filepath.Join(parent, e.Name()))
			}
		}
	}
	for _, f := range folders {
		ents, err := os.ReadDir(filepath.Join(dir, f))
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("run: %w", err)
		}
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			if isShardName(e.Name()) || strings.HasPrefix(e.Name(), ".") {
				out = append(out, filepath.Join(dir, f, e.Name()))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// reader turns the inputs into numbered batches.
type reader struct {
	be         *Backend
	cfg        *config.Config
	added      string
	files      []string
	sizes      []int64
	unreadable []badRow
	cnt        *counters
	tokens     chan struct{}
	in         chan<- *batch
	skipped    map[string]int64
	obs        Observer
	from       position          // where to start reading
	at         *format.SeekPoint // where to start reading file from.File, if set

	cur *batch
	seq int
	// Of the input being read: its reader, when it offers seek points,
	// and its size and modification time, recorded with them.
	seeker  format.Seeker
	size    int64
	modTime string
}

func (r *reader) run(ctx context.Context) error {
	r.cur = &batch{}
	first := 0
	if r.from.File < 0 {
		r.cur = &batch{bad: r.unreadable, mark: mark{Pos: beginning}, marked: true}
		r.cnt.filesDone.Add(int64(len(r.unreadable)))
	} else {
		first = r.from.File
	}
	for i := first; i < len(r.files); i++ {
		f := r.files[i]
		var skip int64
		if i == r.from.File {
			skip = r.from.Items
		}
		if err := r.readFile(ctx, i, f, skip); err != nil {
			return err
		}
		r.cnt.current.Store(nil)
		r.cnt.bytesDone.Add(r.sizes[i])
		r.cnt.filesDone.Add(1)
	}
	if r.cur.size() > 0 {
		return r.flush(ctx)
	}
	return nil
}

// flush hands the current batch to the workers once a token is free.
func (r *reader) flush(ctx context.Context) error {
	select {
	case r.tokens <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.cur.seq = r.seq
	r.cur.inputPos = r.cnt.inputBytes()
	r.seq++
	select {
	case r.in <- r.cur:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.cur = &batch{docs: make([]*winnow.Doc, 0, r.cfg.BatchSize)}
	return nil
}

// markAt records where the current batch starts when item (the number
// of records of input file read before it) is its first item.
//
// The mark records the input's size and modification time, so that a
// resume refuses an input that changed. When the item is a result of the
// input's reader (seekable) and that reader offers a seek point, the mark
// records it too, so that a resumed run can start reading there.
func (r *reader) markAt(file int, item int64, seekable bool) {
	if r.cur.marked {
		return
	}
	r.cur.marked = true
	r.cur.mark = mark{Pos: position{File: file, Items: item}, DocsRead: r.cnt.docsRead.Load(), Skipped: maps.Clone(r.skipped)}
	if r.modTime != "" {
		r.cur.mark.Size, r.cur.mark.ModTime = r.size, r.modTime
	}
	if !seekable || r.seeker == nil {
		return
	}
	if p, ok := r.seeker.SeekPoint(); ok && p.Items > 0 && p.Items <= item {
		r.cur.mark.At = &p
	}
}

// open opens input number idx for reading from its record skip on: at
// the resume point when there is one (it returns how many records lie
// before it), else at the start.
func (r *reader) open(idx int, path string, skip int64) (winnow.Reader, int64, error) {
	r.seeker = nil
	size, mt, err := format.Stat(path)
	seekable := err == nil && r.be.OpenAt != nil && !blob.IsURL(path)
	r.size, r.modTime = size, ""
	if err == nil {
		r.modTime = stamp(mt)
	}
	if seekable && skip > 0 && r.at != nil && idx == r.from.File {
		// prepareRun checked that the file is the one the point was taken
		// from. Should the reader still refuse the point, reading from the
		// start and passing over the records is always right.
		if rd, err := r.be.OpenAt(path, r.cfg.Input, *r.at); err == nil {
			r.seeker, _ = rd.(format.Seeker)
			return rd, r.at.Items, nil
		}
	}
	rd, err := r.be.Open(path, r.cfg.Input)
	if err != nil {
		return nil, 0, err
	}
	if seekable {
		r.seeker, _ = rd.(format.Seeker)
	}
	return rd, 0, nil
}

// readFile reads input number idx, path. The first skip records (documents
// and bad records) were written before the checkpoint a resumed run starts
// from: reading starts at the checkpoint's seek point when it has one,
// and the records from there to the checkpoint's (all of them, without a
// seek point) are read again and passed over.
func (r *reader) readFile(ctx context.Context, idx int, path string, skip int64) error {
	rd, records, err := r.open(idx, path, skip)
	defer func() { r.seeker = nil }()
	if err != nil {
		r.markAt(idx, 0, false)
		r.cur.bad = append(r.cur.bad, badRow{&winnow.ParseError{File: path, Offset: -1, Record: -1, Err: err}, true})
		return nil
	}
	defer rd.Close()
	if p, ok := rd.(progresser); ok {
		r.cnt.current.Store(&p)
	}
	source := r.cfg.Input.Source
	if source == "" {
		source = baseName(path)
	}
	added := r.added
	if added == "" {
		if _, mt, err := format.Stat(path); err == nil {
			added = mt.UTC().Format(time.RFC3339)
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, err := rd.Next()
		if err == io.EOF {
			break
		}
		if records < skip {
			var pe *winnow.ParseError
			if err == nil || errors.As(err, &pe) {
				records++
				continue
			}
		}
		if err != nil {
			var pe *winnow.ParseError
			r.markAt(idx, records, errors.As(err, &pe))
			if pe != nil {
				r.cur.bad = append(r.cur.bad, badRow{pe, false})
			} else {
				// The input cannot be read further: keep what was read, record
				// where it broke off, and go on with the next input.
				r.cur.bad = append(r.cur.bad, badRow{&winnow.ParseError{File: path, Offset: -1, Record: records, Err: err}, false})
			}
			if err := r.maybeFlush(ctx); err != nil {
				return err
			}
			if pe == nil {
				break
			}
			records++
			continue
		}
		r.markAt(idx, records, true)
		records++
		if d.Source == "" {
			d.Source = source
		}
		if d.Added == "" {
			d.Added = added
		}
		r.cur.docs = append(r.cur.docs, d)
		if r.obs != nil {
			if in, ok := r.obs.Input(d); ok {
				if r.cur.inputs == nil {
					r.cur.inputs = map[*winnow.Doc]string{}
				}
				r.cur.inputs[d] = in
			}
		}
		r.cnt.docsRead.Add(1)
		if err := r.maybeFlush(ctx); err != nil {
			return err
		}
	}
	if s, ok := rd.(skipper); ok {
		for k, v := range s.Skipped() {
			r.skipped[k] += v
		}
	}
	if err := rd.Close(); err != nil {
		r.markAt(idx, records, false)
		r.cur.bad = append(r.cur.bad, badRow{&winnow.ParseError{File: path, Offset: -1, Record: -1, Err: err}, false})
	}
	return nil
}

func (r *reader) maybeFlush(ctx context.Context) error {
	if r.cur.size() >= r.cfg.BatchSize {
		return r.flush(ctx)
	}
	return nil
}

// baseName is the file's name without folders and without extensions:
// "CC-MAIN-x.warc.gz" -> "CC-MAIN-x".
func baseName(path string) string {
	b := filepath.Base(path)
	if i := strings.IndexByte(b[1:], '.'); i >= 0 {
		b = b[:i+1]
	}
	return b
}

// work runs batches through one worker's pipeline.
func work(ctx context.Context, p winnow.Pipeline, in <-chan *batch, out chan<- *batch) error {
	for {
		var b *batch
		var ok bool
		select {
		case b, ok = <-in:
			if !ok {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := process(ctx, p, b); err != nil {
			return err
		}
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// process runs one batch, turning a stage panic into a broken run that
// names the batch's first document rather than a crash.
func process(ctx context.Context, p winnow.Pipeline, b *batch) (err error) {
	if len(b.docs) == 0 {
		return nil
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("run: stage panic in the batch starting at %v: %v\n%s", b.docs[0].Pos, v, debug.Stack())
		}
	}()
	first := b.docs[0].Pos
	kept, dropped, err := p.Process(ctx, b.docs, nil)
	if err != nil {
		return fmt.Errorf("run: batch starting at %v: %w", first, err)
	}
	b.docs, b.dropped = DropEmpty(kept, dropped)
	return nil
}

// Reason of the drop of a document that the pipeline left without text.
const (
	stageRun      = "run"
	ruleEmptyText = "empty_text"
)

// DropEmpty moves the documents whose text is empty or only white space
// (unicode.IsSpace) from kept to dropped, with reason run/empty_text: an
// empty document is never written as kept. Run applies it after the
// pipeline to every batch; other executors (the Beam mode) call it to
// match. kept is filtered in place. The detail says when the
// document still has a payload that no extract step turned into text (a
// WARC response run through a pipeline without extract).
func DropEmpty(kept, dropped []*winnow.Doc) ([]*winnow.Doc, []*winnow.Doc) {
	n := 0
	for _, d := range kept {
		if strings.TrimSpace(d.Text) != "" {
			kept[n] = d
			n++
			continue
		}
		detail := "the text is empty or only white space after the pipeline"
		if len(d.Payload) > 0 && d.Text == "" {
			detail = fmt.Sprintf("no extract step: the record's %d-byte payload was never converted to text", len(d.Payload))
		}
		d.SetDrop(stageRun, ruleEmptyText, 0, detail)
		dropped = append(dropped, d)
	}
	return kept[:n], dropped
}

// observe shows a written batch to obs: dropped documents first, then
// kept ones, as Stats.write stores them.
func observe(obs Observer, b *batch) {
	if obs == nil {
		return
	}
	for _, d := range b.dropped {
		obs.Observe(d, b.inputs[d])
	}
	for _, d := range b.docs {
		obs.Observe(d, b.inputs[d])
	}
	b.inputs = nil
}

// writeOrdered receives finished batches in any order and calls write on
// them in sequence order. A batch holds a token from the moment the reader
// sends it, so at most window batches are outstanding and their sequence
// numbers fall in [next, next+window): a ring of window slots holds them
// all without collisions.
func writeOrdered(ctx context.Context, window int, out <-chan *batch, tokens <-chan struct{}, write func(*batch) error) error {
	ring := make([]*batch, window)
	next := 0
	for {
		var b *batch
		var ok bool
		select {
		case b, ok = <-out:
		case <-ctx.Done():
			return ctx.Err()
		}
		if !ok {
			for _, x := range ring {
				if x != nil {
					return fmt.Errorf("run: batch %d never written", x.seq)
				}
			}
			return nil
		}
		slot := b.seq % window
		if ring[slot] != nil || b.seq < next || b.seq >= next+window {
			return fmt.Errorf("run: batch %d outside the window [%d, %d)", b.seq, next, next+window)
		}
		ring[slot] = b
		for ring[next%window] != nil {
			cur := ring[next%window]
			ring[next%window] = nil
			if err := write(cur); err != nil {
				return err
			}
			next++
			<-tokens
		}
	}
}
