package fixtext

// ftfy's UTF-8 clue expression, as it was matched before findUTF8Runs,
// kept as the reference the scanner is checked against.

import (
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var refUTF8DetectorRE = func() *regexp.Regexp {
	class := func(rs []rune, extra string) string {
		var sb strings.Builder
		sb.WriteByte('[')
		for _, r := range rs {
			sb.WriteString(`\x{` + strings.ToLower(strings.TrimLeft(hex(r), "0")) + `}`)
		}
		sb.WriteString(extra)
		sb.WriteByte(']')
		return sb.String()
	}
	cont := charsOf(0x80, 0xbf)
	first2 := class(charsOf(0xc2, 0xdf), "")
	first3 := class(charsOf(0xe0, 0xef), "")
	first4 := class(charsOf(0xf0, 0xf4), "")
	c := class(cont, " ")
	return regexp.MustCompile(`(?:` + first2 + c + `|` + first3 + c + `{2}|` + first4 + c + `{3})+`)
}()

func hex(r rune) string {
	const digits = "0123456789abcdef"
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = digits[r&0xf]
		r >>= 4
	}
	s := strings.TrimLeft(string(b[:]), "0")
	if s == "" {
		return "0"
	}
	return s
}

func checkUTF8Runs(t *testing.T, s string) bool {
	t.Helper()
	want := refUTF8DetectorRE.FindAllStringIndex(s, -1)
	if got := findUTF8Runs(s, false); !reflect.DeepEqual(got, want) {
		t.Errorf("findUTF8Runs(%q) = %v, expression gives %v", s, got, want)
		return false
	}
	if got := findUTF8Runs(s, true) != nil; got != (want != nil) {
		t.Errorf("findUTF8Runs(%q, first) found %v, expression %v", s, got, want != nil)
		return false
	}
	return true
}

// TestUTF8RunsMatchExpression compares the scanner with the expression on
// the ftfy cases, dolma lines and their mojibake, and random strings over
// the clue characters.
func TestUTF8RunsMatchExpression(t *testing.T) {
	var inputs []string
	for _, name := range []string{"in-the-wild.json", "synthetic.json", "language-names.json", "known-failures.json", "negative.json"} {
		for _, c := range loadFTFY(t, name) {
			inputs = append(inputs, c.Original, c.Fixed)
		}
	}
	for k, d := range loadDolma(t)[:200] {
		for line := range strings.SplitSeq(d, "\n") {
			if len(line) > 600 || isASCII(line) {
				continue
			}
			inputs = append(inputs, line)
			if m := mojibake(line, candidates[k%7]); m != "" {
				inputs = append(inputs, m)
			}
		}
	}
	var alphabet []rune
	for r := range utf8Clues {
		alphabet = append(alphabet, r)
	}
	alphabet = append(alphabet, 'a', '\n', 'é', '字')
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		var sb strings.Builder
		for range 1 + rng.IntN(8) {
			sb.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		inputs = append(inputs, sb.String())
	}
	failed, runs := 0, 0
	for _, s := range inputs {
		if !checkUTF8Runs(t, s) {
			if failed++; failed > 20 {
				t.Fatal("too many differences")
			}
		}
		if findUTF8Runs(s, true) != nil {
			runs++
		}
	}
	t.Logf("%d strings, %d with runs", len(inputs), runs)
	if runs < len(inputs)/10 {
		t.Errorf("only %d of %d strings have runs: the comparison is weak", runs, len(inputs))
	}
}

func FuzzUTF8Runs(f *testing.F) {
	for _, s := range []string{"cafÃ©", "â€œhiâ€", "Ã Ã", "ð\u009f\u0098\u0080", "\xffÃ©"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkUTF8Runs(t, s)
	})
}
