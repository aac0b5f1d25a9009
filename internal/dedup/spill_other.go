//go:build !unix

package dedup

import (
	"fmt"
	"os"
)

// newSpill creates a spill folder for the part named base in dir and
// returns it with release, which removes it. Without flock, the folders
// of killed copies are not removed here; the dedup phase removes the
// edges folder at the end.
func newSpill(dir, base string) (string, func(), error) {
	spill, err := os.MkdirTemp(dir, ".sort-"+base+"-")
	if err != nil {
		return "", nil, fmt.Errorf("dedup: %w", err)
	}
	return spill, func() { os.RemoveAll(spill) }, nil
}
