package run

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"winnow/internal/config"
	"winnow/internal/format"
	"winnow/internal/layout"
)

// The checkpoint of a run lives in OUTDIR/.run/checkpoint.json. The
// writer goroutine rewrites it (temporary file, fsync, rename, fsync of
// the folder) each time the documents writer commits a shard, after it
// has also committed the open rejects shard, so that the file always
// describes output that is on disk under its final names:
//
//   - the batch at which a resumed run starts reading (an input and the
//     number of records of that input before the batch's first item, and,
//     for an input that can be entered in the middle, the seek point of
//     that record with the file's size and modification time),
//   - how many reject rows and kept documents of that batch are already
//     in committed shards,
//   - the next document and reject shard numbers, the committed document
//     shards and their bytes, and the run's counts up to that point,
//   - every committed file (document shards with their side and
//     attribute files, rejects shards) with its size on disk, which a
//     resume checks before it removes or runs anything.
//
// Batches are cut by count (config batch_size) from the resume point, so
// a resumed run forms the same batches, runs the same stages on them and
// writes the same bytes as a run that was never interrupted. Shards are
// numbered from the checkpoint on; shards numbered past it and temporary
// files are removed before the run goes on.
const (
	runDir         = ".run"
	checkpointFile = "checkpoint.json"
	// checkpointVer 2 added Files; a version 1 checkpoint is refused
	// (it cannot say which committed files a resume relies on).
	checkpointVer = 2
)

// Finished states of a checkpoint.
const (
	finishedNone = ""
	finishedPass = "pass" // the per-document pass wrote stats.json
	finishedDone = "done" // the whole run (with its dedup phase) finished
)

// ErrFinished is returned (wrapped) by RunPhases with Options.Resume when
// the output folder holds a run of the same config that finished: nothing
// is run again. The Stats returned with it are the finished run's.
var ErrFinished = errors.New("run: the run in the output folder already finished")

// position is where a batch starts: the index of the input file in the
// sorted input list and the number of records (documents and bad
// records) read from that file before the batch's first item. File -1 is
// the very beginning, before the rows of arguments that named nothing
// readable.
type position struct {
	File  int   `json:"file"`
	Items int64 `json:"items"`
}

func (p position) cmp(q position) int {
	if p.File != q.File {
		if p.File < q.File {
			return -1
		}
		return 1
	}
	switch {
	case p.Items < q.Items:
		return -1
	case p.Items > q.Items:
		return 1
	}
	return 0
}

var beginning = position{File: -1}

// mark is what the reader knew when it started a batch.
type mark struct {
	Pos position `json:"pos"`
	// DocsRead counts the documents read before the batch.
	DocsRead int64 `json:"docs_read"`
	// Skipped counts records skipped on purpose in the inputs before
	// Pos.File (those of the input at Pos are counted again by reading
	// it, or restored from At.Skipped).
	Skipped map[string]int64 `json:"skipped,omitempty"`
	// At, when set, is where a resumed run starts reading the input at
	// Pos instead of at its start: a seek point (internal/format) at or
	// before the batch's first item, which is At.Items - Pos.Items items
	// further on. Set only for inputs that can be entered in the middle
	// (format.Seeker): a WARC file compressed per record, an uncompressed
	// WARC or JSONL file.
	At *format.SeekPoint `json:"at,omitempty"`
	// Size and ModTime are those of the input at Pos when the batch
	// started (bytes; RFC 3339 with nanoseconds, UTC; for an object, its
	// size and modification time in seconds). A resume refuses an input
	// that differs whenever part of it is committed (Pos.Items > 0),
	// whether it seeks into the input or reads it again from its start:
	// either way the output would mix two contents of one file.
	Size    int64  `json:"size,omitempty"`
	ModTime string `json:"mod_time,omitempty"`
}

// checkInput says whether the input at m.Pos is still the file that the
// committed output read part of: an error naming the file when its size
// or modification time changed (or it is gone).
func (m mark) checkInput(files []string) error {
	if m.At != nil && (m.Pos.File < 0 || m.Pos.File >= len(files) || m.At.Items > m.Pos.Items) {
		return fmt.Errorf("run: checkpoint: bad resume point %+v", m.Pos)
	}
	if m.ModTime == "" || m.Pos.Items == 0 {
		return nil // nothing of the input at Pos is committed
	}
	if m.Pos.File < 0 || m.Pos.File >= len(files) {
		return fmt.Errorf("run: checkpoint: bad resume point %+v", m.Pos)
	}
	path := files[m.Pos.File]
	size, mt, err := format.Stat(path)
	if err != nil {
		return fmt.Errorf("run: cannot resume: %w", err)
	}
	if now := stamp(mt); size != m.Size || now != m.ModTime {
		return fmt.Errorf("run: cannot resume: input %s changed since the checkpoint (%d bytes modified %s then, %d bytes modified %s now); restore it or start over with --overwrite",
			path, m.Size, m.ModTime, size, now)
	}
	return nil
}

// stamp is how a modification time is recorded in a checkpoint.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// runID says which run an output folder holds; a resume must match it.
type runID struct {
	// Config is configHash of the config and the added time; Added is the
	// added time alone, so that a refusal can say which differs.
	Config     string   `json:"config"`
	Added      string   `json:"added,omitempty"`
	Inputs     []string `json:"inputs"`
	Unreadable []string `json:"unreadable,omitempty"`
	Rank       int      `json:"rank"`
	WorldSize  int      `json:"world_size"`
}

type checkpoint struct {
	Version  int    `json:"version"`
	Finished string `json:"finished,omitempty"`
	runID
	Mark        mark  `json:"mark"`
	SkipRejects int64 `json:"skip_rejects"`
	SkipDocs    int64 `json:"skip_docs"`
	DocNext     int   `json:"doc_next"`
	RejectNext  int   `json:"reject_next"`
	// DocShards are the committed document shards, relative to OUTDIR.
	DocShards []string `json:"doc_shards"`
	// BytesOut is the uncompressed JSON in DocShards.
	BytesOut int64 `json:"bytes_out"`
	// Stats holds the counts of the committed output.
	Stats json.RawMessage `json:"stats,omitempty"`
	// Files maps every committed file the resume relies on (document
	// shards, their side and attribute files, rejects shards), relative to
	// OUTDIR with forward slashes, to its size on disk in bytes.
	Files map[string]int64 `json:"files,omitempty"`
}

// verify checks that every committed file of the checkpoint is in dir
// with its recorded size: an error naming the first (in name order) that
// is missing or changed. It reads no file's content.
func (ck *checkpoint) verify(dir string) error {
	for _, rel := range slices.Sorted(maps.Keys(ck.Files)) {
		want := ck.Files[rel]
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			return fmt.Errorf("run: %s: checkpoint names a file outside the folder: %q", dir, rel)
		}
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
		switch {
		case errors.Is(err, os.ErrNotExist):
			return fmt.Errorf("run: cannot resume %s: committed file %s is missing; restore it or start over with --overwrite", dir, rel)
		case err != nil:
			return fmt.Errorf("run: cannot resume %s: %w", dir, err)
		case fi.Size() != want:
			return fmt.Errorf("run: cannot resume %s: committed file %s has %d bytes, the checkpoint recorded %d; restore it or start over with --overwrite", dir, rel, fi.Size(), want)
		}
	}
	return nil
}

func newCheckpoint(id runID) *checkpoint {
	return &checkpoint{Version: checkpointVer, runID: id, Mark: mark{Pos: beginning}, DocShards: []string{}}
}

// configHash identifies what decides a run's output bytes: the config
// without the settings that do not (workers, max_in_flight) and the
// added time.
func configHash(cfg *config.Config, added string) (string, error) {
	m, err := cfg.Map()
	if err != nil {
		return "", err
	}
	delete(m, "workers")
	delete(m, "max_in_flight")
	b, err := json.Marshal(map[string]any{"config": m, "added": added})
	if err != nil {
		return "", fmt.Errorf("run: %w", err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16]), nil
}

// matches explains how an output folder's run differs from id: the
// first of rank and world size, --added, config (by hash), inputs
// (the first file that differs) that does.
func (ck *checkpoint) matches(dir string, id runID) error {
	if ck.Version != checkpointVer {
		return fmt.Errorf("run: %s: checkpoint version %d, want %d; start over with --overwrite", dir, ck.Version, checkpointVer)
	}
	if what := ck.differs(id, true); what != "" {
		return fmt.Errorf("run: %s holds another run: %s; resume it with the same arguments, or start over with --overwrite", dir, what)
	}
	return nil
}

// differs names what of id differs from the checkpoint's run, "" when
// nothing does. Inputs are compared when inputs is set.
func (ck *checkpoint) differs(id runID, inputs bool) string {
	switch {
	case ck.Rank != id.Rank || ck.WorldSize != id.WorldSize:
		return fmt.Sprintf("rank %d of %d then, rank %d of %d now", ck.Rank, ck.WorldSize, id.Rank, id.WorldSize)
	case ck.Added != id.Added:
		return fmt.Sprintf("--added differs (%s then, %s now)", orNone(ck.Added), orNone(id.Added))
	case ck.Config != id.Config:
		return fmt.Sprintf("config differs (sha %s then, %s now)", ck.Config, id.Config)
	case !inputs:
		return ""
	}
	if d := firstDiff(ck.Inputs, id.Inputs); d != "" {
		return fmt.Sprintf("inputs differ (%d files then, %d now): %s", len(ck.Inputs), len(id.Inputs), d)
	}
	if d := firstDiff(ck.Unreadable, id.Unreadable); d != "" {
		return fmt.Sprintf("unreadable inputs differ (%d then, %d now): %s", len(ck.Unreadable), len(id.Unreadable), d)
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// firstDiff names the first position where the sorted lists a (then)
// and b (now) differ, "" when they are equal.
func firstDiff(a, b []string) string {
	for i := range max(len(a), len(b)) {
		switch {
		case i >= len(a):
			return fmt.Sprintf("file %d is %s now, none then", i+1, b[i])
		case i >= len(b):
			return fmt.Sprintf("file %d was %s then, none now", i+1, a[i])
		case a[i] != b[i]:
			return fmt.Sprintf("file %d was %s then, %s now", i+1, a[i], b[i])
		}
	}
	return ""
}

// loadCheckpoint reads dir's checkpoint; nil, nil when there is none.
func loadCheckpoint(dir string) (*checkpoint, error) {
	b, err := os.ReadFile(filepath.Join(dir, runDir, checkpointFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	ck := &checkpoint{}
	if err := json.Unmarshal(b, ck); err != nil {
		return nil, fmt.Errorf("run: %s: %w", filepath.Join(dir, runDir, checkpointFile), err)
	}
	return ck, nil
}

// save writes the checkpoint atomically and durably.
func (ck *checkpoint) save(dir string) error {
	b, err := json.MarshalIndent(ck, "", " ")
	if err != nil {
		return fmt.Errorf("run: checkpoint: %w", err)
	}
	rd := filepath.Join(dir, runDir)
	if err := os.MkdirAll(rd, 0o755); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if err := writeSynced(filepath.Join(rd, checkpointFile), append(b, '\n')); err != nil {
		return fmt.Errorf("run: checkpoint: %w", err)
	}
	return nil
}

// writeSynced writes b to path through a synced temporary file, renames
// it and syncs the folder, so a crash leaves the old or the new file.
func writeSynced(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncFiles fsyncs committed files and their folders before a
// checkpoint names them; files that do not exist are passed over.
func syncFiles(paths []string) error {
	dirs := map[string]bool{}
	for _, p := range paths {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
		dirs[filepath.Dir(p)] = true
	}
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// shardIndex is the number NNNNN of a shard file "NNNNN.ext"; false for
// other names.
func shardIndex(name string) (int, bool) { return layout.ShardIndex(name) }

// clean removes what a run wrote after its checkpoint: temporary files,
// shards numbered from DocNext (documents, side, attributes) or
// RejectNext (rejects), stats.json, the report and dedup state.
func (ck *checkpoint) clean(dir string) error {
	for _, p := range []string{"stats.json", filepath.Join(runDir, passStatsFile), "report", "report.html", ".dedup", filepath.Join("rejects", "dedup")} {
		if err := os.RemoveAll(filepath.Join(dir, p)); err != nil {
			return fmt.Errorf("run: %w", err)
		}
	}
	if err := removeTemps(dir); err != nil {
		return err
	}
	folders := map[string]int{filepath.Join(dir, "documents"): ck.DocNext, filepath.Join(dir, "rejects"): ck.RejectNext}
	for _, parent := range []string{"side", "attributes"} {
		ents, _ := os.ReadDir(filepath.Join(dir, parent))
		for _, e := range ents {
			if e.IsDir() {
				folders[filepath.Join(dir, parent, e.Name())] = ck.DocNext
			}
		}
	}
	for folder, next := range folders {
		ents, err := os.ReadDir(folder)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			n, ok := shardIndex(e.Name())
			if strings.HasPrefix(e.Name(), ".") || (ok && n >= next) {
				if err := os.Remove(filepath.Join(folder, e.Name())); err != nil {
					return fmt.Errorf("run: %w", err)
				}
			}
		}
	}
	return nil
}

// setFinished records a finished state in dir's checkpoint.
func setFinished(dir, state string) error {
	ck, err := loadCheckpoint(dir)
	if err != nil || ck == nil {
		return err
	}
	ck.Finished = state
	return ck.save(dir)
}

// removeTemps removes the temporary files that an atomic write of
// stats.json or of the checkpoint leaves when the process is killed.
func removeTemps(dir string) error {
	for _, pat := range []string{filepath.Join(dir, ".stats-*.json"), filepath.Join(dir, runDir, ".stats-*.json"), filepath.Join(dir, runDir, "."+checkpointFile+"-*")} {
		m, _ := filepath.Glob(pat)
		for _, p := range m {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("run: %w", err)
			}
		}
	}
	return nil
}
