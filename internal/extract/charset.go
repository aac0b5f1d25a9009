package extract

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/saintfish/chardet"
	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
)

// Charset sources, the values of winnow.Metadata.CharsetSource.
const (
	SourceBOM      = "bom"      // a byte order mark starts the payload
	SourceHTTP     = "http"     // the charset parameter of the HTTP Content-Type
	SourceMeta     = "meta"     // <meta charset> or <meta http-equiv="content-type">
	SourceDetected = "detected" // statistical detection (chardet) or UTF-8 validation
	SourceDefault  = "default"  // nothing to go on: utf-8
)

// ErrCharset is returned (wrapped) when a payload cannot be decoded: its
// declared encoding is one the WHATWG Encoding Standard maps to the
// "replacement" encoding (iso-2022-kr, hz-gb-2312, ...) or the decoder fails.
var ErrCharset = errors.New("extract: undecodable charset")

const (
	// metaScanLimit bounds the <meta> prescan. The WHATWG prescan
	// (HTML Standard §13.2.3.2) looks at 1024 bytes only, but browsers
	// then honour a later <meta> in <head> by "changing the encoding while
	// parsing" (§13.2.3.4). Crawled pages put long scripts first: in
	// trafilatura's evaluation set, rp.pl declares windows-1250 at byte
	// 2097 and landwirt.com iso-8859-1 at byte 2388, both past 1024. The
	// scan stops at <body> or after this many bytes, whichever is first.
	metaScanLimit = 64 << 10

	// detectLimit bounds the bytes given to the statistical detector; its
	// n-gram statistics settle long before this.
	detectLimit = 64 << 10

	// wrongUTF8Share: a declared utf-8 is overruled by statistical
	// detection when invalid UTF-8 sequences make up at least this share of
	// all non-ASCII sequences (invalid / (invalid + valid multi-byte)).
	// Measured on trafilatura's evaluation set: the real UTF-8 pages with
	// stray bytes have shares 0.002, 0.013, 0.029 and 0.038 (RadioMaryja,
	// maescot, der-erfolg, tierschutzpartei), while legacy pages read as
	// UTF-8 have 0.78 (gbk, xinhuanet) to 1.0 (the windows-1252 German
	// pages, which contain no valid multi-byte sequence at all). 0.25 sits
	// in the gap.
	wrongUTF8Share = 0.25

	// wrongUTF8Min is the least number of invalid sequences that can
	// overrule a declaration: one stray byte is noise, not evidence.
	wrongUTF8Min = 4
)

// charsetChoice is the outcome of charset detection.
type charsetChoice struct {
	enc    encoding.Encoding
	name   string // WHATWG canonical name, lower case
	source string // one of the Source constants
	skip   int    // bytes of BOM to skip
}

// detectCharset chooses the encoding of an HTML payload. The order is the
// HTML Standard's (§13.2.3.1 "determining the character encoding"): BOM,
// transport-layer charset (contentType, the HTTP Content-Type header), the
// <meta> prescan; then, where nothing is declared, statistical detection
// with github.com/saintfish/chardet (the ICU detectors), and utf-8 when the
// bytes are valid UTF-8. A declared utf-8 that the bytes clearly
// contradict (see wrongUTF8Share) is replaced by the detected charset.
//
// The error wraps ErrCharset when the declared encoding cannot be decoded.
func detectCharset(b []byte, contentType string) (charsetChoice, error) {
	if c, ok := bomCharset(b); ok {
		return c, nil
	}
	if label := httpCharset(contentType); label != "" {
		if c, ok, err := lookup(label, SourceHTTP, false); err != nil {
			return c, err
		} else if ok {
			return overruleUTF8(b, c), nil
		}
	}
	if label := metaCharset(b); label != "" {
		if c, ok, err := lookup(label, SourceMeta, true); err != nil {
			return c, err
		} else if ok {
			return overruleUTF8(b, c), nil
		}
	}
	if utf8.Valid(b) {
		// Valid UTF-8 containing multi-byte sequences is itself strong
		// evidence: legacy text almost never validates by accident. Pure
		// ASCII decodes the same under every ASCII-compatible charset.
		if isASCII(b) {
			return charsetChoice{enc: utf8Enc, name: "utf-8", source: SourceDefault}, nil
		}
		return charsetChoice{enc: utf8Enc, name: "utf-8", source: SourceDetected}, nil
	}
	if c, ok := statCharset(b); ok {
		return c, nil
	}
	return charsetChoice{enc: utf8Enc, name: "utf-8", source: SourceDefault}, nil
}

var utf8Enc, _ = htmlindex.Get("utf-8")

// lookup resolves a charset label with the WHATWG label table. ok is false
// for an unknown label (the declaration is then ignored, as browsers do).
// fromMeta applies the prescan's rule that a <meta> claiming utf-16 means
// utf-8 (HTML Standard §13.2.3.2 step "If charset is UTF-16BE/LE") and
// that x-user-defined means windows-1252.
func lookup(label, source string, fromMeta bool) (charsetChoice, bool, error) {
	enc, err := htmlindex.Get(strings.TrimSpace(label))
	if err != nil {
		return charsetChoice{}, false, nil
	}
	name, err := htmlindex.Name(enc)
	if err != nil {
		return charsetChoice{}, false, nil
	}
	if fromMeta {
		switch name {
		case "utf-16be", "utf-16le":
			enc, name = utf8Enc, "utf-8"
		case "x-user-defined":
			enc, _ = htmlindex.Get("windows-1252")
			name = "windows-1252"
		}
	}
	c := charsetChoice{enc: enc, name: name, source: source}
	if name == "replacement" {
		return c, false, fmt.Errorf("%w: %q maps to the replacement encoding", ErrCharset, label)
	}
	return c, true, nil
}

func bomCharset(b []byte) (charsetChoice, bool) {
	var name string
	var n int
	switch {
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		name, n = "utf-8", 3
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		name, n = "utf-16be", 2
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		name, n = "utf-16le", 2
	default:
		return charsetChoice{}, false
	}
	enc, _ := htmlindex.Get(name)
	return charsetChoice{enc: enc, name: name, source: SourceBOM, skip: n}, true
}

// httpCharset returns the charset parameter of a Content-Type header, or
// "". A header that mime.ParseMediaType rejects is searched by hand for
// "charset=", as real servers send things like `text/html;;charset=utf-8`.
func httpCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		return params["charset"]
	}
	lower := strings.ToLower(contentType)
	i := strings.Index(lower, "charset=")
	if i < 0 {
		return ""
	}
	v := strings.TrimLeft(contentType[i+len("charset="):], " \"'")
	if j := strings.IndexAny(v, "; \t\"'"); j >= 0 {
		v = v[:j]
	}
	return v
}

// metaCharset runs the <meta> prescan over the head of the payload and
// returns the first declared label, or "". It follows
// golang.org/x/net/html/charset's prescan (BSD licence), which tokenises
// rather than byte-scans, so a "charset=" inside a <script> is not taken
// for a declaration; unlike it, it reports "nothing found" instead of
// falling back to windows-1252, and scans up to metaScanLimit.
func metaCharset(b []byte) string {
	if len(b) > metaScanLimit {
		b = b[:metaScanLimit]
	}
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tag, hasAttr := z.TagName()
			if string(tag) == "body" {
				return ""
			}
			if string(tag) != "meta" {
				continue
			}
			var pragma, needPragma, haveLabel bool
			var label string
			seen := map[string]bool{}
			for hasAttr {
				var key, val []byte
				key, val, hasAttr = z.TagAttr()
				k := string(key)
				if seen[k] {
					continue
				}
				seen[k] = true
				switch k {
				case "http-equiv":
					if strings.EqualFold(string(val), "content-type") {
						pragma = true
					}
				case "content":
					if !haveLabel {
						if l := fromMetaContent(string(val)); l != "" {
							label, haveLabel, needPragma = l, true, true
						}
					}
				case "charset":
					label, haveLabel, needPragma = string(val), true, false
				}
			}
			if haveLabel && (!needPragma || pragma) && strings.TrimSpace(label) != "" {
				return label
			}
		}
	}
}

// fromMetaContent extracts the charset from a meta content attribute
// ("text/html; charset=euc-jp"), HTML Standard §2.5.6 "algorithm for
// extracting a character encoding from a meta element".
func fromMetaContent(s string) string {
	lower := strings.ToLower(s)
	for {
		i := strings.Index(lower, "charset")
		if i < 0 {
			return ""
		}
		lower, s = lower[i+len("charset"):], s[i+len("charset"):]
		t := strings.TrimLeft(s, " \t\n\f\r")
		lower = lower[len(s)-len(t):]
		s = t
		if !strings.HasPrefix(s, "=") {
			continue
		}
		s = strings.TrimLeft(s[1:], " \t\n\f\r")
		if s == "" {
			return ""
		}
		if q := s[0]; q == '"' || q == '\'' {
			if j := strings.IndexByte(s[1:], q); j >= 0 {
				return s[1 : 1+j]
			}
			return ""
		}
		if j := strings.IndexAny(s, "; \t\n\f\r"); j >= 0 {
			return s[:j]
		}
		return s
	}
}

// overruleUTF8 keeps a declaration unless it says utf-8 and the bytes
// clearly are not (wrongUTF8Share); then the statistical detector decides,
// provided it names a charset other than utf-8.
func overruleUTF8(b []byte, c charsetChoice) charsetChoice {
	if c.name != "utf-8" {
		return c
	}
	invalid, multi := utf8Stats(b)
	if invalid < wrongUTF8Min || float64(invalid) < wrongUTF8Share*float64(invalid+multi) {
		return c
	}
	if d, ok := statCharset(b); ok && d.name != "utf-8" {
		return d
	}
	return c
}

// utf8Stats counts invalid UTF-8 sequences and valid multi-byte ones.
func utf8Stats(b []byte) (invalid, multi int) {
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			invalid++
		} else {
			multi++
		}
		b = b[n:]
	}
	return invalid, multi
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// chardetNames maps the ICU detector's names to WHATWG labels where the
// name itself is not a WHATWG label. ISO-8859-8-I and the EBCDIC
// IBM420/IBM424 results have no WHATWG decoder and are skipped.
var chardetNames = map[string]string{
	"GB-18030": "gb18030",
}

// latin2Langs are the languages of chardet's ISO-8859-2 n-gram tables.
var latin2Langs = map[string]bool{"cs": true, "hu": true, "pl": true, "ro": true}

func hasC1(b []byte) bool {
	for _, c := range b {
		if 0x80 <= c && c <= 0x9f {
			return true
		}
	}
	return false
}

// statCharset runs github.com/saintfish/chardet (a port of ICU's
// CharsetDetector) over the first detectLimit bytes and returns the most
// confident result that has a WHATWG decoder. Ties in confidence are
// broken by name so that the choice does not depend on the order in which
// chardet's recognisers report.
func statCharset(b []byte) (charsetChoice, bool) {
	if len(b) > detectLimit {
		b = b[:detectLimit]
	}
	all, err := chardet.NewHtmlDetector().DetectAll(b)
	if err != nil || len(all) == 0 {
		return charsetChoice{}, false
	}
	best := -1
	var bestC charsetChoice
	var bestName string
	for _, r := range all {
		label := r.Charset
		if (label == "ISO-8859-1" || label == "windows-1252") && latin2Langs[r.Language] {
			// saintfish/chardet builds its ISO-8859-2 recognisers with
			// newRecognizer_8859_1 (single_byte.go, newRecognizer_8859_2_cs
			// and siblings), so Central European text is reported as
			// ISO-8859-1 (windows-1252 with C1 bytes) with language cs,
			// hu, pl or ro. ICU reports
			// ISO-8859-2, or windows-1250 when C1 bytes (0x80-0x9F) occur.
			// On chardet's own test files this moves iso-8859-2 from 1/21
			// to the figure logged by TestCharsetChardetCorpus.
			label = "iso-8859-2"
			if hasC1(b) {
				label = "windows-1250"
			}
		}
		if l, ok := chardetNames[label]; ok {
			label = l
		}
		c, ok, err := lookup(label, SourceDetected, false)
		if !ok || err != nil {
			continue
		}
		if r.Confidence > best || (r.Confidence == best && r.Charset < bestName) {
			best, bestC, bestName = r.Confidence, c, r.Charset
		}
	}
	return bestC, best >= 0
}

// decode converts the payload to UTF-8 with the chosen encoding. Bytes the
// encoding does not define become U+FFFD, so the result is always valid
// UTF-8 and later steps can count the replacements.
func decode(b []byte, c charsetChoice) (string, error) {
	b = b[c.skip:]
	if c.name == "utf-8" && utf8.Valid(b) {
		return string(b), nil
	}
	out, err := c.enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrCharset, c.name, err)
	}
	if !utf8.Valid(out) {
		return strings.ToValidUTF8(string(out), "\uFFFD"), nil
	}
	return string(out), nil
}
