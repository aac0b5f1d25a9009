package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"winnow"
	"winnow/internal/dedup"
)

// linesDoc is one hand-made document of linesInputs with the text it
// must have after repeated-line dedup (drop mode, survivor first), ""
// for a document that is dropped.
type linesDoc struct {
	id, text, want string
	removed        int64 // lines removed from it (or, tag_only, that would be)
}

// linesCase are the documents of e-lines.jsonl, in input order, with
// their results derived by hand from cc_net's rule as internal/dedup
// states it: a line (normalised: trimmed, lowercased, digits to 0) seen
// in an earlier surviving document is removed everywhere but there.
func linesCase() []linesDoc {
	p := func(seed int) string { return prose(seed, 36) } // three lines
	base := prose(17, 300)
	near := strings.Replace(base, "miller", "baker", 1)
	shared := "A line only the near copy and later documents share"
	return []linesDoc{
		// owns "home | about | contact", "copyright 0000 example inc."
		// and "share this page"
		{"nav-1", "Home | About | Contact\n" + p(11) + "\nCopyright 2024 Example Inc.\nShare this page",
			"Home | About | Contact\n" + p(11) + "\nCopyright 2024 Example Inc.\nShare this page", 0},
		// loses all four boilerplate lines (the share line both times,
		// once with spaces around it); the empty line is never removed
		{"nav-2", "home | about | contact\n\n" + p(12) + "\nCopyright 2019 Example Inc.\n  Share this page  \nShare this page",
			"\n" + p(12), 4},
		// every line seen before: emptied, dropped
		{"nav-3", "HOME | ABOUT | CONTACT\nCopyright 2020 Example Inc.", "", 2},
		// a line repeated inside its owner stays both times
		{"foot-1", "Unique footer line\n" + p(14) + "\nUnique footer line",
			"Unique footer line\n" + p(14) + "\nUnique footer line", 0},
		{"foot-2", "Unique footer line\n" + p(15), p(15), 1},
		// near is a near duplicate of base, dropped before the lines
		// step: its last line does not count, so late-1 keeps it and
		// late-2 loses it
		{"base", base, base, 0},
		{"near", near + "\n" + shared, "", 0},
		{"late-1", p(18) + "\n" + shared, p(18) + "\n" + shared, 0},
		{"late-2", p(19) + "\n" + shared, p(19), 1},
	}
}

// linesInputs returns fourModeInputs plus e-lines.jsonl (linesCase), its
// documents with the attribute "score" where scores has one.
func linesInputs(t *testing.T, dir string, scores map[string]float64) []string {
	t.Helper()
	inputs, _ := fourModeInputs(t, dir)
	var sb strings.Builder
	for _, d := range linesCase() {
		m := map[string]any{"id": d.id, "text": d.text, "created": "2020-01-01T00:00:00Z"}
		if sc, ok := scores[d.id]; ok {
			m["attributes"] = map[string]any{"score": sc}
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		sb.Write(b)
		sb.WriteByte('\n')
	}
	p := filepath.Join(dir, "e-lines.jsonl")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return append(inputs, p)
}

// linesConfig has only the minhash step, with repeated-line dedup (a
// clean step would remove the boilerplate lines itself).
const linesConfig = `
batch_size: 64
steps:
  - minhash: {lines: {enabled: true}}
`

// TestMetamorphicLines runs the four modes with repeated-line dedup over
// the dolma sample, the documents of TestMetamorphicFourModes and
// linesCase, checks linesCase's hand-derived results and compares the
// modes.
func TestMetamorphicLines(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	inputs := linesInputs(t, tmp, nil)
	modes := runModes(t, tmp, inputs, linesConfig, "1 worker", "3 workers", "3 ranks", "beam")
	ref := modes[0].st
	docs := readDocs(t, modes[0].dir)
	dups := rejectRows(t, modes[0].dir, "rejects/dedup/*.jsonl.zst")
	var handRemoved int64
	for _, c := range linesCase() {
		handRemoved += c.removed
		switch {
		case c.id == "near":
			if r := dups[c.id]; r == nil || r["reason"] != "dedup/near_duplicate" {
				t.Errorf("rejects/dedup row of near: %v, want dedup/near_duplicate", r)
			}
		case c.want == "":
			r := dups[c.id]
			if r == nil || r["reason"] != "dedup/repeated_lines" || r["detail"] != "every line was seen in an earlier document" {
				t.Errorf("rejects/dedup row of %s: %v, want dedup/repeated_lines", c.id, r)
			}
			if _, ok := docs[c.id]; ok {
				t.Errorf("kept the emptied document %s", c.id)
			}
		default:
			var d winnow.Doc
			if err := json.Unmarshal([]byte(docs[c.id]), &d); err != nil {
				t.Fatalf("%s: %v", c.id, err)
			}
			if d.Text != c.want {
				t.Errorf("%s: text %q, want %q", c.id, d.Text, c.want)
			}
			if _, ok := d.Attributes[dedup.AttrRepeatedLines]; ok {
				t.Errorf("%s has the tag_only attribute %s in drop mode", c.id, dedup.AttrRepeatedLines)
			}
		}
	}
	if ref.Documents.DroppedByReason["dedup/repeated_lines"] < 1 || ref.Dedup == nil || ref.Dedup.EmptiedDocuments < 1 {
		t.Errorf("no emptied document: %v, dedup %+v", ref.Documents.DroppedByReason, ref.Dedup)
	}
	if ref.Dedup == nil || ref.Dedup.LinesRemoved < handRemoved {
		t.Errorf("dedup %+v, want at least the %d lines removed by hand", ref.Dedup, handRemoved)
	}
	compareModes(t, modes)
	t.Logf("lines removed %d (%d in the hand-made case), drops %v", ref.Dedup.LinesRemoved, handRemoved, ref.Documents.DroppedByReason)
}

// linesTagOnlyConfig is linesConfig in tag_only mode with survivor
// oldest.
const linesTagOnlyConfig = `
batch_size: 64
steps:
  - minhash: {lines: {enabled: true}, tag_only: true, survivor: oldest}
`

// TestMetamorphicLinesTagOnly runs the four modes with repeated-line
// dedup in tag_only mode and survivor oldest. Every linesCase document
// is created at the same time, so ties go by input order and the owners
// are those of TestMetamorphicLines, but no document is dropped, so
// near (a duplicate, kept and tagged) now owns its last line: late-1
// would lose it too. Texts are unchanged; dedup/repeated_lines counts
// the lines that would go.
func TestMetamorphicLinesTagOnly(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	inputs := linesInputs(t, tmp, nil)
	modes := runModes(t, tmp, inputs, linesTagOnlyConfig, "1 worker", "3 workers", "3 ranks", "beam")
	docs := readDocs(t, modes[0].dir)
	want := map[string]float64{"nav-2": 4, "nav-3": 2, "foot-2": 1, "late-1": 1, "late-2": 1}
	for _, c := range linesCase() {
		var d map[string]any
		if err := json.Unmarshal([]byte(docs[c.id]), &d); err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		if d["text"] != c.text {
			t.Errorf("%s: tag_only changed the text to %q", c.id, d["text"])
		}
		attrs, _ := d["attributes"].(map[string]any)
		got, ok := attrs[dedup.AttrRepeatedLines]
		if n, w := want[c.id]; w && (!ok || got != n) {
			t.Errorf("%s: %s = %v, want %v", c.id, dedup.AttrRepeatedLines, got, n)
		}
		if _, w := want[c.id]; !w && c.id != "near" && ok {
			t.Errorf("%s: %s = %v, want none", c.id, dedup.AttrRepeatedLines, got)
		}
	}
	if st := modes[0].st; hasPrefixKey(st.Documents.DroppedByReason, "dedup/") {
		t.Errorf("tag_only dropped documents: %v", st.Documents.DroppedByReason)
	}
	compareModes(t, modes)
}

// TestRemoveLinesMatchesStage checks that the hashes of the minhash
// stage's "lines" side row, which the Beam line-owner step groups, are the
// ones dedup.RemoveLines (the rewrite step of removeLinesFn) matches: the
// eligible lines' hashes, distinct, in order of first appearance, with
// lines that normalise alike (case, digits, surrounding space, cc_net
// punctuation) sharing a hash and too short lines left out.
func TestRemoveLinesMatchesStage(t *testing.T) {
	dc := dedup.DefaultConfig()
	dc.Lines = dedup.LinesConfig{Enabled: true, MinLength: 3}
	text := "Copyright 2024\n  copyright 1999  \n\nab\nHello， world\nhello world\nHELLO WORLD!\nCopyright 2024"
	st, err := dedup.New(dc)
	if err != nil {
		t.Fatal(err)
	}
	out, err := st.Process(t.Context(), []*winnow.Doc{{Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	row, err := parseLinesRow(out[0].Side[sideLines])
	if err != nil {
		t.Fatal(err)
	}
	// by hand: "copyright 0000" (lines 0, 1, 7), "hello world" (lines 4,
	// 5: the full-width comma is cc_net punctuation), "hello world!" (6:
	// "!" is not); "" and "ab" are too short
	if len(row) != 3 {
		t.Fatalf("stage row %x: want 3 distinct line hashes", row)
	}
	cases := []struct {
		remove []uint64
		want   string
		n      int
	}{
		{[]uint64{row[0]}, "\nab\nHello， world\nhello world\nHELLO WORLD!", 3},
		{[]uint64{row[1]}, "Copyright 2024\n  copyright 1999  \n\nab\nHELLO WORLD!\nCopyright 2024", 2},
		{[]uint64{row[2]}, "Copyright 2024\n  copyright 1999  \n\nab\nHello， world\nhello world\nCopyright 2024", 1},
		{row, "\nab", 6},
		{nil, text, 0},
	}
	for i, tc := range cases {
		remove := map[uint64]bool{}
		for _, h := range tc.remove {
			remove[h] = true
		}
		got, n := dedup.RemoveLines(text, remove, dc.Lines.MinLength)
		if got != tc.want || n != tc.n {
			t.Errorf("case %d: RemoveLines = %q, %d; want %q, %d", i, got, n, tc.want, tc.n)
		}
	}
}

// linesAttributeConfig has repeated-line dedup with the survivor policy
// attribute:score.
const linesAttributeConfig = `
batch_size: 64
steps:
  - minhash: {lines: {enabled: true}, survivor: "attribute:score"}
`

// TestMetamorphicLinesAttribute runs the four modes with repeated-line
// dedup and survivor attribute:score over the hand-made files only (not
// the dolma sample, to keep it fast), nav-1, nav-2 and nav-3 scored 1,
// 3 and 2, the other documents unscored (ranking last, ties by input
// order). By hand: nav-2, the highest, owns its boilerplate lines and
// keeps its whole text; nav-1 loses the three it shares with nav-2
// (navigation, copyright, share) and keeps its prose; nav-3 loses both
// of its lines and is dropped; the unscored documents behave as under
// "first".
func TestMetamorphicLinesAttribute(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	inputs := linesInputs(t, tmp, map[string]float64{"nav-1": 1, "nav-2": 3, "nav-3": 2})[1:]
	modes := runModes(t, tmp, inputs, linesAttributeConfig, "1 worker", "3 workers", "3 ranks", "beam")
	docs := readDocs(t, modes[0].dir)
	want := map[string]string{}
	for _, c := range linesCase() {
		want[c.id] = c.want
	}
	want["nav-1"] = prose(11, 36)
	want["nav-2"] = linesCase()[1].text
	for _, c := range linesCase() {
		if want[c.id] == "" {
			if _, ok := docs[c.id]; ok {
				t.Errorf("kept %s", c.id)
			}
			continue
		}
		var d winnow.Doc
		if err := json.Unmarshal([]byte(docs[c.id]), &d); err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		if d.Text != want[c.id] {
			t.Errorf("%s: text %q, want %q", c.id, d.Text, want[c.id])
		}
	}
	if r := rejectRows(t, modes[0].dir, "rejects/dedup/*.jsonl.zst")["nav-3"]; r == nil || r["reason"] != "dedup/repeated_lines" {
		t.Errorf("rejects/dedup row of nav-3: %v, want dedup/repeated_lines", r)
	}
	// nav-1 3, nav-3 2, foot-2 1, late-2 1
	if d := modes[0].st.Dedup; d == nil || d.LinesRemoved != 7 || d.EmptiedDocuments != 1 {
		t.Errorf("dedup %+v, want 7 lines removed by hand and 1 emptied document", d)
	}
	compareModes(t, modes)
}
