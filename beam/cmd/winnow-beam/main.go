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
// table of winnow run from its stats.json. Exit codes, as winnow run's:
// 0 done, 1 missing flags, a pipeline that could not be built or a job
// that failed, 2 flags that do not parse, 3 finished with unreadable
// inputs or rejected records (see OUTDIR/rejects and stats.json).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"winnow/beam/pipeline"
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
		overwrite = flag.Bool("overwrite", false, "remove earlier output in the output folder (every object under a prefix) first")
		added     = flag.String("added", "", "RFC 3339 time for documents without one (default: input file modification time)")
	)
	flag.Var(&in, "input", "input file, folder, glob or s3:// or gs:// URL (repeatable)")
	flag.Parse()
	beam.Init()
	log.SetFlags(0)
	log.SetPrefix("winnow-beam: ")
	if len(in) == 0 || *output == "" {
		log.Fatal("--input and --output are required (see -help)")
	}
	opt := pipeline.Options{Inputs: in, OutDir: *output, Overwrite: *overwrite, Added: *added}
	if *cfgPath != "" {
		b, err := os.ReadFile(*cfgPath)
		if err != nil {
			log.Fatal(err)
		}
		opt.Config, opt.ConfigName = b, *cfgPath
	}
	p, s := beam.NewPipelineWithRoot()
	if err := pipeline.Build(s, opt); err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := beamx.Run(ctx, p); err != nil {
		log.Fatal(err)
	}
	st, err := pipeline.ReadStats(ctx, *output)
	if errors.Is(err, fs.ErrNotExist) {
		// an asynchronous submission (--async) returns before the job ends
		fmt.Fprintf(os.Stderr, "winnow-beam: the job returned without writing %s/stats.json; it may still be running\n", strings.TrimSuffix(*output, "/"))
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	st.WriteSummary(os.Stderr)
	if st.Incomplete() {
		// exit code 3, as winnow run: finished, with unreadable inputs or
		// rejected records (see rejects/)
		fmt.Fprintf(os.Stderr, "winnow-beam: %s\n", run.IncompleteMessage(st.Inputs.Unreadable, st.Rejected.Total, strings.TrimSuffix(*output, "/")))
		os.Exit(3)
	}
}
