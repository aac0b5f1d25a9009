package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	core "winnow"
	"winnow/internal/clean"
	"winnow/internal/config"
	"winnow/internal/dedup"
	"winnow/internal/format"
	"winnow/internal/run"
	"winnow/internal/steps"
	"winnow/presets"
)

// loadConfig returns the config of a config file or a preset; neither
// means the default pipeline, both is an error.
func loadConfig(path, preset string) (*config.Config, error) {
	switch {
	case path != "" && preset != "":
		return nil, errors.New("config: --config and --preset exclude each other; put the preset's steps in the config file")
	case path != "":
		return config.Load(path)
	case preset != "":
		return presets.Load(preset)
	}
	return config.Default(), nil
}

func newPresetCmd(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "preset list | show NAME",
		Short: "List the built-in recipes or print one as a pipeline config",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the presets with their first comment line",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			for _, n := range presets.Names() {
				src, err := presets.Source(n)
				if err != nil {
					return err
				}
				first, _, _ := strings.Cut(string(src), "\n")
				fmt.Fprintf(stdout, "%-8s %s\n", n, strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(first, "# "+n+":"), "#")))
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "show NAME",
		Short: "Print a preset's YAML, comments included (a config file to start from)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			src, err := presets.Source(args[0])
			if err != nil {
				return err
			}
			_, err = stdout.Write(src)
			return err
		},
	})
	return cmd
}

type dedupFlags struct {
	configPath string
	preset     string
	quiet      bool
	workers    int // winnow dedup only; 0: the config's
}

func newDedupCmd(stderr io.Writer) *cobra.Command {
	var f dedupFlags
	cmd := &cobra.Command{
		Use:   "dedup OUTDIR",
		Short: "Run the dedup phase on the output of a finished run",
		Long: `Dedup removes exact and near-duplicate documents (and, when configured,
repeated lines) from OUTDIR, the output of a run whose pipeline ended with
the minhash step, and folds the counts into OUTDIR/stats.json. The minhash
step's options come from --config or --preset, else from the config recorded
in OUTDIR/stats.json. An interrupted dedup resumes after its last finished
phase. When "winnow dedup edges" computed the edge parts of OUTDIR (on
several machines), dedup merges them instead of sorting every bucket itself;
it refuses parts that are missing or were computed for another config or
other shards, naming them.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDedup(cmd.Context(), args[0], &f, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.configPath, "config", "c", "", "pipeline config holding the minhash step (default: the one in OUTDIR/stats.json)")
	fl.StringVar(&f.preset, "preset", "", "take the minhash step of a preset")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no summary")
	fl.IntVarP(&f.workers, "workers", "w", 0, "shards the rewrite stages at once (default: the config's workers)")
	cmd.AddCommand(newDedupEdgesCmd(stderr))
	return cmd
}

type edgesFlags struct {
	dedupFlags
	part, parts int
}

// newDedupEdgesCmd is "winnow dedup edges". Cobra takes a first argument
// "edges" after "dedup" as this subcommand, so a folder named edges is
// written ./edges (or with any other path prefix) to dedup it.
func newDedupEdgesCmd(stderr io.Writer) *cobra.Command {
	var f edgesFlags
	cmd := &cobra.Command{
		Use:   "edges OUTDIR --part P --parts N",
		Short: "Compute one part of the dedup phase's edges (for several machines)",
		Long: `Edges computes part P of N of the dedup phase's work on OUTDIR: it reads the
minhash side files, keeps the exact-hash groups and LSH (band, band hash)
buckets whose key falls in part P, sorts them under the minhash step's
memory_bytes and writes their edges to OUTDIR/.dedup/edges. Run it for every
P from 0 to N-1, on as many machines as you like (N may exceed the number of
bands), then "winnow dedup OUTDIR" merges the parts and finishes the phase
with output identical to a one-process dedup. A part rerun rewrites the same
bytes; an interrupted one leaves nothing under a final name.

OUTDIR must be a finished, merged run: with rank folders, run "winnow merge
OUTDIR" first. To dedup a folder named edges, write "winnow dedup ./edges".`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				if fi, err := os.Stat("edges"); err == nil && fi.IsDir() {
					return errors.New(`dedup: "winnow dedup edges" computes edge parts and needs OUTDIR; to dedup the folder named edges, write "winnow dedup ./edges"`)
				}
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDedupEdges(cmd.Context(), args[0], &f, stderr)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.part, "part", -1, "the part to compute, from 0 to --parts - 1 (required)")
	fl.IntVar(&f.parts, "parts", 0, "the number of parts (required)")
	fl.StringVarP(&f.configPath, "config", "c", "", "pipeline config holding the minhash step (default: the one in OUTDIR/stats.json)")
	fl.StringVar(&f.preset, "preset", "", "take the minhash step of a preset")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no summary")
	cmd.MarkFlagRequired("part")
	cmd.MarkFlagRequired("parts")
	return cmd
}

func runDedupEdges(ctx context.Context, dir string, f *edgesFlags, stderr io.Writer) error {
	unlock, err := lockDir(dir, true) // parts run at once on purpose
	if err != nil {
		return err
	}
	defer unlock()
	// before reading the config: an unmerged folder has no stats.json
	if err := run.CheckMerged(dir); err != nil {
		return err
	}
	if err := run.CheckPassFinished(dir); err != nil {
		return err
	}
	dc, _, err := dedupConfig(dir, &f.dedupFlags)
	if err != nil {
		return err
	}
	res, err := run.DedupEdges(ctx, dir, dc, f.part, f.parts)
	if err != nil {
		return interrupted(err, "rerun the same part")
	}
	if !f.quiet {
		fmt.Fprintf(stderr, "edges part %d of %d: %d documents in %d shards, %d exact and %d band edges\n",
			res.Part, res.Parts, res.Documents, res.Shards, res.ExactEdges, res.BandEdges)
	}
	return nil
}

func newMergeCmd(stderr io.Writer) *cobra.Command {
	var quiet bool
	cmd := &cobra.Command{
		Use:   "merge OUTDIR",
		Short: "Merge the rank folders of a shard-parallel run into OUTDIR",
		Long: `Merge moves the shards of every rank of a run made with --rank and
--world-size (OUTDIR/rank-RRRRR, all finished) into OUTDIR, named
RRRRR-NNNNN so that they sort in input order, sums the ranks' stats.json
into OUTDIR/stats.json and removes the rank folders. It only renames files;
an interrupted merge is finished by running it again. "winnow dedup OUTDIR"
merges first by itself. Like winnow run, merge exits with code 3 when the
merged stats count unreadable inputs or rejected records of any rank.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			unlock, err := lockDir(args[0], false)
			if err != nil {
				return err
			}
			defer unlock()
			st, err := run.Merge(args[0])
			if err != nil {
				return err
			}
			if !quiet {
				st.WriteSummary(stderr)
			}
			return incomplete(st, args[0])
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no summary")
	return cmd
}

func runDedup(ctx context.Context, dir string, f *dedupFlags, stderr io.Writer) error {
	if f.workers < 0 {
		return fmt.Errorf("dedup: --workers must be at least 1, got %d", f.workers)
	}
	unlock, err := lockDir(dir, false)
	if err != nil {
		return err
	}
	defer unlock()
	if ranks, _ := filepath.Glob(filepath.Join(dir, "rank-*")); len(ranks) > 0 {
		if _, err := run.Merge(dir); err != nil {
			return err
		}
	}
	if err := run.CheckPassFinished(dir); err != nil {
		return err
	}
	dc, workers, err := dedupConfig(dir, f)
	if err != nil {
		return err
	}
	if f.workers > 0 {
		workers = f.workers
	}
	st, err := run.DedupWorkers(ctx, dir, dc, workers)
	if err != nil {
		return interrupted(err, "rerun winnow dedup to finish")
	}
	if !f.quiet {
		st.WriteSummary(stderr)
	}
	return incomplete(st, dir)
}

// incomplete is the error of a finished command whose output's stats
// count unreadable inputs or rejected records (exit code 3, as for
// winnow run), nil when everything was read. After a merge the stats are
// the sum of every rank's, so the chain of rank runs, merge and dedup
// ends with the status of the whole run.
func incomplete(st *run.Stats, dir string) error {
	if !st.Incomplete() {
		return nil
	}
	return &incompleteError{unreadable: st.Inputs.Unreadable, rejected: st.Rejected.Total, outDir: dir}
}

// dedupConfig returns the minhash step's config and the workers from
// --config or --preset, else from the config recorded in
// OUTDIR/stats.json, after checking that the output is one the dedup
// phase can rewrite.
func dedupConfig(dir string, f *dedupFlags) (dedup.Config, int, error) {
	var cfg *config.Config
	var err error
	given := f.configPath != "" || f.preset != ""
	if given {
		cfg, err = loadConfig(f.configPath, f.preset)
	} else {
		cfg, err = recordedConfig(dir)
	}
	if err != nil {
		return dedup.Config{}, 0, err
	}
	dc, ok := run.DedupConfig(cfg)
	switch {
	case !ok && given:
		return dedup.Config{}, 0, errors.New("dedup: the pipeline of --config or --preset has no minhash step; give one with a minhash step (with the options of the run's minhash step)")
	case !ok:
		path, _ := run.StatsPath(dir)
		return dedup.Config{}, 0, fmt.Errorf("dedup: the config recorded in %s has no minhash step: the run had none, so its output has no MinHash signatures to dedup (rerun it with a minhash step), or give --config or --preset with the run's minhash step", path)
	}
	if err := run.CheckDedup(cfg); err != nil {
		return dedup.Config{}, 0, err
	}
	return dc, cfg.Workers, nil
}

// recordedConfig parses the effective config a run recorded in
// OUTDIR/stats.json.
func recordedConfig(dir string) (*config.Config, error) {
	path, _ := run.StatsPath(dir) // stats.json, or the pass's of a run stopped in its dedup phase
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	var st struct {
		Config map[string]any `json:"config"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("dedup: %s: %w", path, err)
	}
	y, err := yaml.Marshal(st.Config)
	if err != nil {
		return nil, fmt.Errorf("dedup: %s: %w", path, err)
	}
	return config.Parse(path+" (config)", y)
}

type explainFlags struct {
	id         string
	configPath string
	preset     string
	textField  string
	idField    string
}

func newExplainCmd(stdout io.Writer) *cobra.Command {
	var f explainFlags
	cmd := &cobra.Command{
		Use:   "explain INPUT --id ID",
		Short: "Show what the pipeline does to one document",
		Long: `Explain reads INPUT (a file, folder or glob), finds the first document with
the given id, runs the pipeline's per-document stages on it with the clean
step's explain on, and prints its input, each removal with its rule, its
output, and the stage and rule that dropped it, if one did.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExplain(cmd.Context(), args[0], &f, stdout)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.id, "id", "", "id of the document (required)")
	fl.StringVarP(&f.configPath, "config", "c", "", "pipeline config (YAML); default: the default pipeline")
	fl.StringVar(&f.preset, "preset", "", "explain under a built-in recipe; not with --config")
	fl.StringVar(&f.textField, "text-field", "", "JSONL key of the document text (overrides config)")
	fl.StringVar(&f.idField, "id-field", "", "JSONL key of the document id (overrides config)")
	cmd.MarkFlagRequired("id")
	return cmd
}

func runExplain(ctx context.Context, input string, f *explainFlags, w io.Writer) error {
	cfg, err := loadConfig(f.configPath, f.preset)
	if err != nil {
		return err
	}
	if f.textField != "" {
		cfg.Input.TextField = f.textField
	}
	if f.idField != "" {
		cfg.Input.IDField = f.idField
	}
	cfg.SetExplain(true)
	d, err := findDoc(input, f.id, cfg.Input)
	if err != nil {
		return err
	}
	return explainDoc(ctx, w, d, cfg)
}

// findDoc returns the first document of input with the given id. Bad
// records are passed over.
func findDoc(input, id string, in config.Input) (*core.Doc, error) {
	files, err := format.Expand([]string{input})
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	for _, path := range files {
		r, err := format.Open(path, format.Options{TextField: in.TextField, IDField: in.IDField})
		if err != nil {
			return nil, fmt.Errorf("explain: %w", err)
		}
		for {
			d, err := r.Next()
			if err == io.EOF {
				break
			}
			var pe *core.ParseError
			if errors.As(err, &pe) {
				continue
			}
			if err != nil {
				r.Close()
				return nil, fmt.Errorf("explain: %w", err)
			}
			if d.ID == id {
				r.Close()
				return d, nil
			}
		}
		r.Close()
	}
	return nil, fmt.Errorf("explain: no document with id %q in %s", id, input)
}

// explainDoc runs d through cfg's steps one at a time and writes what each
// did: for the clean step the full account of clean.Explain, for the others
// the size of the text before and after; then the output or the drop.
func explainDoc(ctx context.Context, w io.Writer, d *core.Doc, cfg *config.Config) error {
	fmt.Fprintf(w, "document %s (%v)\n", d.ID, d.Pos)
	if len(d.Payload) > 0 {
		fmt.Fprintf(w, "== input payload (%d bytes)\n%s\n", len(d.Payload), d.Payload)
	} else {
		fmt.Fprintf(w, "== input (%d bytes)\n%s\n", len(d.Text), d.Text)
	}
	for _, s := range cfg.Steps {
		spec, ok := steps.Lookup(s.Name)
		if !ok {
			return fmt.Errorf("explain: unknown step %q", s.Name)
		}
		st, err := spec.New(s.Config)
		if err != nil {
			return fmt.Errorf("explain: step %s: %w", s.Name, err)
		}
		before := d.Text
		fmt.Fprintf(w, "== step %s\n", s.Name)
		if cc, ok := s.Config.(*clean.Config); ok {
			if err := clean.Explain(w, before, clean.Clean(before, *cc)); err != nil {
				st.Close()
				return err
			}
		}
		out, err := st.Process(ctx, []*core.Doc{d})
		if cerr := st.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("explain: step %s: %w", s.Name, err)
		}
		if len(out) != 1 {
			fmt.Fprintf(w, "== removed by step %s (it returned %d documents)\n", s.Name, len(out))
			return nil
		}
		d = out[0]
		if d.Text != before {
			fmt.Fprintf(w, "text: %d bytes -> %d bytes\n", len(before), len(d.Text))
		}
		if d.Drop != nil {
			fmt.Fprintf(w, "== dropped: %s (value %g", d.Drop.Reason(), d.Drop.Value)
			if d.Drop.Detail != "" {
				fmt.Fprintf(w, ", %s", d.Drop.Detail)
			}
			fmt.Fprintf(w, ")\n")
			return nil
		}
	}
	fmt.Fprintf(w, "== output (%d bytes)\n%s\n", len(d.Text), d.Text)
	if len(d.Attributes) > 0 {
		b, err := json.MarshalIndent(d.Attributes, "", "  ")
		if err != nil {
			return fmt.Errorf("explain: %w", err)
		}
		fmt.Fprintf(w, "== attributes\n%s\n", b)
	}
	fmt.Fprintln(w, "== kept")
	return nil
}
