// Package parquet reads documents from Parquet files and writes document
// shards as Parquet, with github.com/parquet-go/parquet-go.
//
// # Reading
//
// [Open] reads any Parquet file that has a string column of text: the
// column names are configurable ([Options]; dotted paths reach into
// nested groups), so FineWeb's, RedPajama's and dolma's Parquet exports
// all read as they are. The reader streams one row group at a time and
// decodes [Options.BatchRows] rows at once, so memory is bounded by a row
// group's pages, not by the file. A row without text, or a row group
// whose pages cannot be decoded, is a *winnow.ParseError naming the row
// (0-based within the file); reading goes on with the next row, or the
// next row group.
//
// # Writing
//
// [ShardWriter] writes dir/NNNNN.parquet with the document schema below,
// rotating to the next shard past [ShardOptions.MaxShardBytes], flushing
// a row group every [ShardOptions.RowGroupRows] rows or
// [ShardOptions.RowGroupBytes] bytes of strings, under a temporary name
// (.NNNNN.parquet.tmp) renamed on success, like the JSONL shard writer.
//
// The schema, one flat row per document, is what pyarrow, DuckDB and
// arrow-go users expect of a text corpus (FineWeb's files are flat too):
//
//	id          string (required)
//	text        string (required)
//	source      string (required)
//	added       string (optional, RFC 3339)
//	created     string (optional, RFC 3339)
//	version     string (optional)
//	url         string (optional; metadata.url again, for filtering)
//	metadata    string (required; dolma's metadata object as JSON)
//	attributes  string (optional; the attributes object as JSON)
//
// metadata and attributes are JSON strings rather than structs because
// their keys vary from document to document (Metadata.Extra, quality
// signals) while a Parquet schema is fixed per file; DuckDB's json_extract
// and pyarrow's json module read them. winnow.Doc.Side is not written.
package parquet
