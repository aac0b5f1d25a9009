// Package jsonl reads and writes documents as JSON Lines in dolma's
// document schema (allenai/dolma, docs/data-format.md): one JSON object per
// line with the keys id, text, source, added, created, version, metadata
// and attributes, in that order.
//
// # Reading
//
// [Open] and [NewReader] stream plain, gzip (multistream) and zstd input;
// the compression is sniffed from the first bytes (gzip 1f 8b, zstd 28 b5
// 2f fd), never taken from the file name. Each line becomes one
// *winnow.Doc. A bad line is returned as a *winnow.ParseError and reading
// goes on with the next line; see [Reader.Next] for every case.
//
// # Document shards
//
// [ShardWriter] writes dir/NNNNN.jsonl.zst (or .jsonl.gz, .jsonl), five
// digits from ShardOptions.FirstIndex, rotating to the next shard when a
// document would push the shard past ShardOptions.MaxShardBytes of
// uncompressed JSON. Every file is written under a temporary name in its
// final directory (.NNNNN.jsonl.zst.tmp) and renamed when its shard is
// closed successfully, so a final name always holds a complete file.
//
// # Side files
//
// When ShardOptions.SideDir is set, every key k that any document of the
// run puts in winnow.Doc.Side gets one file per document shard,
// SideDir/k/NNNNN.bin. The file is a sequence of records, one per document
// of shard NNNNN and in the same order: the record length as an unsigned
// LEB128 varint (encoding/binary.AppendUvarint), then that many bytes. A
// document without the key has a zero-length record (a single 0x00 byte),
// so record i of every side file is document i of the shard. Side files
// are renamed into place together with their shard; a key first seen in a
// later shard also gets all-empty files for the earlier shards when the
// writer is closed.
//
// # Stand-off attributes
//
// With ShardOptions.StandoffAttributes, attributes are not written inline
// but in dolma's stand-off layout: the attribute set of a key is the part
// before its first "/" ("gopher_quality/mean_word_length" belongs to set
// gopher_quality; a key without "/" belongs to set "attributes"), and
// AttrDir/<set>/NNNNN.jsonl.zst (compressed like the shards) holds one row
// per document of shard NNNNN, aligned with it: {"id":...,"attributes":{key:value,...}}, with an empty
// object for a document that has no attribute of the set. A set first seen
// in the middle of a shard is back-filled with empty rows for the
// documents before it, and a set first seen in a later shard gets files of
// empty rows for the earlier shards when the writer is closed.
//
// # Rejects
//
// [RejectWriter] writes the documents that the run dropped and the records
// that could not be parsed, one row each, with the same shard naming,
// rotation and atomic commit as the document shards.
package jsonl
