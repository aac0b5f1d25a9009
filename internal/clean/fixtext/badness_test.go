package fixtext

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"winnow/internal/testutil"
)

const dolmaSample = "corpus/warc/dolma/jsonl/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"

// loadDolma returns the texts of the dolma sample's documents.
func loadDolma(t testing.TB) []string {
	t.Helper()
	f, err := os.Open(testutil.Shared(t, dolmaSample))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 64<<20)
	var texts []string
	for sc.Scan() {
		var d struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, d.Text)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return texts
}

// checkBadness fails when the scanner and the reference expression
// disagree on s.
func checkBadness(t *testing.T, what, s string) bool {
	t.Helper()
	n := refBadness(s)
	if got, want := IsBad(s), n > 0; got != want {
		t.Errorf("%s: IsBad(%q) = %v, expression says %v", what, s, got, want)
		return false
	}
	if got, want := Badness(s), n; got != want {
		t.Errorf("%s: Badness(%q) = %d, expression says %d", what, s, got, want)
		return false
	}
	return true
}

// mojibake returns s encoded as UTF-8 and decoded with c, as a broken
// pipeline would, or "" when c cannot decode some byte.
func mojibake(s string, c *codec) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		r := c.decode[s[i]]
		if r == 0xFFFD && s[i] != 0x1A {
			return ""
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// TestBadnessScannerMatchesExpression holds the hand-written scanner to
// ftfy's expression (badness_ref_test.go) on every ftfy test string, the
// lines of the 697 dolma documents and their mojibake under each candidate
// code page, every pair of characters the expression names, and random
// strings over those characters.
func TestBadnessScannerMatchesExpression(t *testing.T) {
	var inputs []string
	for _, name := range []string{"in-the-wild.json", "synthetic.json", "language-names.json", "known-failures.json", "negative.json"} {
		for _, c := range loadFTFY(t, name) {
			inputs = append(inputs, c.Original, c.Fixed)
			if c.FixedEncoding != nil {
				inputs = append(inputs, *c.FixedEncoding)
			}
		}
	}
	nftfy := len(inputs)
	texts := loadDolma(t)
	if len(texts) != 697 {
		t.Fatalf("%d dolma documents, want 697", len(texts))
	}
	nline := 0
	for _, d := range texts {
		if len(d) < 2048 {
			inputs = append(inputs, d)
		}
		for line := range strings.SplitSeq(d, "\n") {
			if isASCII(line) {
				continue
			}
			// The expression is slow on long texts: long lines go in pieces.
			for len(line) > 600 {
				cut := 512
				for !utf8.RuneStart(line[cut]) {
					cut++
				}
				inputs = append(inputs, line[:cut])
				line = line[cut:]
			}
			inputs = append(inputs, line)
			// Mojibake of one line in 8, under the code pages in turn.
			if nline++; nline%8 == 0 {
				if m := mojibake(line, candidates[nline/8%len(candidates)]); m != "" {
					inputs = append(inputs, m)
				}
			}
		}
	}
	start := time.Now()
	bad, failed := 0, 0
	for _, s := range inputs {
		if !checkBadness(t, "corpus", s) {
			if failed++; failed > 20 {
				t.Fatal("too many differences")
			}
		}
		if IsBad(s) {
			bad++
		}
	}
	t.Logf("%d strings (%d from ftfy), %d bad, %v", len(inputs), nftfy, bad, time.Since(start))
	// Both outcomes must be well represented, or the comparison is weak.
	if bad < len(inputs)/20 || bad > len(inputs)*19/20 {
		t.Errorf("%d of %d strings bad: the inputs do not exercise both outcomes", bad, len(inputs))
	}

	// Every pair of named characters.
	start = time.Now()
	alphabet := badnessAlphabet()
	for _, a := range alphabet {
		for _, b := range alphabet {
			if !checkBadness(t, "pair", string(a)+string(b)) {
				if failed++; failed > 20 {
					t.Fatal("too many differences")
				}
			}
		}
	}
	t.Logf("%d pairs, %v", len(alphabet)*len(alphabet), time.Since(start))
	start = time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var sb strings.Builder
		for range 2 + rng.IntN(8) {
			sb.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		if !checkBadness(t, "random", sb.String()) {
			if failed++; failed > 20 {
				t.Fatal("too many differences")
			}
		}
	}
	t.Logf("20000 random strings, %v", time.Since(start))
}

// badnessAlphabet returns every character the expression names (categories
// and literals), some ASCII letters, punctuation and spaces, a Unicode
// space, a CJK ideograph and an invalid byte.
func badnessAlphabet() []rune {
	seen := map[rune]bool{}
	var out []rune
	add := func(r rune) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, chars := range categories {
		for _, r := range chars {
			if r != '-' {
				add(r)
			}
		}
	}
	for r := rune(0x80); r <= 0x9f; r++ {
		add(r)
	}
	for _, lits := range litSets {
		for _, r := range lits {
			add(r)
		}
	}
	for _, r := range "aZz .,?!_0\n\t\u3000\u2028字ėşÿ" {
		add(r)
	}
	return out
}

func FuzzBadness(f *testing.F) {
	for _, s := range []string{"cafÃ©", "â€œ", "ГўВЂВ\"x", "Ã ", "a Â ", "×²", "ØŸØ§", "\xffÃ", "œ\n", "ВЂВ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkBadness(t, "fuzz", s)
	})
}
