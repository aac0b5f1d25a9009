package pipeline

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/zeebo/xxh3"

	"winnow"
	"winnow/internal/dedup"
)

// TestParseMinHashRow checks the side-row decoder against rows the
// minhash stage itself writes: the exact hash must be xxh3-128 of the
// whitespace-normalised text (dedup.Config.ExactNorm "whitespace") and
// the band hashes those of the stage's own Hasher.
func TestParseMinHashRow(t *testing.T) {
	cfg := dedup.DefaultConfig()
	st, err := dedup.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := "  the quick brown fox\tjumps over the lazy dog again and again  "
	d := &winnow.Doc{ID: "1", Text: text}
	if _, err := st.Process(context.Background(), []*winnow.Doc{d}); err != nil {
		t.Fatal(err)
	}
	sig, err := parseMinHashRow(d.Side[sideMinHash])
	if err != nil {
		t.Fatal(err)
	}
	want := xxh3.HashString128("the quick brown fox jumps over the lazy dog again and again")
	if sig.exact != [2]uint64{want.Hi, want.Lo} {
		t.Errorf("exact = %x, want %x %x", sig.exact, want.Hi, want.Lo)
	}
	h, err := dedup.NewHasher(cfg.MinHash)
	if err != nil {
		t.Fatal(err)
	}
	_, s := h.Signature(text)
	bands := h.BandHashes(nil, s)
	if len(sig.bands) != cfg.MinHash.Bands || len(bands) != cfg.MinHash.Bands {
		t.Fatalf("got %d bands, hasher %d, want %d", len(sig.bands), len(bands), cfg.MinHash.Bands)
	}
	for i := range bands {
		if sig.bands[i] != bands[i] {
			t.Errorf("band %d = %x, want %x", i, sig.bands[i], bands[i])
		}
	}
}

func TestParseMinHashRowErrors(t *testing.T) {
	good := make([]byte, 22+8)
	good[0], good[21] = 1, 1
	binary.LittleEndian.PutUint64(good[22:], 42)
	if s, err := parseMinHashRow(good); err != nil || len(s.bands) != 1 || s.bands[0] != 42 {
		t.Fatalf("good row: %v, %v", s, err)
	}
	for name, p := range map[string][]byte{
		"empty":       nil,
		"short":       good[:21],
		"version":     append([]byte{2}, good[1:]...),
		"band count":  append(append([]byte(nil), good[:21]...), append([]byte{2}, good[22:]...)...),
		"extra bytes": append(append([]byte(nil), good...), 0),
	} {
		if _, err := parseMinHashRow(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzParseMinHashRow(f *testing.F) {
	f.Add([]byte{})
	row := make([]byte, 22+16)
	row[0], row[21] = 1, 2
	f.Add(row)
	f.Fuzz(func(t *testing.T, p []byte) {
		s, err := parseMinHashRow(p)
		if err == nil && 22+8*len(s.bands) != len(p) {
			t.Errorf("accepted %d bytes with %d bands", len(p), len(s.bands))
		}
	})
}

func TestWireRoundTrip(t *testing.T) {
	d := &winnow.Doc{ID: "a", Text: "<b>x</b> & y", Source: "s", Payload: []byte{0, 0xff, 'h'},
		Pos:        winnow.Position{File: "f.warc.gz", Offset: 10, Record: 3},
		Attributes: map[string]any{"n": 2.5},
		Side:       map[string][]byte{sideMinHash: {1, 2}}}
	w, err := encodeDoc("00000001:000000000002", d)
	if err != nil {
		t.Fatal(err)
	}
	b, err := encodeBatch([]wireDoc{w})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := decodeBatch(b)
	if err != nil || len(ws) != 1 {
		t.Fatal(ws, err)
	}
	got, err := ws[0].decode()
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != d.ID || got.Text != d.Text || string(got.Payload) != string(d.Payload) || got.Pos != d.Pos ||
		got.Attributes["n"] != 2.5 || string(ws[0].MinHash) != "\x01\x02" || ws[0].Key != "00000001:000000000002" {
		t.Errorf("round trip: %+v (wire %+v)", got, ws[0])
	}
	if orderKey(1, 2) >= orderKey(1, 10) || orderKey(1, 999) >= orderKey(2, 0) {
		t.Error("order keys do not sort in input order")
	}
}
