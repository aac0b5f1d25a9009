package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"winnow/internal/config"
	"winnow/internal/report"
	"winnow/internal/run"
)

// reportFlags are the report options of winnow run.
type reportFlags struct {
	on     bool
	sample int
}

func (r *reportFlags) add(fl *pflag.FlagSet) {
	fl.BoolVar(&r.on, "report", false, "collect a sample and histograms during the run and write OUTDIR/report.html at the end (turns on the quality stages' attributes and clean's explain)")
	fl.IntVar(&r.sample, "report-sample", report.DefaultSampleSize, "documents sampled per drop reason, per cleaning rule and of kept documents")
}

// prepare turns on what the report needs in cfg and sets the run's
// observer.
func (r *reportFlags) prepare(cfg *config.Config, opt *run.Options) {
	if !r.on {
		return
	}
	report.Enable(cfg)
	opt.Observer = report.NewCollector(report.Options{SampleSize: r.sample})
}

// write renders OUTDIR/report.html after the run.
func (r *reportFlags) write(outDir string) error {
	if !r.on {
		return nil
	}
	return report.Write(outDir, filepath.Join(outDir, "report.html"))
}

func newReportCmd(stdout io.Writer) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report OUTDIR [-o report.html]",
		Short: "Write an HTML report of what a run (made with --report) kept and dropped",
		Long: `Report reads OUTDIR/stats.json and the sample and histograms that
"winnow run --report" left in OUTDIR/report, and writes one self-contained
HTML file (inline CSS and SVG, no network): totals, the funnel through the
steps, drops per rule, histograms of the quality signals with the
thresholds, languages, duplicate clusters, and per rule a sample of dropped
documents and removed spans beside their cleaned text.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needLocal(args[0]); err != nil {
				return err
			}
			if out == "" {
				out = filepath.Join(args[0], "report.html")
			} else if fi, err := os.Stat(out); err == nil && fi.IsDir() {
				out = filepath.Join(out, "report.html") // -o names a folder
			}
			if err := report.Write(args[0], out); err != nil {
				return err
			}
			fmt.Fprintln(stdout, out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "HTML file to write, or a folder to write report.html in (default OUTDIR/report.html)")
	return cmd
}
