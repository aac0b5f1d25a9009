// Package warc reads WARC and WET files (ISO 28500:2017, WARC/1.0 and 1.1,
// and older versions such as ClueWeb09's WARC/0.18) as a stream of
// documents, in memory independent of the file size. Files may be plain,
// gzip-compressed or zstd-compressed (.warc.zst, with the dictionary frame
// of the IIPC warc-zstd specification or without); the compression is
// detected from the first bytes, not the name.
//
// # What becomes a document
//
//   - a response record whose HTTP status is 2xx and whose payload is HTML
//     (Content-Type text/html or application/xhtml+xml, or no
//     Content-Type and a payload that sniffs as HTML by the WHATWG rules of
//     net/http.DetectContentType): Doc.Payload holds the HTTP body,
//     de-chunked and content-decoded;
//   - a resource record with an HTML Content-Type: Doc.Payload holds the
//     block;
//   - a WET conversion record (Content-Type text/plain, or none): Doc.Text
//     holds the block as is; its WARC-Refers-To goes in
//     Metadata.Extra["warc_refers_to"].
//
// Doc.ID and Metadata.WARCRecordID are the WARC-Record-ID without angle
// brackets (a record without one gets "<file base name>#<record number>");
// Metadata.URL is WARC-Target-URI, angle brackets stripped (old wget wrote
// them); Created is WARC-Date as RFC 3339 in UTC when it parses, else empty
// with the raw value kept in Metadata.WARCDate; Metadata.ContentType is the
// HTTP Content-Type (the WARC one for resource and conversion records).
// Every other record is skipped and counted by reason, see
// [Reader.Skipped].
//
// # Positions
//
// Pos.Record is the 0-based number of the record among all records of the
// file. Pos.Offset is where the record starts in the file as stored: for a
// gzip file with one member per record (the Common Crawl layout), the
// compressed offset of the member that starts with the record, which is
// what CDX indexes hold and where a later read may seek to; for a record
// that starts inside a member (a whole-file gzip, or members that do not
// line up with records), for a zstd file (the decoder does not report frame
// boundaries) and for an uncompressed file, the offset in the decompressed
// stream.
//
// # Broken input
//
// A bad record or a bad region between records makes Next return a
// *winnow.ParseError carrying the file, offset, record number (-1 for a
// region that is not a record) and record ID; the next call goes on with
// the following record. The reader
//
//   - decompresses gzip member by member, so per-record members, a single
//     member for the whole file, members whose boundaries fall inside
//     records, and FEXTRA headers all read the same;
//   - reports a corrupt or truncated member (a truncated record when it
//     cut one) and bytes between members that are not a member (trailing
//     garbage), then goes on at the next gzip member header; likewise a
//     zstd frame that does not decode, going on at the next frame;
//   - accepts LF-only lines, any WARC/x.y version, unbracketed IDs and
//     dates it cannot parse;
//   - when the bytes after a record are not the next record (a
//     Content-Length a few bytes short, junk between records) reports them
//     and resumes at the next line that starts with "WARC/";
//   - reports an input that is an ARC file instead of reading it (Open
//     refuses .arc and .arc.gz names).
//
// Any other error from Next means the input itself failed (a read error)
// and is returned again on every later call.
//
// # Payloads
//
// Transfer-Encoding: chunked is undone only when the body really is
// chunked, and Content-Encoding gzip, deflate, br and zstd only when the
// body is really still encoded (magic bytes, or for deflate and br a body
// that does not look like text; a failed decode keeps the body as stored):
// ClueWeb09 labels already-decoded bodies "Content-Encoding: gzip", and
// Common Crawl renames the headers of bodies it decoded to
// X-Crawler-Transfer-Encoding and X-Crawler-Content-Encoding, which are
// not looked at. A record block, and a payload after decoding, larger than
// Options.MaxPayload (DefaultMaxPayload, 16 MiB) is reported as a
// ParseError without being held in memory.
//
// # Why a framer of its own
//
// github.com/nlnwa/gowarc/v3 v3.1.0, the library the dependency survey
// measured fastest, was tried first on the broken files of the shared test
// corpus with every validation policy set to ignore. It resets its gzip
// reader at every record, so it returned 1 of the 6 records of a
// whole-file gzip (warcio example-bad-non-chunked.warc.gz), 1 of 12 and 1
// of 30 records of the iagowarc files with garbage after one member, 1 of
// 2 records of example-wrong-chunks.warc.gz, and nothing of resiliparse
// clipped.warc.gz. So this package frames records itself on
// github.com/klauspost/compress/gzip with Multistream off (one member at a
// time, which also gives the compressed offset of each member), and uses
// libraries for everything else: net/http/httputil for chunked bodies,
// net/http for HTML sniffing, compress/zlib and compress/flate, brotli
// (github.com/andybalholm/brotli) and zstd (klauspost) for content codings.
// HTTP heads are split with a small lenient parser rather than
// net/http.ReadResponse, which would apply the recorded Content-Length and
// Transfer-Encoding to the body and reject LF-only or malformed header
// lines.
//
// The reader starts no goroutines and logs nothing.
package warc
