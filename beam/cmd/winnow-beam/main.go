// Command winnow-beam runs a winnow pipeline config on Apache Beam.
//
//	winnow-beam --input 'crawl/*.warc.gz' [--input more.jsonl.gz] --output OUTDIR \
//	    [--config pipeline.yaml] [--overwrite] [--added RFC3339] \
//	    [--runner prism|direct|flink|spark|dataflow] [runner flags]
//
// INPUT and OUTDIR may be s3:// or gs:// URLs when the command is built
// with -tags cloud (and its workers too; see docs/beam.md).
// The runner flags are the Beam Go SDK's own (--endpoint for a Flink or
// Spark job server, --project, --region and --staging_location for
// Dataflow, ...); see docs/beam.md. A finished job prints the summary
// table of winnow run from its stats.json. A local OUTDIR is locked as
// winnow run locks it for the whole job; --overwrite removes the earlier
// output when the job starts on the runner. Exit codes, as winnow run's:
// 0 done, 1 missing flags, a pipeline that could not be built, an OUTDIR
// in use or a job that failed (one line on stderr says what failed), 2
// flags that do not parse, 3 finished with unreadable inputs or rejected
// records (see OUTDIR/rejects and stats.json).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/options/jobopts"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"winnow/beam/pipeline"
	"winnow/internal/blob"
	"winnow/internal/run"
)

// inputs collects repeated --input flags.
type inputs []string

func (in *inputs) String() string     { return strings.Join(*in, ",") }
func (in *inputs) Set(v string) error { *in = append(*in, v); return nil }

func main() {
	var (
		in        inputs
		output    = flag.String("output", "", "output folder or s3:// or gs:// prefix (documents/, rejects/ and stats.json)")
		cfgPath   = flag.String("config", "", "pipeline config YAML (default: winnow's default pipeline)")
		overwrite = flag.Bool("overwrite", false, "remove earlier output in the output folder (winnow's own files or objects) when the job starts")
		added     = flag.String("added", "", "RFC 3339 time for documents without one (default: input file modification time)")
	)
	flag.Var(&in, "input", "input file, folder, glob or s3:// or gs:// URL (repeatable)")
	flag.Parse()
	beam.Init()
	if len(in) == 0 || *output == "" {
		fmt.Fprintln(os.Stderr, "winnow-beam: --input and --output are required (see -help)")
		os.Exit(1)
	}
	opt := pipeline.Options{Inputs: in, OutDir: *output, Overwrite: *overwrite, Added: *added}
	if *cfgPath != "" {
		b, err := os.ReadFile(*cfgPath)
		if err != nil {
			fmt.Fprintf(os.Stderr, "winnow-beam: config: %v\n", err)
			os.Exit(1)
		}
		opt.Config, opt.ConfigName = b, *cfgPath
	}
	if err := checkRunner(*runners.Runner); err != nil {
		fmt.Fprintf(os.Stderr, "winnow-beam: %v\n", err)
		os.Exit(1)
	}
	os.Exit(launch(context.Background(), opt, *jobopts.Async, beamx.Run, os.Stderr))
}

// knownRunners are the names the runners that beamx imports register
// (beam/runners/{dataflow,direct,dot,flink,prism,spark,universal}); the
// SDK exits the process with a log line, not an error, on another name.
var knownRunners = []string{"prism", "direct", "dataflow", "flink", "spark", "universal", "portable", "dot",
	"PrismRunner", "DirectRunner", "DataflowRunner", "FlinkRunner", "SparkRunner", "PortableRunner"}

// checkRunner refuses a --runner name no imported runner registered
// ("" is beamx's default, prism).
func checkRunner(name string) error {
	if name == "" || slices.Contains(knownRunners, name) {
		return nil
	}
	return fmt.Errorf("--runner %s: no such runner (want one of prism, direct, dataflow, flink, spark, universal)", name)
}

// launch builds the job of opt and runs it with runJob (beamx.Run: the
// runner named by --runner), then prints the summary of its stats.json
// to stderr. A local output folder is locked (pipeline.LockOut, the lock
// of winnow run) from before the job is built until it ends, unless the
// submission is asynchronous (the launcher does not see the job end, so
// the lock is held only while the job is built and submitted). It
// returns the exit code: 0 done, 1 a job that could not be built or
// failed (one line on stderr saying what failed), 3 finished with
// unreadable inputs or rejected records.
func launch(ctx context.Context, opt pipeline.Options, async bool, runJob func(context.Context, *beam.Pipeline) error, stderr io.Writer) int {
	fail := func(what string, err error) int {
		fmt.Fprintf(stderr, "winnow-beam: %s: %s\n", what, oneLine(err))
		return 1
	}
	_, statErr := os.Stat(opt.OutDir)
	created := errors.Is(statErr, fs.ErrNotExist)
	lock, err := pipeline.LockOut(opt.OutDir)
	if err != nil {
		// names the folder and, when in use, the holder
		fmt.Fprintf(stderr, "winnow-beam: %s\n", oneLine(err))
		return 1
	}
	defer lock.Unlock()
	if !blob.IsURL(opt.OutDir) {
		// a job that wrote nothing leaves no .run folder (a folder walk
		// would take the folder for an output) nor a folder it created
		defer run.DropLock(opt.OutDir, created)
	}
	p, s := beam.NewPipelineWithRoot()
	if err := pipeline.Build(s, opt); err != nil {
		// every line: a config holds several errors, each with its line
		for _, l := range strings.Split(strings.TrimSpace(err.Error()), "\n") {
			fmt.Fprintf(stderr, "winnow-beam: building the job: %s\n", l)
		}
		return 1
	}
	if err := runJob(ctx, p); err != nil {
		return fail("the job failed", err)
	}
	out := strings.TrimSuffix(opt.OutDir, "/")
	st, err := pipeline.ReadStats(ctx, opt.OutDir)
	if errors.Is(err, fs.ErrNotExist) {
		if async {
			fmt.Fprintf(stderr, "winnow-beam: job submitted (--async); %s/stats.json is written when it finishes\n", out)
			return 0
		}
		return fail("the job ended without writing "+out+"/stats.json", err)
	}
	if err != nil {
		return fail("reading "+out+"/stats.json", err)
	}
	st.WriteSummary(stderr)
	if st.Incomplete() {
		// exit code 3, as winnow run: finished, with unreadable inputs or
		// rejected records (see rejects/)
		fmt.Fprintf(stderr, "winnow-beam: %s\n", run.IncompleteMessage(st.Inputs.Unreadable, st.Rejected.Total, out))
		return 3
	}
	return 0
}

// oneLine reduces a runner's error to one line: the innermost message
// of this module's code (from "pipeline: ", which names the file when
// one is known) on the last line that holds one, else the last non-empty
// line (a runner puts the cause of a failed bundle last, after its plan).
func oneLine(err error) string {
	lines := strings.Split(err.Error(), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		for j := 0; ; {
			k := strings.Index(l[j:], "pipeline: ")
			if k < 0 {
				break
			}
			k += j
			if k == 0 || l[k-1] == ' ' || l[k-1] == ':' || l[k-1] == '\t' {
				return strings.TrimSpace(l[k:])
			}
			j = k + 1
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return err.Error()
}
