package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"winnow/internal/config"
)

// sink is the writer goroutine's end of a run: it stores batches in
// order, counts them in the stats and writes a checkpoint each time the
// documents writer commits a shard. At that moment every reject row of
// the batch being written is already written (Stats order: bad records,
// dropped, kept), so the open rejects shard is committed too and a new
// rejects writer numbered after it takes over; the checkpoint then
// records the batch, its reject rows and the kept documents before the
// one that opened the new documents shard. Runs that are never
// interrupted go through the same commits, so a resumed run writes the
// same shards.
type sink struct {
	be     *Backend
	dir    string
	out    config.Output
	ck     *checkpoint // the last checkpoint written (or resumed from)
	st     *Stats
	docs   ShardWriter
	rej    RejectWriter
	docsAt int // number of the documents writer's first shard
	rejAt  int // number of the rejects writer's first shard
	passed bool
}

func newSink(be *Backend, dir string, out config.Output, ck *checkpoint, st *Stats) (*sink, error) {
	s := &sink{be: be, dir: dir, out: out, ck: ck, st: st, docsAt: ck.DocNext, rejAt: ck.RejectNext}
	var err error
	if s.docs, err = be.Documents(dir, out, ck.DocNext); err != nil {
		return nil, err
	}
	if s.rej, err = be.Rejects(dir, out, ck.RejectNext); err != nil {
		s.docs.Close()
		return nil, err
	}
	return s, nil
}

// write stores one batch: bad records and unreadable inputs first, in
// input order, then the dropped documents in the order stages dropped
// them, then the kept documents. A batch before the checkpoint's (a
// resumed run with an observer re-reads from the start) is not written;
// of the checkpoint's batch, the rows and documents already committed
// are passed over.
func (s *sink) write(b *batch) error {
	var skipR, skipD int64
	if !s.passed {
		c := b.mark.Pos.cmp(s.ck.Mark.Pos)
		if c < 0 {
			return nil
		}
		if c == 0 {
			skipR, skipD = s.ck.SkipRejects, s.ck.SkipDocs
		}
		s.passed = true
	}
	st := s.st
	var j int64
	for _, r := range b.bad {
		j++
		if j <= skipR {
			continue
		}
		if err := s.rej.WriteParseError(r.ParseError); err != nil {
			return fmt.Errorf("run: rejects: %w", err)
		}
		if r.unreadable {
			st.Inputs.Unreadable++
			st.Inputs.UnreadableFiles[r.File] = r.Err.Error()
			continue
		}
		st.Rejected.Total++
		st.Rejected.ByFile[r.File]++
	}
	for _, d := range b.dropped {
		j++
		if j <= skipR {
			continue
		}
		if err := s.rej.WriteDropped(d); err != nil {
			return fmt.Errorf("run: rejects: %w", err)
		}
		st.Documents.Dropped++
		st.Documents.DroppedByReason[d.Drop.Reason()]++
	}
	for k, d := range b.docs {
		if int64(k) < skipD {
			continue
		}
		n := len(s.docs.Shards())
		_, before := s.docs.Written()
		if err := s.docs.Write(d); err != nil {
			return fmt.Errorf("run: documents: %w", err)
		}
		if len(s.docs.Shards()) > n {
			if err := s.checkpoint(b.mark, j, int64(k), before); err != nil {
				return err
			}
		}
		st.Documents.Kept++
	}
	return nil
}

// checkpoint commits the rejects shard and records the output committed
// so far: batch m's first rejects reject rows and first docs kept
// documents, and committed bytes of document JSON in this writer.
func (s *sink) checkpoint(m mark, rejects, docs, committed int64) error {
	if err := s.rej.Close(); err != nil {
		return fmt.Errorf("run: rejects: %w", err)
	}
	rejShards := s.rej.Shards()
	docShards := s.docs.Shards()
	var err error
	if err = syncFiles(append(s.companions(docShards), rejShards...)); err != nil {
		return fmt.Errorf("run: checkpoint: %w", err)
	}
	ck := *s.ck
	if ck.Files, err = s.sizes(s.ck.Files, append(s.companions(docShards), rejShards...)); err != nil {
		return fmt.Errorf("run: checkpoint: %w", err)
	}
	ck.Mark = m
	ck.SkipRejects, ck.SkipDocs = rejects, docs
	ck.RejectNext = s.rejAt + len(rejShards)
	ck.DocNext = s.docsAt + len(docShards)
	ck.DocShards = append(s.ck.DocShards[:len(s.ck.DocShards):len(s.ck.DocShards)], s.rel(docShards)...)
	ck.BytesOut = s.ck.BytesOut + committed
	b, err := json.Marshal(s.st)
	if err != nil {
		return fmt.Errorf("run: checkpoint: %w", err)
	}
	ck.Stats = b
	if err := ck.save(s.dir); err != nil {
		return err
	}
	rej, err := s.be.Rejects(s.dir, s.out, ck.RejectNext)
	if err != nil {
		return err
	}
	s.rej, s.rejAt = rej, ck.RejectNext
	// The documents writer goes on: the checkpoint's shard lists are
	// kept relative to where it started.
	ck.DocShards = ck.DocShards[:len(s.ck.DocShards)]
	ck.BytesOut = s.ck.BytesOut
	ck.DocNext = s.docsAt
	s.ck = &ck
	return nil
}

// sizes returns a copy of prev with the on-disk size of each of paths
// (committed files under s.dir) added, keyed relative to s.dir. Files
// that do not exist (a backend that writes elsewhere) are left out.
func (s *sink) sizes(prev map[string]int64, paths []string) (map[string]int64, error) {
	out := make(map[string]int64, len(prev)+len(paths))
	maps.Copy(out, prev)
	for i, p := range paths {
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[s.rel(paths[i : i+1])[0]] = fi.Size()
	}
	return out, nil
}

// companions lists the committed document shards with their side and
// attribute files (same number, under side/<key>/ and attributes/<set>/).
func (s *sink) companions(shards []string) []string {
	var out []string
	for _, sh := range shards {
		out = append(out, sh)
		base := filepath.Base(sh)
		num, _, _ := strings.Cut(base, ".")
		for _, pat := range []string{filepath.Join(s.dir, "side", "*", num+".bin"), filepath.Join(s.dir, "attributes", "*", num+".*")} {
			m, _ := filepath.Glob(pat)
			out = append(out, m...)
		}
	}
	return out
}

func (s *sink) rel(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if r, err := filepath.Rel(s.dir, p); err == nil {
			p = filepath.ToSlash(r)
		}
		out = append(out, p)
	}
	return out
}

// close commits the open shards.
func (s *sink) close() error {
	var first error
	if err := s.docs.Close(); err != nil {
		first = fmt.Errorf("run: documents: %w", err)
	}
	if err := s.rej.Close(); err != nil && first == nil {
		first = fmt.Errorf("run: rejects: %w", err)
	}
	return first
}

// shards lists every committed document shard, relative to the output
// folder: those of earlier (resumed) segments, then this writer's.
func (s *sink) shards() []string {
	return append(append([]string{}, s.ck.DocShards...), s.rel(s.docs.Shards())...)
}

// bytesOut is the uncompressed JSON of every document written.
func (s *sink) bytesOut() int64 {
	_, b := s.docs.Written()
	return s.ck.BytesOut + b
}

// restoreStats returns the counts recorded in the checkpoint (none for a
// fresh run), with version set.
func (ck *checkpoint) restoreStats(version string) (*Stats, error) {
	st := newStats(version)
	if len(ck.Stats) == 0 {
		return st, nil
	}
	var old Stats
	if err := json.Unmarshal(ck.Stats, &old); err != nil {
		return nil, fmt.Errorf("run: checkpoint stats: %w", err)
	}
	st.Inputs.Unreadable = old.Inputs.Unreadable
	for k, v := range old.Inputs.UnreadableFiles {
		st.Inputs.UnreadableFiles[k] = v
	}
	st.Documents.Kept = old.Documents.Kept
	st.Documents.Dropped = old.Documents.Dropped
	for k, v := range old.Documents.DroppedByReason {
		st.Documents.DroppedByReason[k] = v
	}
	st.Rejected.Total = old.Rejected.Total
	for k, v := range old.Rejected.ByFile {
		st.Rejected.ByFile[k] = v
	}
	return st, nil
}
