package warc

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// field is one header field. Name is lower-cased; Value has its
// surrounding white space removed and continuation lines joined by a space.
type field struct {
	name, value string
}

// fields is a header block in its original order. Repeated names are
// kept; get returns the first, as the WARC standard allows only one of
// each field it defines (ISO 28500:2017 section 5).
type fields []field

func (f fields) get(name string) string {
	for _, x := range f {
		if x.name == name {
			return x.value
		}
	}
	return ""
}

// addLine adds one header line (without its line ending) to f. A line
// starting with a space or tab continues the previous value (RFC 2616
// section 2.2, which WARC headers follow); a line without a colon is
// ignored, as readers of real crawls must be lenient.
func (f fields) addLine(line []byte) fields {
	if line[0] == ' ' || line[0] == '\t' {
		if len(f) > 0 {
			v := strings.TrimSpace(string(line))
			if v != "" {
				last := &f[len(f)-1]
				if last.value == "" {
					last.value = v
				} else {
					last.value += " " + v
				}
			}
		}
		return f
	}
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return f
	}
	name := strings.ToLower(string(bytes.TrimSpace(line[:i])))
	return append(f, field{name: name, value: string(bytes.TrimSpace(line[i+1:]))})
}

// trimEOL removes a trailing "\n" or "\r\n".
func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// stripBrackets removes the angle brackets around a WARC-Record-ID or a
// WARC-Target-URI (old wget wrote "<http://example.com/>").
func stripBrackets(s string) string {
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// dateLayouts are the WARC-Date forms seen in the wild: the W3C-DTF of
// ISO 28500 section 5.4 with or without fractional seconds, a numeric zone
// without colon (ClueWeb09), no zone (taken as UTC), and the 14-digit
// timestamp of ARC-era tools.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05",
	"20060102150405",
}

// normDate returns the WARC-Date as RFC 3339 in UTC, with fractional
// seconds only when there are any, or "" when it cannot be parsed.
func normDate(s string) string {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC().Format(time.RFC3339Nano)
		}
	}
	return ""
}

// mediaType returns the lower-cased type/subtype of a Content-Type value,
// without parameters ("" when absent).
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

func isHTML(mt string) bool {
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// mediaLabel is mt as a skip-reason suffix: the media type when it looks
// like one (at most 64 token characters around one slash), else "invalid",
// so that garbage headers cannot grow the counter map without bound.
func mediaLabel(mt string) string {
	if mt == "" {
		return "none"
	}
	if len(mt) > 64 || strings.Count(mt, "/") != 1 {
		return "invalid"
	}
	for i := 0; i < len(mt); i++ {
		c := mt[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("/!#$&^_.+-", c) >= 0
		if !ok {
			return "invalid"
		}
	}
	return mt
}

// httpHead is the parsed head of an HTTP response block.
type httpHead struct {
	status int
	fields fields
}

// errNotHTTP is a response block that does not start with an HTTP status
// line.
var errNotHTTP = errors.New("warc: response block is not an HTTP response")

// parseHTTP splits an HTTP response block (RFC 9112 section 4) into its
// status, header fields and body. It accepts LF-only line endings
// (ClueWeb09) and a status line without reason phrase. A block whose head
// never ends is all head and has an empty body.
func parseHTTP(block []byte) (httpHead, []byte, error) {
	var h httpHead
	line, rest := cutLine(block)
	line = trimEOL(line)
	if !bytes.HasPrefix(line, []byte("HTTP/")) {
		return h, nil, errNotHTTP
	}
	parts := bytes.Fields(line)
	if len(parts) < 2 || len(parts[1]) != 3 {
		return h, nil, fmt.Errorf("warc: bad HTTP status line %q", truncate(line, 64))
	}
	code, err := strconv.Atoi(string(parts[1]))
	if err != nil {
		return h, nil, fmt.Errorf("warc: bad HTTP status line %q", truncate(line, 64))
	}
	h.status = code
	for len(rest) > 0 {
		line, rest = cutLine(rest)
		line = trimEOL(line)
		if len(line) == 0 {
			return h, rest, nil
		}
		h.fields = h.fields.addLine(line)
	}
	return h, nil, nil
}

func cutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i+1], b[i+1:]
	}
	return b, nil
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// errTooLarge is a payload over the configured limit.
type errTooLarge struct{ size, limit int64 }

func (e errTooLarge) Error() string {
	return fmt.Sprintf("warc: payload of %d bytes exceeds the limit of %d bytes", e.size, e.limit)
}

// readLimited reads r to the end, failing once it yields more than limit
// bytes. It returns what it read before any other error.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(b)) > limit {
		return nil, errTooLarge{size: int64(len(b)), limit: limit}
	}
	return b, err
}

// dechunk undoes Transfer-Encoding: chunked (RFC 9112 section 7.1) when the
// body really is chunked. A body that does not start with a chunk-size
// line, or that fails to decode before yielding anything, is returned
// unchanged: crawlers often store the de-chunked body under the original
// header. A chunked body cut short (a truncated record) yields the chunks
// read before the cut.
func dechunk(body []byte, limit int64) ([]byte, error) {
	if !looksChunked(body) {
		return body, nil
	}
	out, err := readLimited(httputil.NewChunkedReader(bytes.NewReader(body)), limit)
	var tl errTooLarge
	switch {
	case errors.As(err, &tl):
		return nil, err
	case err == nil:
		return out, nil
	case errors.Is(err, io.ErrUnexpectedEOF) && len(out) > 0:
		return out, nil
	}
	return body, nil
}

// looksChunked says whether body starts with a chunk-size line: hex digits,
// optional extensions, then a line end.
func looksChunked(body []byte) bool {
	n := 0
	for n < len(body) && n < 16 && isHex(body[n]) {
		n++
	}
	if n == 0 || n == len(body) {
		return false
	}
	line, _ := cutLine(body)
	if line[len(line)-1] != '\n' {
		return false
	}
	switch body[n] {
	case '\r', '\n', ';', ' ', '\t':
		return true
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// decodeContent undoes the Content-Encoding codings listed in ce (RFC 9110
// section 8.4), last applied first, when the body is really still encoded.
// Each coding is tried only when the body's magic bytes agree (gzip, zlib,
// zstd) or, for codings without magic bytes (raw deflate, br), when the
// body does not already look like text; a coding that fails to decode is
// skipped and the body kept as it was. ClueWeb09 records carry
// "Content-Encoding: gzip" over an already-decoded body, and Common Crawl
// renames the header to X-Crawler-Content-Encoding after decoding, which
// is not looked at here.
func decodeContent(body []byte, ce string, limit int64) ([]byte, error) {
	if ce == "" || len(body) == 0 {
		return body, nil
	}
	codings := strings.Split(ce, ",")
	for i := len(codings) - 1; i >= 0; i-- {
		var r io.Reader
		switch strings.ToLower(strings.TrimSpace(codings[i])) {
		case "gzip", "x-gzip":
			if !bytes.HasPrefix(body, gzipMagic[:2]) {
				continue
			}
			z, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				continue
			}
			r = z
		case "deflate":
			if isZlib(body) {
				z, err := zlib.NewReader(bytes.NewReader(body))
				if err != nil {
					continue
				}
				r = z
			} else if !looksText(body) {
				r = flate.NewReader(bytes.NewReader(body))
			}
		case "br":
			if !looksText(body) {
				r = brotli.NewReader(bytes.NewReader(body))
			}
		case "zstd":
			if !bytes.HasPrefix(body, []byte{0x28, 0xb5, 0x2f, 0xfd}) {
				continue
			}
			z, err := zstd.NewReader(bytes.NewReader(body), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(limit)+1<<20))
			if err != nil {
				continue
			}
			out, err := readLimited(z, limit)
			z.Close()
			var tl errTooLarge
			if errors.As(err, &tl) {
				return nil, err
			}
			if err == nil || len(out) > 0 {
				body = out
			}
			continue
		}
		if r == nil {
			continue
		}
		out, err := readLimited(r, limit)
		var tl errTooLarge
		switch {
		case errors.As(err, &tl):
			return nil, err
		case err == nil && len(out) > 0:
			body = out
		case errors.Is(err, io.ErrUnexpectedEOF) && len(out) > 0:
			// A truncated record cut the compressed body: keep what
			// decoded.
			body = out
		}
	}
	return body, nil
}

// isZlib checks the two-byte zlib header of RFC 1950 section 2.2.
func isZlib(b []byte) bool {
	return len(b) >= 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
}

// looksText says whether the first 512 bytes hold no control bytes other
// than white space and ESC: compressed data almost always does.
func looksText(b []byte) bool {
	b = truncate(b, 512)
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b {
			return false
		}
	}
	return true
}

// sniffHTML applies the WHATWG MIME sniffing of net/http to a payload
// without Content-Type.
func sniffHTML(body []byte) bool {
	return strings.HasPrefix(http.DetectContentType(body), "text/html")
}
