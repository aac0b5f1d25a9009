package dedup

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// rec is one record of the external sort, ordered by (A, B, C).
type rec struct{ A, B, C uint64 }

const recSize = 24

func cmpRec(x, y rec) int {
	if c := cmp.Compare(x.A, y.A); c != 0 {
		return c
	}
	if c := cmp.Compare(x.B, y.B); c != 0 {
		return c
	}
	return cmp.Compare(x.C, y.C)
}

// sorter is an external sort of recs: it keeps at most budget bytes of
// records in memory, sorts them and spills them as a run file in dir when
// the budget is full, and merges the runs k-way at the end. Memory is
// budget plus one 64 KiB read buffer per run.
type sorter struct {
	dir    string
	prefix string
	max    int
	buf    []rec
	runs   []string
	n      int64
}

func newSorter(dir, prefix string, budget int64) *sorter {
	m := int(budget / recSize)
	m = max(m, 1024)
	return &sorter{dir: dir, prefix: prefix, max: m}
}

func (s *sorter) add(r rec) error {
	if len(s.buf) == s.max {
		if err := s.spill(); err != nil {
			return err
		}
	}
	s.buf = append(s.buf, r)
	s.n++
	return nil
}

func (s *sorter) spill() error {
	slices.SortFunc(s.buf, cmpRec)
	name := filepath.Join(s.dir, fmt.Sprintf("%s-%05d.run", s.prefix, len(s.runs)))
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	var b [recSize]byte
	for _, r := range s.buf {
		binary.LittleEndian.PutUint64(b[0:], r.A)
		binary.LittleEndian.PutUint64(b[8:], r.B)
		binary.LittleEndian.PutUint64(b[16:], r.C)
		if _, err := w.Write(b[:]); err != nil {
			f.Close()
			return fmt.Errorf("dedup: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("dedup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	s.runs = append(s.runs, name)
	s.buf = s.buf[:0]
	return nil
}

// each calls fn for every record in sorted order, then removes the run
// files. The sorter cannot be used afterwards.
func (s *sorter) each(fn func(rec) error) error {
	defer s.cleanup()
	slices.SortFunc(s.buf, cmpRec)
	if len(s.runs) == 0 {
		for _, r := range s.buf {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	h := &mergeHeap{}
	for _, name := range s.runs {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("dedup: %w", err)
		}
		src := &runReader{f: f, r: bufio.NewReaderSize(f, 1<<16)}
		defer f.Close()
		if ok, err := src.next(); err != nil {
			return err
		} else if ok {
			h.items = append(h.items, src)
		}
	}
	if len(s.buf) > 0 {
		mem := &runReader{mem: s.buf}
		mem.next()
		h.items = append(h.items, mem)
	}
	heap.Init(h)
	for len(h.items) > 0 {
		top := h.items[0]
		if err := fn(top.cur); err != nil {
			return err
		}
		ok, err := top.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return nil
}

func (s *sorter) cleanup() {
	for _, name := range s.runs {
		os.Remove(name)
	}
	s.runs = nil
	s.buf = nil
}

type runReader struct {
	f   *os.File
	r   *bufio.Reader
	mem []rec
	cur rec
	b   [recSize]byte
}

func (r *runReader) next() (bool, error) {
	if r.r == nil {
		if len(r.mem) == 0 {
			return false, nil
		}
		r.cur, r.mem = r.mem[0], r.mem[1:]
		return true, nil
	}
	if _, err := io.ReadFull(r.r, r.b[:]); err != nil {
		if err == io.EOF {
			return false, nil
		}
		return false, fmt.Errorf("dedup: reading sort run: %w", err)
	}
	r.cur = rec{binary.LittleEndian.Uint64(r.b[0:]), binary.LittleEndian.Uint64(r.b[8:]), binary.LittleEndian.Uint64(r.b[16:])}
	return true, nil
}

type mergeHeap struct{ items []*runReader }

func (h *mergeHeap) Len() int           { return len(h.items) }
func (h *mergeHeap) Less(i, j int) bool { return cmpRec(h.items[i].cur, h.items[j].cur) < 0 }
func (h *mergeHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *mergeHeap) Push(x any)         { h.items = append(h.items, x.(*runReader)) }
func (h *mergeHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// unionFind is a disjoint-set forest over document ordinals with union by
// size and path halving; 8 bytes per document.
type unionFind struct {
	parent []uint32
	size   []uint32
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]uint32, n), size: make([]uint32, n)}
	for i := range u.parent {
		u.parent[i] = uint32(i)
		u.size[i] = 1
	}
	return u
}

func (u *unionFind) find(x uint32) uint32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(x, y uint32) {
	x, y = u.find(x), u.find(y)
	if x == y {
		return
	}
	if u.size[x] < u.size[y] || (u.size[x] == u.size[y] && y < x) {
		x, y = y, x
	}
	u.parent[y] = x
	u.size[x] += u.size[y]
}
