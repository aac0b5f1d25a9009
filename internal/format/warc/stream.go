package warc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
)

// countingReader counts the bytes read from the input and remembers the
// first error other than io.EOF, so that a failing input (a read error)
// can be told apart from a corrupt gzip member (a format error).
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// member is the start of one gzip member: its offset in the decompressed
// stream and in the compressed file.
type member struct {
	upos, cpos int64
}

// corruptError is a corrupt region of a compressed file: a gzip member or
// zstd frame that does not decode, or bytes between members that are not a
// member. Offset is the compressed offset where the bad region starts.
// Reading goes on with the next member or frame header found after it.
type corruptError struct {
	Offset int64
	Err    error
}

func (e *corruptError) Error() string { return e.Err.Error() }
func (e *corruptError) Unwrap() error { return e.Err }

// gzipMagic starts every gzip member: ID1, ID2 and CM=8 (deflate),
// RFC 1952 section 2.3.1.
var gzipMagic = []byte{0x1f, 0x8b, 0x08}

// gunzip decompresses a sequence of gzip members one at a time
// (Multistream off), recording where each member starts, and skips over
// what cannot be decoded. It reads src through a bufio.Reader, which is an
// io.ByteReader, so the decompressor never reads past the end of a member
// and the compressed offset of the next member is exact.
type gunzip struct {
	src     *bufio.Reader
	cnt     *countingReader
	z       gzip.Reader
	in      bool // inside a member
	start   int64
	upos    int64 // decompressed bytes produced so far
	members []member
}

// cpos is the compressed offset of the next unread byte.
func (g *gunzip) cpos() int64 { return g.cnt.n - int64(g.src.Buffered()) }

// Read returns decompressed bytes. A corrupt region returns the bytes
// decoded before it with a *corruptError; the next Read goes on after it. A
// failing input returns its error.
func (g *gunzip) Read(p []byte) (int, error) {
	for {
		if !g.in {
			start := g.cpos()
			b, err := g.src.Peek(len(gzipMagic))
			if len(b) == 0 {
				if g.cnt.err != nil {
					return 0, g.cnt.err
				}
				if err == nil || err == io.EOF {
					return 0, io.EOF
				}
				return 0, err
			}
			if !bytes.Equal(b, gzipMagic) {
				n, err := g.skipToMagic()
				if err != nil {
					return 0, err
				}
				return 0, &corruptError{Offset: start, Err: fmt.Errorf("warc: %d bytes between gzip members are not a gzip member", n)}
			}
			if err := g.reset(); err != nil {
				if g.cnt.err != nil {
					return 0, g.cnt.err
				}
				// Step past the magic so that the scan finds the next member.
				_, _ = g.src.Discard(1)
				if _, err := g.skipToMagic(); err != nil {
					return 0, err
				}
				return 0, &corruptError{Offset: start, Err: fmt.Errorf("warc: bad gzip member header: %w", err)}
			}
			g.in, g.start = true, start
			g.members = append(g.members, member{upos: g.upos, cpos: start})
		}
		n, err := g.z.Read(p)
		g.upos += int64(n)
		switch {
		case err == nil:
			return n, nil
		case err == io.EOF:
			g.in = false
			if n > 0 {
				return n, nil
			}
			continue
		}
		g.in = false
		if g.cnt.err != nil {
			return n, g.cnt.err
		}
		if _, serr := g.skipToMagic(); serr != nil {
			return n, serr
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = errors.New("gzip member ends early")
		}
		return n, &corruptError{Offset: g.start, Err: fmt.Errorf("warc: corrupt gzip member: %w", err)}
	}
}

func (g *gunzip) reset() error {
	err := g.z.Reset(g.src)
	g.z.Multistream(false)
	return err
}

// skipToMagic discards input up to the next gzip member header or the end
// and says how many bytes it skipped. Only a failing input is an error.
func (g *gunzip) skipToMagic() (int64, error) {
	var n int64
	for {
		b, err := g.src.Peek(g.src.Buffered())
		if len(b) < len(gzipMagic) {
			b, err = g.src.Peek(len(gzipMagic))
			if len(b) < len(gzipMagic) {
				// Fewer than three bytes left: they cannot hold a member.
				if err == nil || err == io.EOF || err == bufio.ErrBufferFull {
					if g.cnt.err != nil {
						return n, g.cnt.err
					}
					k, _ := g.src.Discard(len(b))
					return n + int64(k), nil
				}
				return n, err
			}
			continue
		}
		if i := bytes.Index(b, gzipMagic); i >= 0 {
			k, _ := g.src.Discard(i)
			return n + int64(k), nil
		}
		// Keep the last two bytes: they may start a header.
		k, _ := g.src.Discard(len(b) - (len(gzipMagic) - 1))
		n += int64(k)
		if _, err := g.src.Peek(len(gzipMagic)); err != nil && g.cnt.err != nil {
			return n, g.cnt.err
		}
	}
}

// maxLine bounds one header line and the read-ahead a resync needs.
const maxLine = 64 << 10

// errLineTooLong is a header line longer than maxLine.
var errLineTooLong = errors.New("warc: header line longer than 64 KiB")

// stream is a buffered window over the decompressed input. It knows the
// decompressed offset of every byte and holds a format error (a corrupt
// gzip region) until the bytes decoded before it have been consumed, so
// errors surface at the position where they happened.
type stream struct {
	dec io.Reader
	// members, when set, lists the decompressed offsets where gzip
	// members start; resync also stops at a member that starts with
	// "WARC/" even when no line end precedes it.
	members *[]member
	buf     []byte
	r, w    int
	base    int64 // decompressed offset of buf[0]
	err     error // error to return once buf[r:w] is consumed
}

func newStream(dec io.Reader) *stream {
	return &stream{dec: dec, buf: make([]byte, 128<<10)}
}

// pos is the decompressed offset of the next unread byte.
func (s *stream) pos() int64 { return s.base + int64(s.r) }

func (s *stream) buffered() []byte { return s.buf[s.r:s.w] }

// fill reads more input. It returns an error only when nothing is
// buffered: the pending format error, io.EOF or an input failure. A format
// error is returned once; later calls read on.
func (s *stream) fill() error {
	if s.err != nil {
		if s.r < s.w {
			return nil
		}
		err := s.err
		s.err = nil
		return err
	}
	// Compaction keeps the last overrunWindow bytes consumed, so that
	// consumed (the end of a block just read) does not depend on where
	// the buffer happened to be refilled: a reader started at a record
	// (OpenAt) sees the same as one that read the file from its start.
	if keep := min(s.r, overrunWindow); s.r > keep && (s.r == s.w || s.w == len(s.buf)) {
		drop := s.r - keep
		copy(s.buf, s.buf[drop:s.w])
		s.w -= drop
		s.base += int64(drop)
		s.r = keep
	}
	if s.w == len(s.buf) {
		return nil // full: the caller asked for no more than it holds
	}
	for range 100 {
		n, err := s.dec.Read(s.buf[s.w:])
		s.w += n
		if err != nil {
			if s.r < s.w {
				s.err = err
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}

// peek returns at least n buffered bytes (n <= len(buf)), or fewer with
// the error that stopped it. A format error is returned once, after which
// the caller decides how to resynchronise.
func (s *stream) peek(n int) ([]byte, error) {
	for s.w-s.r < n {
		if s.err != nil && s.r < s.w {
			return s.buffered(), s.takeErr()
		}
		before := s.w - s.r
		if err := s.fill(); err != nil {
			return s.buffered(), err
		}
		if s.w-s.r == before && s.err == nil {
			return s.buffered(), io.ErrNoProgress
		}
	}
	return s.buffered(), nil
}

// takeErr returns the pending error while bytes before it are still
// buffered; used when a caller needs more bytes than exist before it.
func (s *stream) takeErr() error {
	err := s.err
	s.err = nil
	return err
}

// readLine returns the next line including its '\n' (or the rest of the
// input before an error). The slice is valid until the next call.
func (s *stream) readLine() ([]byte, error) {
	scanned := 0
	for {
		b := s.buffered()
		if i := bytes.IndexByte(b[scanned:], '\n'); i >= 0 {
			line := b[:scanned+i+1]
			s.r += len(line)
			return line, nil
		}
		scanned = len(b)
		if scanned >= maxLine {
			s.r += scanned
			return nil, errLineTooLong
		}
		var err error
		if s.err != nil {
			err = s.takeErr()
		} else {
			err = s.fill()
		}
		if err != nil {
			line := s.buffered()
			s.r = s.w
			return line, err
		}
	}
}

// readFull copies len(p) bytes into p and returns how many it copied.
func (s *stream) readFull(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if s.r == s.w {
			if err := s.fill(); err != nil {
				return n, err
			}
			continue
		}
		k := copy(p[n:], s.buf[s.r:s.w])
		s.r += k
		n += k
	}
	return n, nil
}

// discard skips n bytes and returns how many it skipped.
func (s *stream) discard(n int64) (int64, error) {
	var done int64
	for done < n {
		if s.r == s.w {
			if err := s.fill(); err != nil {
				return done, err
			}
			continue
		}
		k := int64(s.w - s.r)
		if k > n-done {
			k = n - done
		}
		s.r += int(k)
		done += k
	}
	return done, nil
}

// skipSpace skips CR, LF, spaces and tabs between records.
func (s *stream) skipSpace() error {
	for {
		for s.r < s.w {
			switch s.buf[s.r] {
			case '\r', '\n', ' ', '\t':
				s.r++
			default:
				return nil
			}
		}
		if err := s.fill(); err != nil {
			return err
		}
	}
}

// warcMagic starts every WARC record (ISO 28500 section 4).
var warcMagic = []byte("WARC/")

// atRecord says whether the next bytes are "WARC/". An error means the
// input ended (or failed) before five bytes could be seen.
func (s *stream) atRecord() (bool, error) {
	b, err := s.peek(len(warcMagic))
	if len(b) >= len(warcMagic) {
		return bytes.Equal(b[:len(warcMagic)], warcMagic), nil
	}
	return false, err
}

// resync skips to the next line that starts with "WARC/" and returns how
// many bytes it skipped. It stops early, returning the error, at the end of
// the input or a format error.
func (s *stream) resync() (int64, error) {
	var n int64
	pat := []byte("\nWARC/")
	for {
		b := s.buffered()
		at := -1
		if i := bytes.Index(b, pat); i >= 0 {
			at = i + 1
		}
		if s.members != nil {
			for _, m := range *s.members {
				j := m.upos - s.pos()
				if j > 0 && (at < 0 || j < int64(at)) && j <= int64(len(b)) && bytes.HasPrefix(b[j:], warcMagic) {
					at = int(j)
					break
				}
			}
		}
		if at >= 0 {
			s.r += at
			return n + int64(at), nil
		}
		// Keep a possible partial match at the end.
		keep := len(pat) - 1
		if len(b) > keep {
			s.r += len(b) - keep
			n += int64(len(b) - keep)
		}
		before := s.w - s.r
		var err error
		if s.err != nil {
			err = s.takeErr()
		} else {
			err = s.fill()
		}
		if err != nil {
			k := s.w - s.r
			s.r = s.w
			return n + int64(k), err
		}
		if s.w-s.r == before && s.err == nil {
			k := s.w - s.r
			s.r = s.w
			return n + int64(k), io.ErrNoProgress
		}
	}
}

// peekSoft returns up to n buffered bytes without consuming a pending
// error: an error met while filling is kept for the next read.
func (s *stream) peekSoft(n int) []byte {
	for s.w-s.r < n && s.err == nil {
		before := s.w - s.r
		if err := s.fill(); err != nil {
			if err != io.EOF {
				s.err = err
			}
			break
		}
		if s.w-s.r == before {
			break
		}
	}
	return s.buffered()
}

// consumed returns a copy of the last n bytes consumed, or nil when the
// buffer no longer holds them.
func (s *stream) consumed(n int) []byte {
	if s.r < n {
		return nil
	}
	return append([]byte(nil), s.buf[s.r-n:s.r]...)
}

// unread puts b back in front of the unread bytes, as if it had not been
// consumed; b must be the bytes consumed last.
func (s *stream) unread(b []byte) {
	if s.r >= len(b) {
		s.r -= len(b)
		copy(s.buf[s.r:], b)
		return
	}
	nb := make([]byte, max(len(s.buf), len(b)+s.w-s.r))
	n := copy(nb, b)
	n += copy(nb[n:], s.buf[s.r:s.w])
	s.base = s.pos() - int64(len(b))
	s.buf, s.r, s.w = nb, 0, n
}
