// Command winnow turns raw web crawls (WARC/WET, JSONL) into clean,
// deduplicated text corpora.
//
//	winnow run INPUT... -o OUTDIR [--workers N] [--config pipeline.yaml | --preset NAME]
//	winnow dedup OUTDIR
//	winnow explain INPUT --id ID
//	winnow preset list | show NAME
//	winnow steps
//	winnow version
//
// Exit codes: 0 the run finished and every input and record was read;
// 1 the run failed (bad flags or config, no input at all, output not
// writable, a stage error, or SIGINT/SIGTERM: "interrupted; rerun with
// --resume to finish"); 3 the run finished but some inputs or records
// were unreadable (they are listed in OUTDIR/rejects and stats.json);
// winnow merge and winnow dedup exit 3 likewise when the merged stats
// count unreadable inputs or rejected records of any rank. Documents
// dropped by a stage are the pipeline's job and do not change
// the exit code.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"winnow/internal/run"
)

// Exit codes, as restic numbers them.
const (
	exitOK         = 0
	exitFailed     = 1
	exitIncomplete = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode maps an error to the process exit code, reporting it on
// stderr. It is the one place where errors become exit codes.
func exitCode(err error, stderr io.Writer) int {
	var inc *incompleteError
	var intr *interruptedError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &intr):
		fmt.Fprintf(stderr, "winnow: %v\n", intr)
		return exitFailed
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "winnow: interrupted")
		return exitFailed
	case errors.As(err, &inc):
		fmt.Fprintf(stderr, "winnow: %v\n", err)
		return exitIncomplete
	default:
		fmt.Fprintf(stderr, "winnow: %v\n", err)
		return exitFailed
	}
}

// interruptedError says that a signal stopped a command that can be
// finished by running it again; hint says how.
type interruptedError struct{ hint string }

func (e *interruptedError) Error() string { return "interrupted; " + e.hint }

// interrupted turns a cancellation (SIGINT, SIGTERM) into an
// interruptedError with hint; other errors pass through.
func interrupted(err error, hint string) error {
	if errors.Is(err, context.Canceled) {
		return &interruptedError{hint: hint}
	}
	return err
}

// incompleteError says that a run finished but could not read everything.
type incompleteError struct {
	unreadable int
	rejected   int64
	outDir     string
}

func (e *incompleteError) Error() string {
	return run.IncompleteMessage(e.unreadable, e.rejected, e.outDir)
}
