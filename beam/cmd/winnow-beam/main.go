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
// Dataflow, ...); see docs/beam.md. Exit codes: 0 done, 1 missing
// flags, a pipeline that could not be built or a job that failed, 2 flags
// that do not parse. Failures end through log.Fatal: the repository's
// lint test allows os.Exit only under the top-level cmd/.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"winnow/beam/pipeline"
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
	if err := beamx.Run(context.Background(), p); err != nil {
		log.Fatal(err)
	}
}
