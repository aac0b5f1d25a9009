package fasttext

// scored is one (log-probability, label index) pair of fastText's
// Predictions.
type scored struct {
	score float32
	label int32
}

// less is loss.cc comparePairs (l.first > r.first): the heap is a
// min-heap on score, so its front is the worst of the k best.
func less(a, b scored) bool { return a.score > b.score }

// The heap functions below follow libstdc++'s bits/stl_heap.h
// (__push_heap, __adjust_heap, __pop_heap, sort_heap) step for step, so
// that labels with equal scores come out in the reference's order.

// siftUp is __push_heap(first, hole, top, value).
func siftUp(h []scored, hole, top int, v scored) {
	parent := (hole - 1) / 2
	for hole > top && less(h[parent], v) {
		h[hole] = h[parent]
		hole = parent
		parent = (hole - 1) / 2
	}
	h[hole] = v
}

// pushHeap is std::push_heap over all of h.
func pushHeap(h []scored) {
	if len(h) > 1 {
		siftUp(h, len(h)-1, 0, h[len(h)-1])
	}
}

// adjustHeap is __adjust_heap(first, hole, n, value).
func adjustHeap(h []scored, hole, n int, v scored) {
	top := hole
	child := hole
	for child < (n-1)/2 {
		child = 2 * (child + 1)
		if less(h[child], h[child-1]) {
			child--
		}
		h[hole] = h[child]
		hole = child
	}
	if n&1 == 0 && child == (n-2)/2 {
		child = 2 * (child + 1)
		h[hole] = h[child-1]
		hole = child - 1
	}
	siftUp(h, hole, top, v)
}

// popHeap is std::pop_heap over all of h: the front moves to the end.
func popHeap(h []scored) {
	if n := len(h); n > 1 {
		v := h[n-1]
		h[n-1] = h[0]
		adjustHeap(h, 0, n-1, v)
	}
}

// sortHeap is std::sort_heap: best score first.
func sortHeap(h []scored) {
	for n := len(h); n > 1; n-- {
		popHeap(h[:n])
	}
}
