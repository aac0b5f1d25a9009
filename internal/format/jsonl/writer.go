package jsonl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"winnow"
)

// ShardWriter writes documents to rotating JSONL shards, with aligned
// side files and stand-off attribute files (see the package doc). It
// implements winnow.Writer: the first error is sticky, Close commits, and
// a failed writer leaves nothing partial under a final name. It is not
// safe for concurrent use.
//
// Document text is encoded as UTF-8 without HTML escaping; invalid UTF-8
// in a Doc's strings is replaced with U+FFFD by encoding/json, so stages
// are expected to hand over valid UTF-8 (the reader guarantees it).
type ShardWriter struct {
	s   *shards
	enc *encoder

	sideKeys  []string         // every side key seen, in order of arrival
	sideFirst map[string]int   // shard ordinal (0-based) where a key was first seen
	sideOpen  map[string]*file // side files of the open shard

	sets     []string
	setFirst map[string]int
	setOpen  map[string]*file
	setRow   map[string]map[string]any // per-set attributes of the current document
	ids      []string                  // ids of the open shard, for back-filling sets
}

// NewShardWriter writes document shards into dir, creating it.
func NewShardWriter(dir string, opt ShardOptions) (*ShardWriter, error) {
	s, err := newShards(dir, opt)
	if err != nil {
		return nil, err
	}
	return &ShardWriter{s: s, enc: newEncoder(),
		sideFirst: map[string]int{}, sideOpen: map[string]*file{},
		setFirst: map[string]int{}, setOpen: map[string]*file{}, setRow: map[string]map[string]any{},
	}, nil
}

// Write appends d to the current shard, rotating first when d would push
// the shard past MaxShardBytes.
func (w *ShardWriter) Write(d *winnow.Doc) error {
	s := w.s
	if s.err != nil {
		return s.err
	}
	if s.shut {
		return errors.New("jsonl: write after close")
	}
	line, err := w.enc.doc(d, !s.opt.StandoffAttributes)
	if err != nil {
		return s.fail(fmt.Errorf("jsonl: document %q: %w", d.ID, err))
	}
	opened, err := s.prepare(len(line))
	if err != nil {
		return err
	}
	if opened {
		w.ids = w.ids[:0]
		clear(w.sideOpen)
		clear(w.setOpen)
		if err := w.openCompanions(); err != nil {
			return s.fail(err)
		}
	}
	if err := s.add(line); err != nil {
		return err
	}
	if err := w.writeSide(d); err != nil {
		return s.fail(err)
	}
	if s.opt.StandoffAttributes {
		if err := w.writeSets(d); err != nil {
			return s.fail(err)
		}
		w.ids = append(w.ids, d.ID)
	}
	return nil
}

// ordinal is the 0-based count of shards opened so far minus one.
func (w *ShardWriter) ordinal() int { return w.s.index() - w.s.opt.FirstIndex }

// openCompanions opens the side and attribute files of a new shard for
// every key and set seen so far.
func (w *ShardWriter) openCompanions() error {
	for _, k := range w.sideKeys {
		if _, err := w.openSide(k, 0); err != nil {
			return err
		}
	}
	for _, set := range w.sets {
		if _, err := w.openSet(set); err != nil {
			return err
		}
	}
	return nil
}

func (w *ShardWriter) sidePath(k string, i int) string {
	return filepath.Join(w.s.opt.SideDir, k, shardName(i, ".bin"))
}

func (w *ShardWriter) setPath(set string, i int) string {
	return filepath.Join(w.s.opt.AttrDir, set, shardName(i, w.s.ext))
}

// openSide opens key k's side file of the open shard, with prefill empty
// records for the documents already in it.
func (w *ShardWriter) openSide(k string, prefill int64) (*file, error) {
	f, err := createFile(w.sidePath(k, w.s.index()), "none")
	if err != nil {
		return nil, err
	}
	w.s.comp = append(w.s.comp, f)
	w.sideOpen[k] = f
	if err := f.write(make([]byte, prefill)); err != nil {
		return nil, err
	}
	return f, nil
}

// openSet opens an attribute set's file of the open shard, with an empty
// row for every document already in it.
func (w *ShardWriter) openSet(set string) (*file, error) {
	f, err := createFile(w.setPath(set, w.s.index()), w.s.opt.Compression)
	if err != nil {
		return nil, err
	}
	w.s.comp = append(w.s.comp, f)
	w.setOpen[set] = f
	for _, id := range w.ids {
		if err := w.writeRow(f, id, nil); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// validName checks that a side key or attribute set can be a directory.
func validName(kind, name string) error {
	if name == "" || name == "." || name == ".." || strings.HasPrefix(name, ".") ||
		strings.ContainsAny(name, "/\\\x00") {
		return fmt.Errorf("jsonl: %s %q cannot be a directory name", kind, name)
	}
	return nil
}

func (w *ShardWriter) writeSide(d *winnow.Doc) error {
	if w.s.opt.SideDir == "" {
		return nil
	}
	if len(d.Side) > 0 {
		var fresh []string
		for k := range d.Side {
			if _, ok := w.sideFirst[k]; !ok {
				fresh = append(fresh, k)
			}
		}
		sort.Strings(fresh)
		for _, k := range fresh {
			if err := validName("side key", k); err != nil {
				return err
			}
			w.sideKeys = append(w.sideKeys, k)
			w.sideFirst[k] = w.ordinal()
			// The document itself is already counted in rows and its own
			// record is written below, so back-fill one fewer.
			if _, err := w.openSide(k, w.s.rows-1); err != nil {
				return err
			}
		}
	}
	var rec []byte
	for _, k := range w.sideKeys {
		v := d.Side[k]
		rec = binary.AppendUvarint(rec[:0], uint64(len(v)))
		rec = append(rec, v...)
		if err := w.sideOpen[k].write(rec); err != nil {
			return err
		}
	}
	return nil
}

// setOf is the attribute set of an attribute key.
func setOf(key string) string {
	if i := strings.IndexByte(key, '/'); i >= 0 {
		return key[:i]
	}
	return "attributes"
}

func (w *ShardWriter) writeSets(d *winnow.Doc) error {
	for _, m := range w.setRow {
		clear(m)
	}
	for k, v := range d.Attributes {
		set := setOf(k)
		m := w.setRow[set]
		if m == nil {
			m = map[string]any{}
			w.setRow[set] = m
		}
		m[k] = v
	}
	var fresh []string
	for set, m := range w.setRow {
		if _, ok := w.setFirst[set]; !ok && len(m) > 0 {
			fresh = append(fresh, set)
		}
	}
	sort.Strings(fresh)
	for _, set := range fresh {
		if err := validName("attribute set", set); err != nil {
			return err
		}
		w.sets = append(w.sets, set)
		w.setFirst[set] = w.ordinal()
		if _, err := w.openSet(set); err != nil {
			return err
		}
	}
	for _, set := range w.sets {
		if err := w.writeRow(w.setOpen[set], d.ID, w.setRow[set]); err != nil {
			return err
		}
	}
	return nil
}

// attrRow is one row of a stand-off attribute file.
type attrRow struct {
	ID         string         `json:"id"`
	Attributes map[string]any `json:"attributes"`
}

var emptyAttrs = map[string]any{}

func (w *ShardWriter) writeRow(f *file, id string, attrs map[string]any) error {
	if attrs == nil {
		attrs = emptyAttrs
	}
	line, err := w.enc.value(attrRow{ID: id, Attributes: attrs})
	if err != nil {
		return fmt.Errorf("jsonl: attributes of %q: %w", id, err)
	}
	return f.write(line)
}

// Close commits the open shard with its companion files, then writes the
// side and attribute files that earlier shards lack because their key or
// set first appeared later. Calling it twice is safe.
func (w *ShardWriter) Close() error {
	s := w.s
	if s.shut {
		return s.err
	}
	if err := s.close(); err != nil {
		return err
	}
	if err := w.backfill(); err != nil {
		s.err = err
		return err
	}
	return nil
}

// backfill writes the missing companion files of committed shards.
func (w *ShardWriter) backfill() error {
	first := w.s.opt.FirstIndex
	for _, k := range w.sideKeys {
		for j := 0; j < w.sideFirst[k]; j++ {
			f, err := createFile(w.sidePath(k, first+j), "none")
			if err != nil {
				return err
			}
			if err := f.write(make([]byte, w.s.dRows[j])); err != nil {
				f.abort()
				return err
			}
			if err := commitAll([]*file{f}); err != nil {
				return err
			}
		}
	}
	for j := range w.s.done {
		var late []string
		for _, set := range w.sets {
			if j < w.setFirst[set] {
				late = append(late, set)
			}
		}
		if len(late) > 0 {
			if err := w.backfillSets(j, late); err != nil {
				return err
			}
		}
	}
	return nil
}

// backfillSets writes all-empty rows of the given sets for committed shard
// j, reading the document ids back from the shard.
func (w *ShardWriter) backfillSets(j int, sets []string) error {
	var files []*file
	for _, set := range sets {
		f, err := createFile(w.setPath(set, w.s.opt.FirstIndex+j), w.s.opt.Compression)
		if err != nil {
			for _, g := range files {
				g.abort()
			}
			return err
		}
		files = append(files, f)
	}
	err := func() error {
		r, err := Open(w.s.done[j], Options{MaxLineBytes: 1 << 40})
		if err != nil {
			return err
		}
		defer r.Close()
		for {
			d, err := r.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("jsonl: reading back %s: %w", w.s.done[j], err)
			}
			for _, f := range files {
				if err := w.writeRow(f, d.ID, nil); err != nil {
					return err
				}
			}
		}
	}()
	if err != nil {
		for _, f := range files {
			f.abort()
		}
		return err
	}
	for _, f := range files {
		if err := commitAll([]*file{f}); err != nil {
			return err
		}
	}
	return nil
}

// Shards returns the paths of the committed document shards, in order.
func (w *ShardWriter) Shards() []string { return append([]string(nil), w.s.done...) }

// Written returns the number of documents written and their uncompressed
// JSON bytes (newlines included), in the document shards only.
func (w *ShardWriter) Written() (docs, bytes int64) { return w.s.docs, w.s.bytes }
