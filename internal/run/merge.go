package run

import (
	"encoding/json"
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
// rank's shards are renamed into dir, numbered on from the previous
// rank's,
//
//	rank-00000/documents/00000..00006 -> documents/00000..00006
//	rank-00001/documents/00000..00003 -> documents/00007..00010
//
// and likewise rejects/ (numbered on their own), side/<key>/ and
// attributes/<set>/ (numbered with the documents), so the shards sort in
// rank order, which is the order of the inputs, since each rank takes a
// contiguous share of them. dir/stats.json gets the sum of the ranks'
// counts (wall time: the longest rank's), and the rank folders are
// removed. The dedup phase (Dedup) then runs over the merged folder as
// over one run's output.
//
// Merge only renames. The renames are planned first, in
// dir/.run/merge.json, so a merge that was interrupted is finished by a
// second call. It returns the merged stats. Errors: no rank folder, a
// rank that is missing or did not finish, ranks of different runs.
func Merge(dir string) (*Stats, error) {
	ranks, err := filepath.Glob(filepath.Join(dir, "rank-*"))
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	ck, _ := loadCheckpoint(dir)
	if _, err := os.Stat(filepath.Join(dir, "stats.json")); err == nil && ck == nil {
		// merged before (a plain run's stats.json comes with its
		// checkpoint); the rank folders are leftovers of an interrupted merge
		for _, r := range ranks {
			if err := os.RemoveAll(r); err != nil {
				return nil, fmt.Errorf("merge: %w", err)
			}
		}
		os.Remove(filepath.Join(dir, runDir, mergePlan))
		return readStats(dir)
	}
	p, err := loadPlan(dir)
	if err != nil {
		return nil, err
	}
	if p == nil {
		if p, err = planMerge(dir, ranks); err != nil {
			return nil, err
		}
	}
	for _, mv := range p.Moves {
		src, dst := filepath.Join(dir, mv[0]), filepath.Join(dir, mv[1])
		if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
			if _, err := os.Stat(dst); err == nil {
				continue // moved by an interrupted merge
			}
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		if err := os.Rename(src, dst); err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
	}
	if err := writeMergeRecord(dir, p.Record); err != nil {
		return nil, err
	}
	if err := p.Stats.writeFile(filepath.Join(dir, "stats.json")); err != nil {
		return nil, err
	}
	for _, r := range ranks {
		if err := os.RemoveAll(r); err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
	}
	os.Remove(filepath.Join(dir, runDir, mergePlan))
	return p.Stats, nil
}

const mergePlan = "merge.json"

// plan is a merge worked out before the first rename: the renames
// (relative to the output folder) and the merged stats.
type plan struct {
	Moves  [][2]string  `json:"moves"`
	Stats  *Stats       `json:"stats"`
	Record *mergeRecord `json:"record,omitempty"`
}

func loadPlan(dir string) (*plan, error) {
	b, err := os.ReadFile(filepath.Join(dir, runDir, mergePlan))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	p := &plan{}
	if err := json.Unmarshal(b, p); err != nil {
		return nil, fmt.Errorf("merge: %s: %w", mergePlan, err)
	}
	return p, nil
}

func planMerge(dir string, ranks []string) (*plan, error) {
	if len(ranks) == 0 {
		return nil, fmt.Errorf("merge: %s holds no rank-* folders to merge", dir)
	}
	// The renames would replace a plain run's shards of the same names.
	if ck, err := loadCheckpoint(dir); err != nil || ck != nil {
		return nil, fmt.Errorf("merge: %s holds a run without --rank and --world-size beside the rank folders; remove it (or its folder %s) first", dir, runDir)
	}
	owned, err := ownedOutput(dir)
	if err != nil {
		return nil, err
	}
	for _, p := range owned {
		if filepath.Base(p) != runDir {
			rel, _ := filepath.Rel(dir, p)
			return nil, fmt.Errorf("merge: %s holds output beside the rank folders (%s); it is not a rank's, and the merge would replace it: remove it first", dir, filepath.ToSlash(rel))
		}
	}
	var world int
	var cks []*checkpoint
	var clash []string
	for _, r := range ranks {
		ck, err := loadCheckpoint(r)
		if err != nil {
			return nil, err
		}
		if ck == nil {
			return nil, fmt.Errorf("merge: %s holds no run", r)
		}
		if len(cks) == 0 {
			world = ck.WorldSize
		} else {
			var why []string
			if ck.WorldSize != world {
				why = append(why, fmt.Sprintf("world size %d, not %d", ck.WorldSize, world))
			}
			if ck.Config != cks[0].Config {
				why = append(why, fmt.Sprintf("config or --added %s, not %s", short(ck.Config), short(cks[0].Config)))
			}
			if len(why) > 0 {
				clash = append(clash, fmt.Sprintf("%s (%s)", filepath.Base(r), strings.Join(why, "; ")))
			}
		}
		cks = append(cks, ck)
	}
	if len(clash) > 0 {
		return nil, fmt.Errorf("merge: %s: rank folders of another run than %s (world size %d): %s; rerun those ranks with the same arguments and --overwrite, or remove them",
			dir, filepath.Base(ranks[0]), world, strings.Join(clash, ", "))
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
		return nil, fmt.Errorf("merge: %s: the %d ranks are not all finished (missing: [%s], unfinished: [%s]); run them (with --resume) first",
			dir, world, strings.Join(missing, " "), strings.Join(unfinished, " "))
	}

	p := &plan{Stats: newStats(""), Record: &mergeRecord{WorldSize: world, Config: cks[0].Config}}
	var docBase, rejBase int
	for r := range world {
		rd := byRank[r]
		rel, _ := filepath.Rel(dir, rd)
		st, err := readStats(rd)
		if err != nil {
			return nil, err
		}
		docs, err := shardFiles(rd, "documents", "side", "attributes")
		if err != nil {
			return nil, err
		}
		rejs, err := shardFiles(rd, "rejects")
		if err != nil {
			return nil, err
		}
		for _, group := range []struct {
			files []string
			base  *int
		}{{docs, &docBase}, {rejs, &rejBase}} {
			top := -1
			for _, f := range group.files {
				folder, name := filepath.Split(f)
				n, _ := shardIndex(name)
				_, ext, _ := strings.Cut(name, ".")
				top = max(top, n)
				p.Moves = append(p.Moves, [2]string{filepath.Join(rel, f), filepath.Join(folder, fmt.Sprintf("%05d.%s", *group.base+n, ext))})
			}
			if group.base == &docBase {
				// the stats name the documents shards: renumber them alike
				for _, sh := range st.Shards {
					folder, name := filepath.Split(filepath.FromSlash(sh))
					n, _ := shardIndex(name)
					_, ext, _ := strings.Cut(name, ".")
					p.Stats.Shards = append(p.Stats.Shards, filepath.ToSlash(filepath.Join(folder, fmt.Sprintf("%05d.%s", docBase+n, ext))))
				}
			}
			*group.base += top + 1
		}
		p.Stats.add(st)
		p.Record.Ranks = append(p.Record.Ranks, rankCounts{Unreadable: st.Inputs.Unreadable, Rejected: st.Rejected.Total})
	}
	if p.Stats.WallSeconds > 0 {
		p.Stats.DocsPerSecond = float64(p.Stats.Documents.Read) / p.Stats.WallSeconds
		p.Stats.MBPerSecond = float64(p.Stats.BytesIn) / 1e6 / p.Stats.WallSeconds
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, runDir), 0o755); err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	if err := writeSynced(filepath.Join(dir, runDir, mergePlan), b); err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	return p, nil
}

// shardFiles lists the numbered shard files of a rank folder under the
// given folders (for side and attributes: their sub-folders), relative
// to it, in sorted order.
func shardFiles(rankDir string, tops ...string) ([]string, error) {
	var out []string
	for _, top := range tops {
		var dirs []string
		if top == "side" || top == "attributes" {
			ents, _ := os.ReadDir(filepath.Join(rankDir, top))
			for _, e := range ents {
				if e.IsDir() {
					dirs = append(dirs, filepath.Join(top, e.Name()))
				}
			}
		} else {
			dirs = append(dirs, top)
		}
		for _, d := range dirs {
			ents, err := os.ReadDir(filepath.Join(rankDir, d))
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("merge: %w", err)
			}
			for _, e := range ents {
				if _, ok := shardIndex(e.Name()); ok && !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
					out = append(out, filepath.Join(d, e.Name()))
				}
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// add sums the counts of one rank into s (not its shards).
func (s *Stats) add(o *Stats) {
	if s.Version == "" {
		s.Version, s.Config = o.Version, o.Config
	}
	s.Inputs.Total += o.Inputs.Total
	s.Inputs.Unreadable += o.Inputs.Unreadable
	s.Inputs.SkippedOutputs += o.Inputs.SkippedOutputs
	for k, v := range o.Inputs.SkippedFiles {
		if s.Inputs.SkippedFiles == nil {
			s.Inputs.SkippedFiles = map[string]int64{}
		}
		s.Inputs.SkippedFiles[k] += v
	}
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
}
