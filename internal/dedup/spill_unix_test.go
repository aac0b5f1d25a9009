//go:build unix

package dedup

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// TestEdgesRemovesDeadSpills: a part starts by removing the spill folders
// that killed copies of the same part left (owner file not locked), and
// keeps the folder of a copy that still runs (owner file locked) and the
// folders of other parts; its own spill folder goes when it ends.
func TestEdgesRemovesDeadSpills(t *testing.T) {
	cfg := DefaultConfig()
	dir := t.TempDir()
	writeOutput(t, dir, cfg, partsFixture(), 16, 7)
	edges := filepath.Join(dir, ".dedup", "edges")
	spill := func(name string) string {
		t.Helper()
		p := filepath.Join(edges, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "run-0"), make([]byte, 4096), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p+".owner", nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dead := spill(".sort-part-00001-of-00002-111")
	dead2 := spill(".sort-part-00001-of-00002-222")
	live := spill(".sort-part-00001-of-00002-333")
	other := spill(".sort-part-00000-of-00002-444")
	otherParts := spill(".sort-part-00001-of-00003-555")
	f, err := os.OpenFile(live+".owner", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if _, err := Edges(context.Background(), EdgesOptions{Dir: dir, Config: cfg, Part: 1, Parts: 2}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dead, dead2, dead + ".owner", dead2 + ".owner"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s of a killed copy survived: %v", filepath.Base(p), err)
		}
	}
	for _, p := range []string{live, other, otherParts, live + ".owner", other + ".owner"} {
		if _, err := os.Stat(filepath.Join(p)); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
	ents, _ := os.ReadDir(edges)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{
		".sort-part-00000-of-00002-444", ".sort-part-00000-of-00002-444.owner",
		".sort-part-00001-of-00002-333", ".sort-part-00001-of-00002-333.owner",
		".sort-part-00001-of-00003-555", ".sort-part-00001-of-00003-555.owner",
		"part-00001-of-00002.band", "part-00001-of-00002.exact", "part-00001-of-00002.json",
	}
	if !slices.Equal(names, want) {
		t.Errorf("edges folder after the part:\n%v\nwant\n%v", names, want)
	}
}
