package warc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/klauspost/compress/dict"
	"github.com/klauspost/compress/zstd"
)

func zstdFrame(t testing.TB, s string, opts ...zstd.EOption) []byte {
	t.Helper()
	enc, err := zstd.NewWriter(nil, append(opts, zstd.WithEncoderConcurrency(1))...)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll([]byte(s), nil)
}

// dictFrame wraps a dictionary in the skippable frame that starts a
// .warc.zst file (magic 0x184D2A5D, little-endian size).
func dictFrame(d []byte) []byte {
	h := make([]byte, 8)
	copy(h, zstdDictFrame)
	binary.LittleEndian.PutUint32(h[4:], uint32(len(d)))
	return append(h, d...)
}

func TestZstd(t *testing.T) {
	recs := sampleRecords()
	plain, _ := plainFile(recs)
	var perRecord []byte
	for _, r := range recs {
		perRecord = append(perRecord, zstdFrame(t, r)...)
	}
	var samples [][]byte
	for i := range 8 {
		for _, r := range recs {
			samples = append(samples, []byte(fmt.Sprintf("%s<!-- %d -->", r, i)))
		}
	}
	d, err := dict.BuildZstdDict(samples, dict.Options{MaxDictSize: 4096, HashBytes: 6, ZstdDictID: 40000})
	if err != nil {
		t.Fatal(err)
	}
	withDict := dictFrame(d)
	compressedDict := dictFrame(zstdFrame(t, string(d)))
	for _, r := range recs {
		f := zstdFrame(t, r, zstd.WithEncoderDict(d))
		withDict = append(withDict, f...)
		compressedDict = append(compressedDict, f...)
	}
	for name, in := range map[string][]byte{
		"whole file":            zstdFrame(t, string(plain)),
		"frame per record":      perRecord,
		"dictionary":            withDict,
		"compressed dictionary": compressedDict,
	} {
		t.Run(name, func(t *testing.T) {
			res := read(t, bytes.NewReader(in))
			if res.fatal != nil || len(res.perrs) > 0 || fmt.Sprint(ids(res.docs)) != fmt.Sprint(sampleWant) {
				t.Fatalf("docs %v, parse errors %v, fatal %v", ids(res.docs), res.perrs, res.fatal)
			}
			if string(res.docs[0].Payload) != "<html><body>first page</body></html>" {
				t.Errorf("payload %q", res.docs[0].Payload)
			}
		})
	}
	t.Run("corrupt frame", func(t *testing.T) {
		// The third record's frame has its block bytes overwritten; the
		// records before and after it still come out.
		var in []byte
		for i, r := range recs {
			f := zstdFrame(t, r)
			if i == 2 {
				for j := 8; j < len(f)-4; j++ {
					f[j] = 0xff
				}
			}
			in = append(in, f...)
		}
		res := read(t, bytes.NewReader(in))
		if res.fatal != nil || len(res.perrs) == 0 || fmt.Sprint(ids(res.docs)) != "[urn:uuid:b urn:uuid:wet]" {
			t.Fatalf("docs %v, parse errors %v, fatal %v", ids(res.docs), res.perrs, res.fatal)
		}
	})
	t.Run("every cut", func(t *testing.T) {
		for n := range len(perRecord) {
			res := read(t, bytes.NewReader(perRecord[:n]))
			if res.fatal != nil || len(res.docs) > len(sampleWant) {
				t.Fatalf("cut at %d: docs %v, fatal %v", n, ids(res.docs), res.fatal)
			}
		}
	})
}
