//go:build !unix

package jsonl

import "time"

func cpuTime() time.Duration { return 0 }
