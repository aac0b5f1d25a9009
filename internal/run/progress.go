package run

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vbauerster/cupwriter"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// DefaultProgressEvery is the period of progress lines when the progress
// writer is not a terminal.
const DefaultProgressEvery = 10 * time.Second

// startProgress shows progress on w until the returned stop is called.
// On a terminal it draws an mpb bar over the input bytes; elsewhere it
// writes one line every period. A nil w shows nothing.
func startProgress(w io.Writer, every time.Duration, c *counters) (stop func()) {
	if w == nil {
		return func() {}
	}
	if every <= 0 {
		every = DefaultProgressEvery
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return startBar(f, c)
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintln(w, progressLine(c, time.Since(c.start)))
			}
		}
	}()
	return func() { close(done); <-finished }
}

// progressLine is one line of progress: inputs read, documents written
// (kept or dropped), their rates, and the share done and ETA from the
// input bytes whose documents have been written against the total input
// bytes. Input read ahead into batches still in the workers does not
// count as done.
func progressLine(c *counters, elapsed time.Duration) string {
	done := c.bytesWritten.Load()
	docs := c.docsWritten.Load()
	sec := elapsed.Seconds()
	s := fmt.Sprintf("winnow: %d/%d inputs read, %d documents written, %s", c.filesDone.Load(), c.filesTotal, docs, rates(docs, done, sec))
	if done > 0 && c.bytesTotal > 0 {
		pct := 100 * float64(done) / float64(c.bytesTotal)
		s += fmt.Sprintf(", %.0f%%", min(pct, 100))
		if eta := etaOf(done, c.bytesTotal, elapsed); eta >= 0 {
			s += ", eta " + eta.String()
		}
	}
	return s
}

func rates(docs, bytes int64, sec float64) string {
	if sec <= 0 {
		return "0 docs/s, 0.0 MB/s"
	}
	return fmt.Sprintf("%.0f docs/s, %.1f MB/s", float64(docs)/sec, float64(bytes)/1e6/sec)
}

// etaOf extrapolates linearly: the rest of the bytes at the rate so far.
// It returns -1 when nothing has been consumed yet.
func etaOf(done, total int64, elapsed time.Duration) time.Duration {
	if done <= 0 {
		return -1
	}
	rest := float64(max(total-done, 0)) * float64(elapsed) / float64(done)
	return time.Duration(rest).Round(time.Second)
}

// defaultTermWidth and defaultTermHeight stand in for the size of a
// terminal that reports none.
const defaultTermWidth, defaultTermHeight = 80, 24

// sizedConsole is mpb's console writer with a default size for terminals
// that report a width of 0: a pty opened by script(1) or a CI runner
// without a controlling terminal. mpb takes the reported width as is and
// would draw nothing at all.
type sizedConsole struct{ mpb.ConsoleWriter }

func (c sizedConsole) GetTermSize() (width, height int, err error) {
	width, height, err = c.ConsoleWriter.GetTermSize()
	if err != nil || width <= 0 {
		return defaultTermWidth, defaultTermHeight, nil
	}
	if height <= 0 {
		height = defaultTermHeight
	}
	return width, height, nil
}

// startBar draws a live bar on a terminal.
func startBar(f *os.File, c *counters) func() {
	p := mpb.New(mpb.WithOutput(f), mpb.WithConsoleWriter(sizedConsole{cupwriter.New(f, false)}),
		mpb.WithWidth(32), mpb.WithRefreshRate(200*time.Millisecond))
	bar := p.New(max(c.bytesTotal, 1), mpb.BarStyle(),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string {
			return fmt.Sprintf("%d/%d inputs read", c.filesDone.Load(), c.filesTotal)
		}, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			el := time.Since(c.start)
			docs, done := c.docsWritten.Load(), c.bytesWritten.Load()
			s := fmt.Sprintf("%d docs written, %s", docs, rates(docs, done, el.Seconds()))
			if eta := etaOf(done, c.bytesTotal, el); eta >= 0 {
				s += ", eta " + eta.String()
			}
			return s
		})),
	)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				if w := c.bytesWritten.Load(); w < c.bytesTotal {
					// interrupted or failed: leave the bar where it stopped
					bar.SetCurrent(w)
					bar.Abort(false)
					return
				}
				bar.SetCurrent(max(c.bytesTotal, 1))
				return
			case <-t.C:
				bar.SetCurrent(min(c.bytesWritten.Load(), max(c.bytesTotal, 1)))
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		p.Wait()
	}
}
