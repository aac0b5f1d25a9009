package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"winnow/internal/blob"
	"winnow/internal/config"
	"winnow/internal/run"
	"winnow/internal/steps"
)

// version is set at link time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is used.
var version = ""

func winnowVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// execute runs the command line args and returns the error that decides
// the exit code.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "winnow",
		Short: "Turn raw web crawls into clean, deduplicated text corpora",
		Long: `winnow reads Common Crawl WARC/WET files and JSONL dumps, runs every document
through a pipeline of stages (extraction, cleaning, quality filters, language
identification, deduplication) and writes dolma-schema JSONL shards.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newRunCmd(stderr), newStepsCmd(stdout), newVersionCmd(stdout))
	root.AddCommand(newEvalCmd(stdout))
	root.AddCommand(newReportCmd(stdout))
	root.AddCommand(newPresetCmd(stdout), newExplainCmd(stdout), newDedupCmd(stderr), newMergeCmd(stderr))
	return root
}

type runFlags struct {
	out           string
	staging       string
	configPath    string
	preset        string
	tagOnly       bool
	standoff      bool
	explain       bool
	workers       int
	maxShardBytes int64
	compression   string
	outputFormat  string
	textField     string
	idField       string
	added         string
	quiet         bool
	overwrite     bool
	resume        bool
	rank          int
	worldSize     int
	progressEvery time.Duration
	cpuProfile    string
	report        reportFlags
}

func newRunCmd(stderr io.Writer) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run INPUT... -o OUTDIR",
		Short: "Run the pipeline over files, folders or globs",
		Long: `Run reads every INPUT (a WARC, WET or JSONL file, a folder walked for such
files, or a glob such as "crawl/**/*.warc.gz"), runs the pipeline and writes
OUTDIR/documents, OUTDIR/rejects and OUTDIR/stats.json.

An INPUT that does not exist or cannot be read is reported, given a reject
row, and the other inputs are still read; the exit code is then 3. A run in
which no INPUT exists fails with exit code 1.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, args, &f, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "", "output folder or s3:// or gs:// prefix (required)")
	fl.StringVar(&f.staging, "staging", "", "local folder for an s3:// or gs:// output, uploaded when the run finished (default: a new folder under the temp dir)")
	fl.StringVarP(&f.configPath, "config", "c", "", "pipeline config (YAML); default: the default pipeline")
	fl.StringVar(&f.preset, "preset", "", "run a built-in recipe (winnow preset list); not with --config")
	fl.BoolVar(&f.tagOnly, "tag-only", false, "every stage with a tag_only option (filters, language, dedup...) labels and drops nothing")
	fl.BoolVar(&f.standoff, "standoff", false, "write attributes to OUTDIR/attributes/<set>/ shards instead of inline (output.standoff_attributes)")
	fl.BoolVar(&f.explain, "explain", false, `record every removal of the clean step as attribute "clean/edits"`)
	fl.IntVarP(&f.workers, "workers", "w", 0, "worker goroutines (default: config, else number of cores)")
	fl.Int64Var(&f.maxShardBytes, "max-shard-bytes", 0, "uncompressed bytes per output shard (overrides config)")
	fl.StringVar(&f.compression, "compression", "", "output compression: zst, gz or none (overrides config)")
	fl.StringVar(&f.outputFormat, "output-format", "", "document shards: jsonl or parquet (overrides config)")
	fl.StringVar(&f.textField, "text-field", "", "JSONL key of the document text (overrides config)")
	fl.StringVar(&f.idField, "id-field", "", "JSONL key of the document id (overrides config)")
	fl.StringVar(&f.added, "added", "", `RFC 3339 time for the documents' "added" field (default: input file mtime)`)
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress and no summary")
	fl.BoolVar(&f.overwrite, "overwrite", false, "replace the output of an earlier run in OUTDIR")
	fl.BoolVar(&f.resume, "resume", false, "finish the interrupted run in OUTDIR from its last checkpoint (same arguments); start one when OUTDIR holds none")
	fl.IntVar(&f.rank, "rank", 0, "process the rank-th share of the inputs into OUTDIR/rank-RRRRR (with --world-size)")
	fl.IntVar(&f.worldSize, "world-size", 0, "number of ranks the inputs are split among, with --rank (then: winnow merge OUTDIR, winnow dedup OUTDIR)")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) of the run to this file")
	fl.DurationVar(&f.progressEvery, "progress-every", run.DefaultProgressEvery, "period of progress lines when stderr is not a terminal")
	f.report.add(fl)
	cmd.MarkFlagRequired("out")
	return cmd
}

func runRun(cmd *cobra.Command, args []string, f *runFlags, stderr io.Writer) error {
	if err := checkRunFlags(cmd.Flags(), f); err != nil {
		return err
	}
	cfg, err := loadConfig(f.configPath, f.preset)
	if err != nil {
		return err
	}
	fl := cmd.Flags()
	if f.tagOnly {
		cfg.SetTagOnly(true)
	}
	if f.standoff {
		cfg.Output.StandoffAttributes = true
	}
	if f.explain && !cfg.SetExplain(true) {
		return fmt.Errorf("run: --explain needs a clean step in the pipeline")
	}
	if fl.Changed("workers") {
		cfg.Workers = f.workers
	}
	if fl.Changed("max-shard-bytes") {
		cfg.Output.MaxShardBytes = f.maxShardBytes
	}
	if fl.Changed("compression") {
		cfg.Output.Compression = f.compression
	}
	if fl.Changed("output-format") {
		cfg.Output.Format = f.outputFormat
	}
	if fl.Changed("text-field") {
		cfg.Input.TextField = f.textField
	}
	if fl.Changed("id-field") {
		cfg.Input.IDField = f.idField
	}
	if err := cfg.Check(); err != nil {
		return err
	}
	opt := run.Options{
		Inputs:        args,
		OutDir:        f.out,
		Overwrite:     f.overwrite,
		Resume:        f.resume,
		Rank:          f.rank,
		WorldSize:     f.worldSize,
		Config:        cfg,
		Added:         f.added,
		ProgressEvery: f.progressEvery,
		Version:       winnowVersion(),
	}
	if !f.quiet {
		opt.Progress = stderr
	}
	f.report.prepare(cfg, &opt)
	if f.cpuProfile != "" {
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if f.resume && f.overwrite {
		return errors.New("run: --resume and --overwrite exclude each other")
	}
	// the parameters given with an input URL hold for the output's bucket
	// too (blob's package doc), though the output is opened first
	blob.Remember(opt.Inputs...)
	// --resume replaces only an upload that stopped half-way (winnow's
	// objects without stats.json, which goes up last); a published output
	// is refused as a local finished run of other arguments is
	overwrite := f.overwrite
	if f.resume {
		published, err := blob.Published(cmd.Context(), f.out)
		if err != nil {
			return err
		}
		overwrite = !published
	}
	dst, err := blob.PrepareOutput(cmd.Context(), f.out, f.staging, overwrite)
	if err != nil {
		return err
	}
	defer dst.Close()
	opt.OutDir = dst.Local
	if dst.Remote() {
		opt.OutURL = dst.URL()
	}
	outDir := dst.Local
	if f.worldSize > 0 {
		if f.report.on {
			return errors.New("run: --report samples one process's run; not with --world-size")
		}
		outDir = run.RankDir(dst.Local, f.rank)
	}
	unlock, err := lockRun(dst.Local, f.rank, f.worldSize)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := run.RunPhases(cmd.Context(), opt)
	merged, isMerged := errors.AsType[*run.MergedError](err)
	if isMerged {
		outDir = dst.Local // the rank's folder was merged into OUTDIR
	}
	if errors.Is(err, run.ErrFinished) {
		if isMerged {
			fmt.Fprintf(stderr, "winnow: rank %d was already merged into %s; nothing to do\n", merged.Rank, merged.OutDir)
		} else {
			fmt.Fprintf(stderr, "winnow: %s: the run already finished; nothing to do\n", outDir)
		}
		f.quiet = true // the summary was printed by the run that finished
		err = nil
	}
	if err != nil {
		return interrupted(err, "rerun with --resume to finish")
	}
	if !f.quiet {
		st.WriteSummary(stderr)
	}
	if err := f.report.write(outDir); err != nil {
		return err
	}
	if err := dst.Publish(cmd.Context()); err != nil {
		return err
	}
	if st.Incomplete() {
		if dst.Remote() {
			outDir = dst.URL() // the staging folder is gone
		}
		return &incompleteError{unreadable: st.Inputs.Unreadable, rejected: st.Rejected.Total, outDir: outDir}
	}
	return nil
}

func newStepsCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "steps",
		Short: "List the stages a config may name, with their default options",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return listSteps(stdout)
		},
	}
}

// listSteps prints each stage's name, doc and default config as YAML, in
// the registry's order, and the default pipeline.
func listSteps(w io.Writer) error {
	for _, s := range steps.All() {
		var b strings.Builder
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(map[string]any{s.Name: s.Config()}); err != nil {
			return fmt.Errorf("steps: %s: %w", s.Name, err)
		}
		enc.Close()
		fmt.Fprintf(w, "# %s: %s\n%s\n", s.Name, s.Doc, b.String())
	}
	var names []string
	for _, s := range config.Default().Steps {
		names = append(names, s.Name)
	}
	fmt.Fprintf(w, "# default pipeline: [%s]\n", strings.Join(names, ", "))
	return nil
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print winnow's version",
		Args:  cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			fmt.Fprintln(stdout, "winnow", winnowVersion())
		},
	}
}
