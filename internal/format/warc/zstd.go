package warc

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// zstdMagic starts a zstd frame (RFC 8878 section 3.1.1);
// zstdDictFrame is the little-endian magic of the skippable frame that
// holds the dictionary at the start of a .warc.zst file (IIPC "WARC
// Zstandard" specification, warc-zstd).
var (
	zstdMagic     = []byte{0x28, 0xb5, 0x2f, 0xfd}
	zstdDictFrame = []byte{0x5d, 0x2a, 0x4d, 0x18}
)

// maxDict bounds the dictionary of a .warc.zst file; zstd's own trainer
// writes 110 KB by default.
const maxDict = 16 << 20

// unzstd decompresses a .warc.zst stream: an optional dictionary in a
// skippable frame, then zstd frames (one or more per record, or one for
// the whole file). The decoder runs synchronously (concurrency 1: no
// goroutines). Offsets are decompressed ones: the decoder does not report
// frame boundaries. After a frame that does not decode, reading goes on at
// the next frame magic.
type unzstd struct {
	src  *bufio.Reader
	cnt  *countingReader
	dec  *zstd.Decoder
	dict error // a dictionary that could not be loaded, reported once
}

func newUnzstd(r *Reader) (*unzstd, error) {
	u := &unzstd{src: r.src, cnt: r.cnt}
	opts := []zstd.DOption{zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1 << 30)}
	if b, _ := r.src.Peek(8); bytes.HasPrefix(b, zstdDictFrame) && len(b) == 8 {
		size := int(binary.LittleEndian.Uint32(b[4:]))
		if _, err := r.src.Discard(8); err != nil {
			return nil, err
		}
		dict, err := readDict(r, size)
		if err != nil {
			return nil, err
		}
		if dict != nil {
			opts = append(opts, zstd.WithDecoderDicts(dict))
		}
	}
	dec, err := zstd.NewReader(r.src, opts...)
	if err != nil {
		// Only a dictionary that does not load can fail here: read on
		// without it and let frames that need it fail.
		u.dict = fmt.Errorf("warc: zstd dictionary: %w", err)
		dec, err = zstd.NewReader(r.src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
		if err != nil {
			return nil, err
		}
	}
	u.dec = dec
	return u, nil
}

// readDict reads the dictionary frame's content of size bytes, itself
// zstd-compressed or not, as the warc-zstd specification allows.
func readDict(r *Reader, size int) ([]byte, error) {
	if size > maxDict {
		if _, err := r.src.Discard(size); err != nil && r.cnt.err != nil {
			return nil, r.cnt.err
		}
		return nil, nil
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r.src, b); err != nil {
		if r.cnt.err != nil {
			return nil, r.cnt.err
		}
		return nil, nil
	}
	if bytes.HasPrefix(b, zstdMagic) {
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxDict))
		if err != nil {
			return nil, nil
		}
		defer d.Close()
		if b, err = d.DecodeAll(b, nil); err != nil {
			return nil, nil
		}
	}
	return b, nil
}

func (u *unzstd) Read(p []byte) (int, error) {
	if u.dict != nil {
		err := u.dict
		u.dict = nil
		return 0, &corruptError{Offset: 0, Err: err}
	}
	n, err := u.dec.Read(p)
	if err == nil || err == io.EOF {
		return n, err
	}
	if u.cnt.err != nil {
		return n, u.cnt.err
	}
	off := u.cnt.n
	// Go on at the next frame: skip what the decoder left unread up to the
	// next frame magic, then start a fresh decoder state there.
	if serr := u.skipToFrame(); serr != nil {
		return n, serr
	}
	if rerr := u.dec.Reset(u.src); rerr != nil && !errors.Is(rerr, io.EOF) {
		return n, &corruptError{Offset: off, Err: fmt.Errorf("warc: corrupt zstd frame: %w", rerr)}
	}
	return n, &corruptError{Offset: off, Err: fmt.Errorf("warc: corrupt zstd frame: %w", err)}
}

func (u *unzstd) skipToFrame() error {
	for {
		b, err := u.src.Peek(4)
		if len(b) < 4 {
			if u.cnt.err != nil {
				return u.cnt.err
			}
			_, _ = u.src.Discard(len(b))
			return nil
		}
		if bytes.Equal(b, zstdMagic) {
			return nil
		}
		_, _ = u.src.Discard(1)
		if err != nil && u.cnt.err != nil {
			return u.cnt.err
		}
	}
}

func (u *unzstd) close() {
	if u.dec != nil {
		u.dec.Close()
	}
}
