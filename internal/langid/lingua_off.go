//go:build !lingua

package langid

import "errors"

// LinguaBuilt reports whether this binary has the lingua backend.
const LinguaBuilt = false

func newLingua([]string) (detector, error) {
	return nil, errors.New("langid: the lingua backend is not in this binary; build with -tags lingua")
}
