package run

import (
	"fmt"
	"path/filepath"
	"strings"

	"winnow"
	"winnow/internal/config"
	"winnow/internal/format"
	"winnow/internal/format/jsonl"
	"winnow/internal/format/parquet"
)

// Files returns the backend that reads WARC, WET and JSONL files with
// internal/format and writes dolma-schema JSONL shards with
// internal/format/jsonl (or Parquet shards with internal/format/parquet
// when output.format is parquet):
//
//	OUTDIR/documents/NNNNN.jsonl.zst          (or NNNNN.parquet)
//	OUTDIR/side/<key>/NNNNN.bin
//	OUTDIR/attributes/<set>/NNNNN.jsonl.zst   (standoff_attributes only)
//	OUTDIR/rejects/NNNNN.jsonl.zst
func Files() *Backend {
	return &Backend{
		Expand:     format.Expand,
		ExpandWith: format.ExpandWith,
		Open: func(path string, in config.Input) (winnow.Reader, error) {
			if strings.HasSuffix(strings.ToLower(path), ".lz4") {
				// Detect would call it "not a WARC or JSONL file"; the
				// content may well be one, in a compression not read.
				return nil, fmt.Errorf("run: %s: lz4 compression is not supported (decompress it first, e.g. lz4 -d)", path)
			}
			return format.Open(path, format.Options{TextField: in.TextField, IDField: in.IDField})
		},
		OpenAt: func(path string, in config.Input, at format.SeekPoint) (winnow.Reader, error) {
			return format.OpenAt(path, format.Options{TextField: in.TextField, IDField: in.IDField}, at)
		},
		Documents: func(outDir string, out config.Output, first int) (ShardWriter, error) {
			if out.Format == "parquet" {
				w, err := parquet.NewShardWriter(filepath.Join(outDir, "documents"), parquet.ShardOptions{
					Compression:   parquetCodecs[out.Compression],
					MaxShardBytes: out.MaxShardBytes,
					RowGroupRows:  out.RowGroupRows,
					FirstIndex:    first,
				})
				if err != nil {
					return nil, fmt.Errorf("run: %w", err)
				}
				return w, nil
			}
			w, err := jsonl.NewShardWriter(filepath.Join(outDir, "documents"), shardOptions(outDir, out, first))
			if err != nil {
				return nil, fmt.Errorf("run: %w", err)
			}
			return w, nil
		},
		Rejects: func(outDir string, out config.Output, first int) (RejectWriter, error) {
			w, err := jsonl.NewRejectWriter(filepath.Join(outDir, "rejects"), shardOptions(outDir, out, first))
			if err != nil {
				return nil, fmt.Errorf("run: %w", err)
			}
			return w, nil
		},
	}
}

// parquetCodecs maps output.compression to the Parquet page codec.
var parquetCodecs = map[string]string{"zst": "zstd", "gz": "gzip", "none": "none", "": "zstd"}

func shardOptions(outDir string, out config.Output, first int) jsonl.ShardOptions {
	return jsonl.ShardOptions{
		FirstIndex:         first,
		Compression:        out.Compression,
		MaxShardBytes:      out.MaxShardBytes,
		SideDir:            filepath.Join(outDir, "side"),
		StandoffAttributes: out.StandoffAttributes,
		AttrDir:            filepath.Join(outDir, "attributes"),
	}
}
