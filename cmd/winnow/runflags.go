package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"winnow/internal/config"
)

// checkRunFlags validates the values of winnow run's flags before any
// config is read, so that a bad value is reported under the flag's name
// (not as a config key) and never silently replaced by a default. It
// checks only flags given on the command line; every problem is reported.
func checkRunFlags(fl *pflag.FlagSet, f *runFlags) error {
	var errs []error
	bad := func(flag, format string, args ...any) {
		errs = append(errs, fmt.Errorf("run: --%s: %s", flag, fmt.Sprintf(format, args...)))
	}
	if fl.Changed("workers") && f.workers < 1 {
		bad("workers", "must be at least 1, got %d", f.workers)
	}
	if fl.Changed("max-shard-bytes") && f.maxShardBytes < 1 {
		bad("max-shard-bytes", "must be at least 1 byte, got %d (leave the flag out for the config's value, default 512 MiB)", f.maxShardBytes)
	}
	if fl.Changed("progress-every") && f.progressEvery <= 0 {
		bad("progress-every", "must be a positive duration such as 10s, got %v", f.progressEvery)
	}
	if fl.Changed("report-sample") && f.report.sample < 1 {
		bad("report-sample", "must be at least 1 document, got %d", f.report.sample)
	}
	if fl.Changed("compression") && !slices.Contains(config.Compressions, f.compression) {
		bad("compression", "unknown compression %q (want one of %s)", f.compression, strings.Join(config.Compressions, ", "))
	}
	if fl.Changed("output-format") && !slices.Contains(config.Formats, f.outputFormat) {
		bad("output-format", "unknown format %q (want one of %s)", f.outputFormat, strings.Join(config.Formats, ", "))
	}
	if fl.Changed("text-field") && f.textField == "" {
		bad("text-field", "must not be empty")
	}
	switch rank, world := fl.Changed("rank"), fl.Changed("world-size"); {
	case rank && !world:
		bad("rank", "needs --world-size, the number of ranks the inputs are split among")
	case world && !rank:
		bad("world-size", "needs --rank, the share of the inputs this process takes (0 to %d)", max(f.worldSize-1, 0))
	case world && f.worldSize < 1:
		bad("world-size", "must be at least 1, got %d", f.worldSize)
	case rank && (f.rank < 0 || f.rank >= f.worldSize):
		bad("rank", "must be in [0, %d) for --world-size %d, got %d", f.worldSize, f.worldSize, f.rank)
	}
	return errors.Join(errs...)
}
