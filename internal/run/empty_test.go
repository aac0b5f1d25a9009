package run

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"winnow"
	"winnow/internal/testutil"
)

func TestDropEmpty(t *testing.T) {
	for _, tc := range []struct {
		name    string
		text    string
		payload string
		drop    string // "" kept, else a word of the detail
	}{
		{"words", "some words", "", ""},
		{"padded", "  x  ", "", ""},
		{"empty", "", "", "empty or only white space"},
		{"spaces", " \t\n\r ", "", "empty or only white space"},
		{"nbsp and ideographic space", "\u00a0\u3000", "", "empty or only white space"},
		{"payload not extracted", "", "<html><p>hi</p></html>", "no extract step: the record's 22-byte payload"},
		{"payload extracted to nothing", " ", "<html></html>", "empty or only white space"},
	} {
		d := &winnow.Doc{ID: tc.name, Text: tc.text, Payload: []byte(tc.payload)}
		kept, dropped := DropEmpty([]*winnow.Doc{d}, nil)
		if tc.drop == "" {
			if len(kept) != 1 || len(dropped) != 0 || d.Drop != nil {
				t.Errorf("%s: dropped (%+v), want kept", tc.name, d.Drop)
			}
			continue
		}
		if len(kept) != 0 || len(dropped) != 1 || d.Drop == nil || d.Drop.Reason() != "run/empty_text" || !strings.Contains(d.Drop.Detail, tc.drop) {
			t.Errorf("%s: kept %d, drop %+v; want run/empty_text with %q", tc.name, len(kept), d.Drop, tc.drop)
		}
	}
}

// TestEmptyTextNotKept: JSONL documents with empty or blank text, and WARC
// responses run without an extract step, are dropped as run/empty_text,
// never written as kept.
func TestEmptyTextNotKept(t *testing.T) {
	in := t.TempDir()
	p := writeInput(in, "e.jsonl",
		`{"id":"a","text":"real words here"}`,
		`{"id":"b","text":""}`,
		`{"id":"c","text":"  \n\t "}`,
		`{"id":"d","text":"more words"}`)
	out := t.TempDir()
	st, err := Run(context.Background(), Options{Inputs: []string{p}, OutDir: out, Config: testConfig(1, 2, 2), NewPipeline: pipelineOf()})
	if err != nil {
		t.Fatal(err)
	}
	if st.Documents.Kept != 2 || st.Documents.Dropped != 2 || st.Documents.DroppedByReason["run/empty_text"] != 2 {
		t.Errorf("kept %d, dropped %d %v; want 2 kept, 2 run/empty_text", st.Documents.Kept, st.Documents.Dropped, st.Documents.DroppedByReason)
	}
	var ids []string
	for _, d := range readShard(t, filepath.Join(out, st.Shards[0])) {
		ids = append(ids, d.ID)
	}
	if strings.Join(ids, ",") != "a,d" {
		t.Errorf("kept %v, want a, d", ids)
	}

	// testdata/sample/sample.warc.gz holds HTML responses; without an
	// extract step none of them has text.
	warc := filepath.Join(testutil.Root(t), "testdata", "sample", "sample.warc.gz")
	out = t.TempDir()
	st, err = Run(context.Background(), Options{Inputs: []string{warc}, OutDir: out, Config: testConfig(1, 2, 2), NewPipeline: pipelineOf()})
	if err != nil {
		t.Fatal(err)
	}
	if st.Documents.Read == 0 || st.Documents.Kept != 0 || st.Documents.DroppedByReason["run/empty_text"] != st.Documents.Read {
		t.Errorf("WARC without extract: read %d, kept %d, dropped %v; want every document dropped as run/empty_text", st.Documents.Read, st.Documents.Kept, st.Documents.DroppedByReason)
	}
	rows := rejectRows(t, out)
	if len(rows) == 0 || !strings.Contains(rows[0]["detail"].(string), "no extract step") {
		t.Errorf("reject rows %v, want a detail naming the missing extract step", rows)
	}
}

// rejectRows reads every row of out's rejects shards.
func rejectRows(t *testing.T, out string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	for _, p := range mustGlob(t, filepath.Join(out, "rejects", "*.jsonl.zst")) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zstd.NewReader(nil)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := zr.DecodeAll(b, nil)
		zr.Close()
		if err != nil {
			t.Fatal(err)
		}
		for l := range bytes.Lines(plain) {
			var m map[string]any
			if err := json.Unmarshal(l, &m); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, m)
		}
	}
	return rows
}
