//go:build !cloud

package blob

import (
	"context"
	"fmt"
	"io"
)

// Enabled says whether the object storage drivers are compiled in.
const Enabled = false

func errNoCloud(l Location) error {
	return fmt.Errorf("blob: %s: this winnow was built without object storage support (build with -tags cloud)", l)
}

func openRange(_ context.Context, l Location, _ int64) (io.ReadCloser, int64, error) {
	return nil, 0, errNoCloud(l)
}

func openReaderAt(_ context.Context, l Location) (ReaderAt, int64, error) {
	return nil, 0, errNoCloud(l)
}

func stat(_ context.Context, l Location) (Info, error) { return Info{}, errNoCloud(l) }

func exists(_ context.Context, l Location) (bool, error) { return false, errNoCloud(l) }

func listKeys(_ context.Context, l Location, _ string) ([]string, error) {
	return nil, errNoCloud(l)
}

func remove(_ context.Context, l Location) error { return errNoCloud(l) }

func upload(_ context.Context, l Location, _ string) error { return errNoCloud(l) }
