package dedup

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"winnow"
)

// rejectRecord is a rejected document as written to OUTDIR/rejects: the
// document's JSON plus "drop": {stage, rule, value, detail}.
type rejectRecord struct {
	*winnow.Doc
	Drop *winnow.Drop `json:"drop"`
}

// stage writes the new shards under .dedup/stage/{documents,side/<key>,
// rejects}, mirroring OUTDIR, then marks the stage complete.
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
	r.res.Kept, r.res.LinesRemoved, r.res.EmptiedDocuments = 0, 0, 0
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
	outSides := make([]*sideWriter, len(keys))
	for i, k := range keys {
		if sides[i], err = openSide(filepath.Join(r.dir, "side", k, sh+".bin")); err != nil {
			return err
		}
		defer sides[i].close()
		if outSides[i], err = createSide(filepath.Join(stage, "side", k, sh+".bin")); err != nil {
			return err
		}
	}
	out, err := createDocs(filepath.Join(stage, "documents", sh+docExt))
	if err != nil {
		return err
	}
	var rej *docWriter
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
			rows[i] = row
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
				if rej, err = createDocs(filepath.Join(stage, "rejects", "dedup-"+sh+docExt)); err != nil {
					return err
				}
			}
			if err := rej.write(rejectRecord{Doc: d, Drop: drop}); err != nil {
				return err
			}
			continue
		}
		r.res.Kept++
		if err := out.write(d); err != nil {
			return err
		}
		for i := range outSides {
			if err := outSides[i].write(rows[i]); err != nil {
				return fmt.Errorf("dedup: %w", err)
			}
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
		if err := rej.close(); err != nil {
			return err
		}
	}
	for _, w := range outSides {
		if err := w.close(); err != nil {
			return err
		}
	}
	return out.close()
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
