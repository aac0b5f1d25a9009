package run

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Merge turns the output of a shard-parallel run (every rank's folder
// RankDir(dir, r), each finished) into one output folder dir: each
// rank's shards are renamed into dir with the rank in front of their
// number,
//
//	rank-RRRRR/documents/NNNNN.jsonl.zst -> documents/RRRRR-NNNNN.jsonl.zst
//
// and likewise for rejects/, side/<key>/ and attributes/<set>/, so the
// shard names sort in rank order and then shard order: the order of the
// inputs, since each rank takes a contiguous share of them. dir/stats.json
// gets the sum of the ranks' counts (wall time: the longest rank's), and
// the rank folders are removed. The dedup phase (Dedup) then runs over
// the merged folder as over one run's output.
//
// Merge only renames, so it is quick and, when interrupted, a second call
// finishes it. It returns the merged stats. Errors: no rank folder, a
// rank that is missing or did not finish, ranks of different runs.
func Merge(dir string) (*Stats, error) {
	ranks, err := filepath.Glob(filepath.Join(dir, "rank-*"))
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "stats.json")); err == nil {
		// merged before; the rank folders are leftovers of an interrupted merge
		for _, r := range ranks {
			if err := os.RemoveAll(r); err != nil {
				return nil, fmt.Errorf("run: %w", err)
			}
		}
		return readStats(dir)
	}
	if len(ranks) == 0 {
		return nil, fmt.Errorf("run: %s holds no rank-* folders to merge", dir)
	}
	var world int
	var cks []*checkpoint
	for _, r := range ranks {
		ck, err := loadCheckpoint(r)
		if err != nil {
			return nil, err
		}
		if ck == nil {
			return nil, fmt.Errorf("run: %s holds no run", r)
		}
		if world == 0 {
			world = ck.WorldSize
		}
		if ck.WorldSize != world || ck.Config != cks0(cks, ck).Config {
			return nil, fmt.Errorf("run: %s belongs to another run than %s (world size %d, not %d, or another config)", r, ranks[0], ck.WorldSize, world)
		}
		cks = append(cks, ck)
	}
	var missing, unfinished []string
	byRank := map[int]string{}
	for i, ck := range cks {
		byRank[ck.Rank] = ranks[i]
		if ck.Finished == finishedNone {
			unfinished = append(unfinished, strconv.Itoa(ck.Rank))
		}
	}
	for r := range world {
		if _, ok := byRank[r]; !ok {
			missing = append(missing, strconv.Itoa(r))
		}
	}
	if len(missing) > 0 || len(unfinished) > 0 || len(byRank) != len(ranks) {
		return nil, fmt.Errorf("run: %s: the ranks of %d are not all finished (missing: [%s], unfinished: [%s]); run them (with --resume) first",
			dir, world, strings.Join(missing, " "), strings.Join(unfinished, " "))
	}

	total := newStats("")
	for r := range world {
		rd := byRank[r]
		st, err := readStats(rd)
		if err != nil {
			return nil, err
		}
		prefix := fmt.Sprintf("%05d-", r)
		if err := moveShards(rd, dir, prefix); err != nil {
			return nil, err
		}
		total.add(st, prefix)
	}
	if total.WallSeconds > 0 {
		total.DocsPerSecond = float64(total.Documents.Read) / total.WallSeconds
		total.MBPerSecond = float64(total.BytesIn) / 1e6 / total.WallSeconds
	}
	if err := total.writeFile(filepath.Join(dir, "stats.json")); err != nil {
		return nil, err
	}
	for _, r := range ranks {
		if err := os.RemoveAll(r); err != nil {
			return nil, fmt.Errorf("run: %w", err)
		}
	}
	return total, nil
}

func cks0(cks []*checkpoint, ck *checkpoint) *checkpoint {
	if len(cks) > 0 {
		return cks[0]
	}
	return ck
}

// moveShards renames the shard files of rank folder src into dst, with
// prefix before their names. Files moved by an earlier, interrupted call
// are no longer in src.
func moveShards(src, dst, prefix string) error {
	var dirs []string
	for _, top := range []string{"documents", "rejects", "side", "attributes"} {
		if top == "side" || top == "attributes" {
			ents, _ := os.ReadDir(filepath.Join(src, top))
			for _, e := range ents {
				if e.IsDir() {
					dirs = append(dirs, filepath.Join(top, e.Name()))
				}
			}
			continue
		}
		dirs = append(dirs, top)
	}
	for _, d := range dirs {
		ents, err := os.ReadDir(filepath.Join(src, d))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		if err := os.MkdirAll(filepath.Join(dst, d), 0o755); err != nil {
			return fmt.Errorf("run: %w", err)
		}
		for _, e := range ents {
			if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if err := os.Rename(filepath.Join(src, d, e.Name()), filepath.Join(dst, d, prefix+e.Name())); err != nil {
				return fmt.Errorf("run: %w", err)
			}
		}
	}
	return nil
}

// add sums the counts of one rank into s; its shard names get prefix.
func (s *Stats) add(o *Stats, prefix string) {
	if s.Version == "" {
		s.Version, s.Config = o.Version, o.Config
	}
	s.Inputs.Total += o.Inputs.Total
	s.Inputs.Unreadable += o.Inputs.Unreadable
	for k, v := range o.Inputs.UnreadableFiles {
		s.Inputs.UnreadableFiles[k] = v
	}
	s.Documents.Read += o.Documents.Read
	s.Documents.Kept += o.Documents.Kept
	s.Documents.Dropped += o.Documents.Dropped
	for k, v := range o.Documents.DroppedByReason {
		s.Documents.DroppedByReason[k] += v
	}
	s.Rejected.Total += o.Rejected.Total
	for k, v := range o.Rejected.ByFile {
		s.Rejected.ByFile[k] += v
	}
	for k, v := range o.Skipped {
		s.Skipped[k] += v
	}
	s.BytesIn += o.BytesIn
	s.BytesOut += o.BytesOut
	s.WallSeconds = max(s.WallSeconds, o.WallSeconds)
	for _, sh := range o.Shards {
		d, f := filepath.Split(filepath.FromSlash(sh))
		s.Shards = append(s.Shards, filepath.ToSlash(filepath.Join(d, prefix+f)))
	}
	sort.Strings(s.Shards)
}
