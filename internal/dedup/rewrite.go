package dedup

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"winnow"
	"winnow/internal/format/jsonl"
)

// stage writes the new shards under .dedup/stage/{documents,side/<key>,
// rejects/dedup}, mirroring OUTDIR, with the shard writer and reject
// writer of internal/format/jsonl. Shard NNNNN keeps its number; its
// rejects go to rejects/dedup/NNNNN.jsonl.zst, one row per dropped
// document with reason dedup/<rule> and detail "cluster <id>".
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
	dec, err := openRecStream(r.path("decisions.bin"))
	if err != nil {
		return err
	}
	defer dec.f.Close()
	var rm *recStream
	if r.cfg.Lines.Enabled {
		if rm, err = openRecStream(r.path("lines.bin")); err != nil {
			return err
		}
		defer rm.f.Close()
	}
	r.res.Kept, r.res.LinesRemoved, r.res.EmptiedDocuments, r.res.BytesOut = 0, 0, 0, 0
	var ord uint32
	for _, sh := range shards {
		if err := r.stageShard(stage, sh, keys, &ord, dec, rm); err != nil {
			return err
		}
		if err := r.ctx.Err(); err != nil {
			return err
		}
	}
	if int64(ord) != r.res.Documents {
		return fmt.Errorf("dedup: the shards hold %d documents, the side files %d", ord, r.res.Documents)
	}
	return nil
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

func (r *runner) stageShard(stage, sh string, keys []string, ord *uint32, dec, rm *recStream) error {
	dr, err := openDocs(filepath.Join(r.dir, "documents", sh+docExt))
	if err != nil {
		return err
	}
	defer dr.close()
	sides := make([]*sideReader, len(keys))
	for i, k := range keys {
		if sides[i], err = openSide(filepath.Join(r.dir, "side", k, sh+".bin")); err != nil {
			return err
		}
		defer sides[i].close()
	}
	index, err := strconv.Atoi(sh)
	if err != nil {
		return fmt.Errorf("dedup: shard name %q is not a number", sh)
	}
	shardOpts := jsonl.ShardOptions{FirstIndex: index, MaxShardBytes: math.MaxInt64, SideDir: filepath.Join(stage, "side")}
	out, err := jsonl.NewShardWriter(filepath.Join(stage, "documents"), shardOpts)
	if err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	defer out.Close()
	var rej *jsonl.RejectWriter
	remove := map[uint64]bool{}
	var lineBuf []byte
	for {
		d, err := dr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rows := make([][]byte, len(keys))
		for i := range sides {
			row, err := sides[i].next()
			if err != nil {
				if err == io.EOF {
					err = fmt.Errorf("dedup: side/%s/%s.bin has fewer rows than the shard", keys[i], sh)
				}
				return err
			}
			rows[i] = bytes.Clone(row)
		}
		// the decision for this ordinal, if clustered
		var drop *winnow.Drop
		if x, ok := dec.peek(); ok && uint32(x.A) == *ord {
			dc := decisionOf(x)
			if err := dec.advance(); err != nil {
				return err
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
			if !ok || uint32(x.A) != *ord {
				break
			}
			remove[x.B] = true
			if err := rm.advance(); err != nil {
				return err
			}
		}
		if drop == nil && len(remove) > 0 {
			text, n := removeLines(d.Text, remove, r.cfg.Lines.MinLength, &lineBuf)
			r.res.LinesRemoved += int64(n)
			if r.cfg.TagOnly {
				d.SetAttr(AttrRepeatedLines, int64(n))
			} else {
				d.Text = text
				if strings.TrimSpace(text) == "" {
					drop = &winnow.Drop{Stage: "dedup", Rule: RuleRepeatedLines, Detail: "every line was seen in an earlier document"}
					r.res.EmptiedDocuments++
				}
			}
		}
		*ord++
		if drop != nil {
			if rej == nil {
				if rej, err = jsonl.NewRejectWriter(filepath.Join(stage, "rejects", "dedup"), jsonl.ShardOptions{FirstIndex: index, MaxShardBytes: math.MaxInt64}); err != nil {
					return fmt.Errorf("dedup: %w", err)
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
				return fmt.Errorf("dedup: %w", err)
			}
			continue
		}
		r.res.Kept++
		d.Side = make(map[string][]byte, len(keys))
		for i, k := range keys {
			d.Side[k] = rows[i]
		}
		if err := out.Write(d); err != nil {
			return fmt.Errorf("dedup: %w", err)
		}
	}
	for i := range sides {
		if _, err := sides[i].next(); err != io.EOF {
			if err == nil {
				err = fmt.Errorf("dedup: side/%s/%s.bin has more rows than the shard", keys[i], sh)
			}
			return err
		}
	}
	if rej != nil {
		if err := rej.Close(); err != nil {
			return fmt.Errorf("dedup: %w", err)
		}
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	_, written := out.Written()
	r.res.BytesOut += written
	if len(out.Shards()) > 0 {
		return nil
	}
	// Every document was dropped: keep the shard number with an empty
	// shard and empty side files, so that the old files are replaced.
	w, err := createDocs(filepath.Join(stage, "documents", sh+docExt))
	if err != nil {
		return err
	}
	if err := w.close(); err != nil {
		return err
	}
	for _, k := range keys {
		sw, err := createSide(filepath.Join(stage, "side", k, sh+".bin"))
		if err != nil {
			return err
		}
		if err := sw.close(); err != nil {
			return err
		}
	}
	return nil
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
