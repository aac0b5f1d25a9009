package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"winnow/internal/clean"
	"winnow/internal/eval"
	"winnow/internal/extract"
)

// newEvalCmd is "winnow eval", the parent of the evaluation commands.
func newEvalCmd(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Measure winnow against public benchmarks",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newEvalExtractionCmd(stdout))
	return cmd
}

type evalExtractionFlags struct {
	benchmark string
	limit     int
	diff      string
	noClean   bool
	favor     string
	extractor string
}

func newEvalExtractionCmd(stdout io.Writer) *cobra.Command {
	var f evalExtractionFlags
	cmd := &cobra.Command{
		Use:   "extraction BENCHMARK_DIR",
		Short: "Score winnow's HTML path on extraction benchmarks",
		Long: `Extraction runs winnow's HTML path (charset detection, extraction, the
clean step) on every page of a main-content extraction benchmark and prints
precision, recall and F1 by the benchmark's own scoring method, per page
type for WCXB, and pages per second (wall, and per core from CPU time).

BENCHMARK_DIR is one benchmark folder (Scrapinghub's article extraction
benchmark, trafilatura's evaluation set or WCXB's test split, laid out as in
the shared corpus) or a folder holding several; all found are run unless
--benchmark names one.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEvalExtraction(args[0], &f, stdout)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.benchmark, "benchmark", "", "run only this benchmark: "+strings.Join(eval.Names, ", "))
	fl.IntVar(&f.limit, "limit", 0, "score N pages spread evenly over each benchmark (0: all)")
	fl.StringVar(&f.diff, "diff", "", "write per-page missed and extra text into this folder")
	fl.BoolVar(&f.noClean, "no-clean", false, "score the extract step's text without the clean step")
	fl.StringVar(&f.favor, "favor", "", `extract favor: "precision", "recall" or "" (balanced)`)
	fl.StringVar(&f.extractor, "extractor", "winnow", `"winnow", or a baseline: "go-trafilatura" (defaults, its own charset detection) or "go-trafilatura-fallback"`)
	return cmd
}

func runEvalExtraction(dir string, f *evalExtractionFlags, stdout io.Writer) error {
	if f.benchmark != "" && !slices.Contains(eval.Names, f.benchmark) {
		return fmt.Errorf("eval: unknown benchmark %q (want %s)", f.benchmark, strings.Join(eval.Names, ", "))
	}
	found, err := eval.Find(dir)
	if err != nil {
		return err
	}
	ecfg := extract.DefaultConfig()
	ecfg.Favor = f.favor
	if err := ecfg.Validate(); err != nil {
		return err
	}
	var ccfg *clean.Config
	if !f.noClean {
		c := clean.DefaultConfig()
		ccfg = &c
	}
	var ex eval.Extractor
	switch f.extractor {
	case "winnow":
		ex = eval.HTMLPath(ecfg, ccfg)
	case "go-trafilatura":
		ex = eval.GoTrafilatura(false)
	case "go-trafilatura-fallback":
		ex = eval.GoTrafilatura(true)
	default:
		return fmt.Errorf("eval: unknown extractor %q (want winnow, go-trafilatura or go-trafilatura-fallback)", f.extractor)
	}
	ran := 0
	for _, name := range eval.Names {
		sub, ok := found[name]
		if !ok || f.benchmark != "" && f.benchmark != name {
			continue
		}
		b, err := eval.Load(sub, name)
		if err != nil {
			return err
		}
		pages := b.Sample(f.limit)
		rep, err := eval.Run(name, pages, ex)
		if err != nil {
			return err
		}
		rep.WriteSummary(stdout)
		if f.diff != "" {
			if err := rep.WriteDiffs(f.diff, pages); err != nil {
				return err
			}
		}
		ran++
	}
	if ran == 0 {
		return fmt.Errorf("eval: benchmark %s not found in %s", f.benchmark, dir)
	}
	return nil
}
