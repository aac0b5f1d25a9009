package fasttext

import (
	"bytes"
	"cmp"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// Golden values below come from a short Python script that follows
// dictionary.cc: FNV-1a 32-bit with each byte sign-extended, n-grams of
// "<word>" by code point, word n-grams h = h*116049371 + hash over int32
// hashes widened with sign extension.

func TestHash(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint32
	}{
		{"", 0x811c9dc5}, {"a", 0xe40c292c}, {"foobar", 0xbf9cf968}, // standard FNV-1a vectors
		{"</s>", 0xd79c9359}, {"é", 0x3cfa68c1}, {"日本", 0xf8378251}, {"<wé>", 0x316bb56e}, // sign-extended bytes
	} {
		if got := hash(c.in); got != c.want {
			t.Errorf("hash(%q) = %#x, want %#x", c.in, got, c.want)
		}
	}
}

func TestSubwords(t *testing.T) {
	d := dictionary{minn: 1, maxn: 2, bucket: 1000, pruneSize: -1}
	// "<é>": "<" and ">" alone are skipped; "<é", "é", "é>" remain.
	if got, want := d.subwords(nil, "é"), []int32{627, 777, 781}; !slices.Equal(got, want) {
		t.Errorf("subwords(é) = %v, want %v", got, want)
	}
	d.nwords = 10
	d.pruneSize = 1
	d.pruneIdx = map[int32]int32{777: 3}
	if got, want := d.subwords(nil, "é"), []int32{13}; !slices.Equal(got, want) {
		t.Errorf("pruned subwords(é) = %v, want %v", got, want)
	}
	d.pruneSize = 0
	if got := d.subwords(nil, "é"); len(got) != 0 {
		t.Errorf("subwords with an empty prune index = %v, want none", got)
	}
}

func TestWordNgrams(t *testing.T) {
	d := dictionary{bucket: 1000, wordNgrams: 2, pruneSize: -1}
	hashes := []int32{int32(hash("the")), int32(hash("cat")), int32(hash("</s>"))}
	if want := []int32{-1274105316, 108289031, -677604519}; !slices.Equal(hashes, want) {
		t.Fatalf("token hashes = %v, want %v", hashes, want)
	}
	if got, want := d.wordNgramsTo(nil, hashes), []int32{411, 982}; !slices.Equal(got, want) {
		t.Errorf("word bigrams = %v, want %v", got, want)
	}
}

func TestLineTokens(t *testing.T) {
	// A dictionary of three words and one label, no subwords.
	d := dictionary{nwords: 3, nlabels: 1, pruneSize: -1}
	d.words = []entry{{word: "</s>"}, {word: "a"}, {word: "b"}, {word: "__label__x", label: true}}
	d.word2int = []int32{-1, -1, -1, -1, -1, -1}
	for i, e := range d.words {
		d.word2int[d.find(e.word, hash(e.word))] = int32(i)
	}
	for _, c := range []struct {
		in   string
		want []int32
	}{
		{"", []int32{0}},
		{"a b", []int32{1, 2, 0}},
		{" \t a\r\vb\f\x00 ", []int32{1, 2, 0}},
		{"a zz __label__x __label__y b", []int32{1, 2, 0}},
		{"a\nb", []int32{1, 0}}, // a newline ends the line
	} {
		got, _ := d.line(c.in, nil, nil)
		if !slices.Equal(got, c.want) {
			t.Errorf("line(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestHeapOrder checks the libstdc++ heap port against a stable sort: the
// k best scores, best first (ties may differ in order, so only scores are
// compared).
func TestHeapOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		n, k := 1+r.IntN(40), 1+r.IntN(10)
		out := make([]float32, n)
		for i := range out {
			out[i] = float32(r.IntN(8)) / 8 // many ties
		}
		got := findKBest(k, 0, nil, out)
		sortHeap(got)
		want := make([]float32, n)
		for i, v := range out {
			want[i] = stdLog(v)
		}
		slices.SortFunc(want, func(a, b float32) int { return cmp.Compare(b, a) })
		want = want[:min(k, n)]
		if len(got) != len(want) {
			t.Fatalf("got %d predictions, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].score != want[i] {
				t.Fatalf("prediction %d score %v, want %v (%v)", i, got[i].score, want[i], got)
			}
		}
	}
}

func TestBuildTree(t *testing.T) {
	// Counts 5,3,2: leaves 2 and 1 merge first (node 3, count 5). Then
	// leaf 0 ties with node 3 and, as a leaf is taken only when strictly
	// smaller, node 3 becomes the left child and leaf 0 the right one.
	tree := buildTree([]int64{5, 3, 2})
	want := []hsNode{{-1, -1, 5}, {-1, -1, 3}, {-1, -1, 2}, {2, 1, 5}, {3, 0, 10}}
	if !slices.Equal(tree, want) {
		t.Errorf("buildTree = %v, want %v", tree, want)
	}
}

// checkLoadErrors runs from TestPredictMatchesReference on one of its
// trained models (training is the slow part of these tests).
func checkLoadErrors(t *testing.T, model string) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := Load(filepath.Join(dir, "missing.bin")); err == nil {
		t.Error("Load of a missing file: no error")
	}
	if _, err := Load(write("text.bin", []byte("not a model at all"))); err == nil {
		t.Error("Load of a text file: no error")
	}
	b, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{8, 60, 100, len(b) / 2, len(b) - 1} {
		if _, err := Load(write("cut.bin", b[:n])); err == nil {
			t.Errorf("Load of the model cut to %d bytes: no error", n)
		}
	}
	bad := bytes.Clone(b)
	bad[4] = 13 // version 13
	if _, err := Load(write("v13.bin", bad)); err == nil {
		t.Error("Load of version 13: no error")
	}
}

// checkLoadShared runs from TestPredictMatchesReference.
func checkLoadShared(t *testing.T, path string) {
	var wg sync.WaitGroup
	models := make([]*Model, 8)
	for i := range models {
		wg.Go(func() {
			m, err := LoadShared(path)
			if err != nil {
				t.Error(err)
			}
			models[i] = m
		})
	}
	wg.Wait()
	for _, m := range models[1:] {
		if m != models[0] {
			t.Fatal("LoadShared returned different models for one path")
		}
	}
	if got := models[0].Predict("Das ist ein Haus und es ist sehr schön.", 1, 0); len(got) != 1 || got[0].Label != "__label__de" {
		t.Errorf("Predict(German) = %v, want __label__de first", got)
	}
	// Concurrent Predict calls on one Model give the serial results.
	texts := []string{"the house is red", "la maison est rouge", "дом красный", "", "das Haus ist rot"}
	want := make([][]Prediction, len(texts))
	for i, s := range texts {
		want[i] = models[0].Predict(s, -1, 0)
	}
	for g := range 4 {
		wg.Go(func() {
			for n := range 200 {
				i := (n + g) % len(texts)
				if got := models[0].Predict(texts[i], -1, 0); !slices.Equal(got, want[i]) {
					t.Errorf("concurrent Predict(%q) = %v, want %v", texts[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// trainedModel trains one small softmax model with subwords and word
// bigrams for the tests that only need a model.
func trainedModel(t testing.TB) string {
	t.Helper()
	bin := fasttextBinary(t)
	dir := t.TempDir()
	refData(t, dir)
	return trainRef(t, bin, dir, refModel{name: "shared",
		train: []string{"-loss", "softmax", "-wordNgrams", "2", "-minn", "2", "-maxn", "4"}})
}

// tinyModel trains a model of a few hundred bytes as a fuzz seed.
func tinyModel(f *testing.F, loss string) []byte {
	bin := fasttextBinary(f)
	dir := f.TempDir()
	train := "__label__a x y z\n__label__b u v w\n__label__c x u\n__label__a y y\n"
	if err := os.WriteFile(filepath.Join(dir, "t.txt"), []byte(train), 0o644); err != nil {
		f.Fatal(err)
	}
	out := filepath.Join(dir, loss)
	run(f, bin, "supervised", "-input", filepath.Join(dir, "t.txt"), "-output", out, "-dim", "2",
		"-bucket", "8", "-minn", "1", "-maxn", "2", "-wordNgrams", "2", "-epoch", "1", "-loss", loss,
		"-thread", "1", "-verbose", "0")
	b, err := os.ReadFile(out + ".bin")
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func FuzzRead(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\xba\x16\x4f\x2f\x0c\x00\x00\x00"))
	for _, loss := range []string{"softmax", "hs", "ova"} {
		f.Add(tinyModel(f, loss))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		for _, s := range []string{"", "hello world", "日本語 __label__x", "a\nb"} {
			m.Predict(s, 2, 0)
		}
	})
}
