package dedup

import "slices"

func slicesSort(s []uint64) { slices.Sort(s) }
