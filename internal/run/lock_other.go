//go:build !unix

package run

import "os"

// flock is not available: the lock is not taken.
func flock(*os.File, bool) (bool, error) { return true, nil }
