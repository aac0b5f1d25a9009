package run

import (
	"errors"
	"io"
	"testing"
)

// fakeConsole reports a fixed terminal size.
type fakeConsole struct {
	io.Writer
	w, h int
	err  error
}

func (fakeConsole) ReadFrom(io.Reader) (int64, error) { return 0, nil }
func (fakeConsole) IsTerminal() bool                  { return true }
func (c fakeConsole) GetTermSize() (int, int, error)  { return c.w, c.h, c.err }
func (fakeConsole) Flush(int) error                   { return nil }

// TestSizedConsole: a terminal that reports no width (a pty of script(1))
// gets a default size, so the bar is drawn instead of nothing.
func TestSizedConsole(t *testing.T) {
	for _, tc := range []struct {
		name         string
		w, h         int
		err          error
		wantW, wantH int
	}{
		{"real size", 120, 40, nil, 120, 40},
		{"zero size (script -qc)", 0, 0, nil, defaultTermWidth, defaultTermHeight},
		{"no height", 100, 0, nil, 100, defaultTermHeight},
		{"error", 0, 0, errors.New("inappropriate ioctl"), defaultTermWidth, defaultTermHeight},
	} {
		w, h, err := sizedConsole{fakeConsole{Writer: io.Discard, w: tc.w, h: tc.h, err: tc.err}}.GetTermSize()
		if err != nil || w != tc.wantW || h != tc.wantH {
			t.Errorf("%s: %d×%d, %v; want %d×%d", tc.name, w, h, err, tc.wantW, tc.wantH)
		}
	}
}
