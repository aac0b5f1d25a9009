package dedup

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"winnow"
	"winnow/internal/format/jsonl"
)

// stage writes the new shards under .dedup/stage/{documents,side/<key>,
// rejects/dedup}, mirroring OUTDIR, with the shard writer and reject
// writer of internal/format/jsonl. Shard NNNNN keeps its number; its
// rejects go to rejects/dedup/NNNNN.jsonl.zst, one row per dropped
// document with reason dedup/<rule> and detail "cluster <id>".
//
// The shards are staged by r.workers goroutines (0: GOMAXPROCS), one
// shard at a time each, with its own readers and writers: memory grows
// with the workers, not with the shards. A shard's first ordinal is the
// number of rows in the side/minhash files of the shards before it
// (counted first, in parallel); its worker finds its records in
// decisions.bin and lines.bin by binary search. Every file is written by
// one worker from the same inputs, so the output does not depend on the
// number of workers. The first error cancels the other workers and is
// returned; the next run removes what they staged.
func (r *runner) stage() error {
	stage := r.path("stage")
	if err := os.RemoveAll(stage); err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	shards, err := shardNames(r.dir)
	if err != nil {
		return err
	}
	keys, err := sideKeys(r.dir)
	if err != nil {
		return err
	}
	workers := r.workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	counts, err := r.countSideRows(shards, workers)
	if err != nil {
		return err
	}
	firsts := make([]uint32, len(shards))
	var total uint64
	for i, n := range counts {
		firsts[i] = uint32(total)
		total += uint64(n)
		if total > math.MaxUint32 {
			return errors.New("dedup: more than 2^32-1 documents")
		}
	}
	got := make([]shardCounts, len(shards))
	err = forEachShard(r.ctx, len(shards), workers, func(ctx context.Context, i int) error {
		c, err := r.stageShard(ctx, stage, shards[i], keys, firsts[i])
		if err != nil {
			return err
		}
		if c.docs != counts[i] {
			// the side files of every key, minhash among them, were
			// checked against the shard; this holds unless side/ changed
			return fmt.Errorf("dedup: documents/%s%s holds %d documents, side/%s/%s.bin %d rows", shards[i], docExt, c.docs, SideMinHash, shards[i], counts[i])
		}
		got[i] = c
		return nil
	})
	if err != nil {
		return err
	}
	r.res.Kept, r.res.LinesRemoved, r.res.EmptiedDocuments, r.res.BytesOut = 0, 0, 0, 0
	var docs int64
	for _, c := range got {
		docs += c.docs
		r.res.Kept += c.kept
		r.res.LinesRemoved += c.linesRemoved
		r.res.EmptiedDocuments += c.emptied
		r.res.BytesOut += c.bytesOut
	}
	if docs != r.res.Documents {
		return fmt.Errorf("dedup: the shards hold %d documents, the side files %d", docs, r.res.Documents)
	}
	return nil
}

// forEachShard calls fn(ctx, i) for i in [0, n) on at most workers
// goroutines, handing out indices in increasing order. The first error
// cancels ctx for the other calls, no new call starts, and it is
// returned once every goroutine has finished; so is the error of a
// cancelled parent ctx.
func forEachShard(parent context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		//winnow:goroutine the rewrite is a phase of its own, not a stage: it stages shards on Options.Workers goroutines
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err) // only the first cause is kept
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return parent.Err()
}

// countSideRows returns the number of rows of side/minhash/<shard>.bin
// for every shard, read by up to workers goroutines; the minhash stage
// writes one row per document, so this is each shard's document count.
func (r *runner) countSideRows(shards []string, workers int) ([]int64, error) {
	counts := make([]int64, len(shards))
	err := forEachShard(r.ctx, len(shards), workers, func(_ context.Context, i int) error {
		p := filepath.Join(r.dir, "side", SideMinHash, shards[i]+".bin")
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("dedup: %s is missing: the run must end with the %q stage", p, StageName)
		}
		n, err := countRows(p)
		counts[i] = n
		return err
	})
	return counts, err
}

// countRows counts the rows (uvarint length + bytes) of a side file
// without keeping them. A truncated row is an error naming the file.
func countRows(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("dedup: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	var n int64
	for {
		size, err := binary.ReadUvarint(br)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, fmt.Errorf("dedup: %s: %w", path, err)
		}
		if size > 1<<30 {
			return 0, fmt.Errorf("dedup: %s: side row of %d bytes", path, size)
		}
		if d, err := br.Discard(int(size)); err != nil {
			if d < int(size) {
				err = io.ErrUnexpectedEOF
			}
			return 0, fmt.Errorf("dedup: %s: %w", path, err)
		}
		n++
	}
}

func sideKeys(dir string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(dir, "side"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	var keys []string
	for _, e := range ents {
		if e.IsDir() {
			keys = append(keys, e.Name())
		}
	}
	return keys, nil
}

// shardCounts is what staging one shard did.
type shardCounts struct {
	docs, kept, linesRemoved, emptied, bytesOut int64
}

// stageShard stages shard sh, whose first document has ordinal first: it
// reads the shard, its side rows, and the records of decisions.bin (and
// lines.bin) from the first one with an ordinal >= first, and writes the
// staged shard, side files and rejects under stage.
func (r *runner) stageShard(ctx context.Context, stage, sh string, keys []string, first uint32) (shardCounts, error) {
	var c shardCounts
	dec, err := openRecStreamAt(r.path("decisions.bin"), first)
	if err != nil {
		return c, err
	}
	defer dec.f.Close()
	var rm *recStream
	if r.cfg.Lines.Enabled {
		if rm, err = openRecStreamAt(r.path("lines.bin"), first); err != nil {
			return c, err
		}
		defer rm.f.Close()
	}
	dr, err := openDocs(filepath.Join(r.dir, "documents", sh+docExt))
	if err != nil {
		return c, err
	}
	defer dr.close()
	sides := make([]*sideReader, len(keys))
	for i, k := range keys {
		if sides[i], err = openSide(filepath.Join(r.dir, "side", k, sh+".bin")); err != nil {
			return c, err
		}
		defer sides[i].close()
	}
	index, err := strconv.Atoi(sh)
	if err != nil {
		return c, fmt.Errorf("dedup: shard name %q is not a number", sh)
	}
	shardOpts := jsonl.ShardOptions{FirstIndex: index, MaxShardBytes: math.MaxInt64, SideDir: filepath.Join(stage, "side")}
	out, err := jsonl.NewShardWriter(filepath.Join(stage, "documents"), shardOpts)
	if err != nil {
		return c, fmt.Errorf("dedup: %w", err)
	}
	defer out.Close()
	var rej *jsonl.RejectWriter
	remove := map[uint64]bool{}
	var lineBuf []byte
	ord := first
	for {
		if c.docs%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return c, context.Cause(ctx)
			}
		}
		d, err := dr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return c, err
		}
		rows := make([][]byte, len(keys))
		for i := range sides {
			row, err := sides[i].next()
			if err != nil {
				if err == io.EOF {
					err = fmt.Errorf("dedup: side/%s/%s.bin has fewer rows than the shard", keys[i], sh)
				}
				return c, err
			}
			rows[i] = bytes.Clone(row)
		}
		// the decision for this ordinal, if clustered
		var drop *winnow.Drop
		if x, ok := dec.peek(); ok && uint32(x.A) == ord {
			dc := decisionOf(x)
			if err := dec.advance(); err != nil {
				return c, err
			}
			d.SetAttr(AttrClusterID, int64(dc.cluster))
			d.SetAttr(AttrClusterSize, int64(dc.size))
			d.SetAttr(AttrIsDuplicate, dc.dup)
			if dc.dup && !r.cfg.TagOnly {
				rule := RuleNear
				if dc.exact {
					rule = RuleExact
				}
				drop = &winnow.Drop{Stage: "dedup", Rule: rule, Detail: fmt.Sprintf("cluster %d", dc.cluster)}
			}
		}
		// repeated lines
		clear(remove)
		for rm != nil {
			x, ok := rm.peek()
			if !ok || uint32(x.A) != ord {
				break
			}
			remove[x.B] = true
			if err := rm.advance(); err != nil {
				return c, err
			}
		}
		if drop == nil && len(remove) > 0 {
			text, n := removeLines(d.Text, remove, r.cfg.Lines.MinLength, &lineBuf)
			c.linesRemoved += int64(n)
			if r.cfg.TagOnly {
				d.SetAttr(AttrRepeatedLines, int64(n))
			} else {
				d.Text = text
				if strings.TrimSpace(text) == "" {
					drop = &winnow.Drop{Stage: "dedup", Rule: RuleRepeatedLines, Detail: "every line was seen in an earlier document"}
					c.emptied++
				}
			}
		}
		ord++
		c.docs++
		if drop != nil {
			if rej == nil {
				if rej, err = jsonl.NewRejectWriter(filepath.Join(stage, "rejects", "dedup"), jsonl.ShardOptions{FirstIndex: index, MaxShardBytes: math.MaxInt64}); err != nil {
					return c, fmt.Errorf("dedup: %w", err)
				}
				defer rej.Close()
			}
			d.Drop = drop
			// where the document was: its row in the output shard,
			// relative to OUTDIR so that the rejects do not depend on
			// where OUTDIR lies
			d.Pos.File = filepath.Join("documents", sh+docExt)
			d.Pos.Offset = -1
			if err := rej.WriteDropped(d); err != nil {
				return c, fmt.Errorf("dedup: %w", err)
			}
			continue
		}
		c.kept++
		d.Side = make(map[string][]byte, len(keys))
		for i, k := range keys {
			d.Side[k] = rows[i]
		}
		if err := out.Write(d); err != nil {
			return c, fmt.Errorf("dedup: %w", err)
		}
	}
	for i := range sides {
		if _, err := sides[i].next(); err != io.EOF {
			if err == nil {
				err = fmt.Errorf("dedup: side/%s/%s.bin has more rows than the shard", keys[i], sh)
			}
			return c, err
		}
	}
	if rej != nil {
		if err := rej.Close(); err != nil {
			return c, fmt.Errorf("dedup: %w", err)
		}
	}
	if err := out.Close(); err != nil {
		return c, fmt.Errorf("dedup: %w", err)
	}
	_, c.bytesOut = out.Written()
	if len(out.Shards()) > 0 {
		return c, nil
	}
	// Every document was dropped: keep the shard number with an empty
	// shard and empty side files, so that the old files are replaced.
	w, err := createDocs(filepath.Join(stage, "documents", sh+docExt))
	if err != nil {
		return c, err
	}
	if err := w.close(); err != nil {
		return c, err
	}
	for _, k := range keys {
		sw, err := createSide(filepath.Join(stage, "side", k, sh+".bin"))
		if err != nil {
			return c, err
		}
		if err := sw.close(); err != nil {
			return c, err
		}
	}
	return c, nil
}

// RemoveLines returns text without its lines (split on "\n") whose hash
// is in remove, and the number of lines removed: the hash of a line is
// the one the minhash stage writes in its "lines" side row (xxh3-64 of
// the cc_net-normalised line; lines whose normalised form is shorter
// than minLength bytes, or empty, never match). Kept lines are joined
// with "\n" as they were. This is the rewrite of the lines phase.
func RemoveLines(text string, remove map[uint64]bool, minLength int) (string, int) {
	var buf []byte
	return removeLines(text, remove, minLength, &buf)
}

// removeLines drops the lines of text (split on "\n") whose normalised
// hash is in remove, and returns the new text and the number of lines
// removed.
func removeLines(text string, remove map[uint64]bool, minLen int, buf *[]byte) (string, int) {
	var b strings.Builder
	n, first := 0, true
	for line := range strings.SplitSeq(text, "\n") {
		if h, ok := lineHash(buf, line, minLen); ok && remove[h] {
			n++
			continue
		}
		if !first {
			b.WriteByte('\n')
		}
		first = false
		b.WriteString(line)
	}
	return b.String(), n
}

// commit renames every staged file over its counterpart in OUTDIR. It is
// idempotent: a file already moved is skipped, so an interrupted commit
// is finished by the next run.
func (r *runner) commit() error {
	stage := r.path("stage")
	err := filepath.WalkDir(stage, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(stage, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(r.dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.Rename(p, dst)
	})
	if err != nil {
		return fmt.Errorf("dedup: commit: %w", err)
	}
	if err := os.RemoveAll(stage); err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	return nil
}
