package dedup

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// Golden values from an independent Python re-statement of datatrove's
// simplify_text (lowercase; numbers `\d+([.,،٫⎖⎗⎘]\d+)?` → "0";
// PUNCTUATION → space; `\s+` → " "; NFD minus Mn; strip), run with
// CPython 3's unicodedata.
func TestSimplify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello, World!", "hello world"},
		{"  Leading\tand   trailing \n", "leading and trailing"},
		{"Caf\u00e9 \u00dcn\u00efc\u00f6d\u00e9 na\u00efve fa\u00e7ade", "cafe unicode naive facade"},
		{"Price: $1,000.50 or 3.14 and 1.2.3", "price 0 0 or 0 and 0 0"},
		{"\uff21\uff11\uff12\uff13 full-width digits \uff14\uff15\uff16", "\uff410 full width digits 0"},
		{"\u0663\u0664\u0665\u066b\u0666 arabic-indic", "0 arabic indic"},
		{"\u4e2d\u6587\uff0c\u6807\u70b9\u3002\u6d4b\u8bd5\uff01", "\u4e2d\u6587 \u6807\u70b9 \u6d4b\u8bd5"},
		{"\u201eQuotes\u201c \u00abguillemets\u00bb \u2018single\u2019", "quotes guillemets \u2018single"},
		{"tab\tnew\nline\r\nCR", "tab new line cr"},
		{"a \u0301 b", "a  b"},
		{"\u0301 a", "a"},
		{"\u00fcn\u00efcode\u2014dash\u2013en\u2026ellipsis", "unicode dash en ellipsis"},
		{"x\u0000y\u001fz\u007f\u0085w", "x y z w"},
		{"1,2,3", "0 0"},
		{"e.g. U.S.A.", "e g u s a"},
		{"123abc456", "0abc0"},
		{"\u01c4 \u01c5 \u01c6", "\u01c6 \u01c6 \u01c6"},
		{"\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8", "\u1112\u1161\u11ab\u1100\u116e\u11a8\u110b\u1165 \u1110\u1166\u11a8\u1109\u1173\u1110\u1173"},
		{"", ""},
		{"   ", ""},
		{"!!!", ""},
		{"\u00c5ngstr\u00f6m 2024-05-18", "angstrom 0 0 0"},
	}
	for _, tt := range tests {
		if got := Simplify(tt.in); got != tt.want {
			t.Errorf("Simplify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPermuteMatchesBigInt(t *testing.T) {
	p := new(big.Int).SetUint64(mersenne61)
	rng := rand.New(rand.NewPCG(7, 7))
	edge := []uint64{0, 1, mersenne61 - 1, mersenne61, mersenne61 + 1, 1<<64 - 1}
	for i := range 20000 {
		a := 1 + rng.Uint64N(mersenne61-1)
		b := rng.Uint64N(mersenne61)
		x := rng.Uint64()
		if i < len(edge)*len(edge) {
			a = max(1, edge[i/len(edge)]%mersenne61)
			x = edge[i%len(edge)]
			b = mersenne61 - 1
		}
		want := new(big.Int).Mul(new(big.Int).SetUint64(a), new(big.Int).SetUint64(x))
		want.Add(want, new(big.Int).SetUint64(b)).Mod(want, p)
		if got := permute(a, x, b); got != want.Uint64() {
			t.Fatalf("permute(%d, %d, %d) = %d, want %s", a, x, b, got, want)
		}
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"the quick brown fox", []string{"the", "quick", "brown", "fox"}},
		{"中文 abc日本語かなカナ", []string{"中", "文", "abc", "日", "本", "語", "か", "な", "カ", "ナ"}},
		{"ภาษาไทย ok", []string{"ภ", "า", "ษ", "า", "ไ", "ท", "ย", "ok"}},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		tb := []byte(tt.in)
		for i := 0; ; {
			var s int
			s, i = nextWord(tb, i)
			if s < 0 {
				break
			}
			got = append(got, string(tb[s:i]))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// shingleSet is an independent statement of the shingle set: words of the
// simplified text split on spaces (the test texts are Latin), joined by
// " " in 5-grams.
func shingleSet(text string, n int) map[string]bool {
	w := strings.Fields(Simplify(text))
	s := map[string]bool{}
	if len(w) < n {
		s[strings.Join(w, " ")] = true
		return s
	}
	for i := 0; i+n <= len(w); i++ {
		s[strings.Join(w[i:i+n], " ")] = true
	}
	return s
}

func trueJaccard(a, b map[string]bool) float64 {
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

func randomWords(rng *rand.Rand, n int) []string {
	w := make([]string, n)
	for i := range w {
		w[i] = "w" + letters(rng.IntN(1_000_000))
	}
	return w
}

// The share of equal signature values estimates the Jaccard similarity
// (Broder 1997); with 112 permutations the standard error is at most
// sqrt(0.25/112) ≈ 0.047, so 4 standard errors is 0.19.
func TestSignatureEstimatesJaccard(t *testing.T) {
	h, err := NewHasher(DefaultConfig().MinHash)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, keep := range []float64{1, 0.95, 0.8, 0.5, 0.2, 0} {
		base := randomWords(rng, 400)
		other := slices.Clone(base)
		for i := range other {
			if rng.Float64() >= keep {
				other[i] = "x" + letters(rng.IntN(1_000_000))
			}
		}
		ta, tb := strings.Join(base, " "), strings.Join(other, " ")
		want := trueJaccard(shingleSet(ta, 5), shingleSet(tb, 5))
		_, sa := h.Signature(ta)
		sa = slices.Clone(sa)
		_, sb := h.Signature(tb)
		eq := 0
		for i := range sa {
			if sa[i] == sb[i] {
				eq++
			}
		}
		est := float64(eq) / float64(len(sa))
		if d := est - want; d > 0.19 || d < -0.19 {
			t.Errorf("keep %.2f: MinHash estimate %.3f, true Jaccard %.3f", keep, est, want)
		}
		// exact Jaccard from Shingles agrees with the independent set
		ja := Jaccard(h.Shingles(nil, ta), h.Shingles(nil, tb))
		if d := ja - want; d > 1e-9 || d < -1e-9 {
			t.Errorf("keep %.2f: Jaccard of Shingles %.4f, independent %.4f", keep, ja, want)
		}
	}
}

func TestShinglesCount(t *testing.T) {
	h, _ := NewHasher(DefaultConfig().MinHash)
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"one two", 1},                         // fewer words than n: one shingle
		{"a b c d e", 1},                       // exactly n
		{"a b c d e f g", 3},                   // n+2
		{"a b c d e a b c d e", 6 - 1},         // "a b c d e" repeats
		{"Hello, World! Hello, World! x y", 2}, // hello world hello world x y
	}
	for _, tt := range tests {
		if got := len(h.Shingles(nil, tt.in)); got != tt.want {
			t.Errorf("Shingles(%q): %d, want %d", tt.in, got, tt.want)
		}
		n, _ := h.Signature(tt.in)
		if tt.want > 0 && n == 0 || tt.want == 0 && n != 0 {
			t.Errorf("Signature(%q) hashed %d shingles", tt.in, n)
		}
	}
}

// A document with 100,000 unique shingles must not allocate a
// permutations × shingles matrix (112 × 100,000 × 8 bytes = 89.6 MB): once
// the Hasher's buffers have grown, signing allocates nothing at all.
func TestSignatureNoMatrix(t *testing.T) {
	var b strings.Builder
	for i := range 100_004 {
		b.WriteString(letters(i))
		b.WriteByte(' ')
	}
	text := b.String()
	h, _ := NewHasher(DefaultConfig().MinHash)
	n, _ := h.Signature(text)
	if u := len(h.Shingles(nil, text)); n != 100_000 || u != 100_000 {
		t.Fatalf("%d shingles, %d unique, want 100000", n, u)
	}
	if a := testing.AllocsPerRun(3, func() { h.Signature(text) }); a != 0 {
		t.Errorf("Signature allocates %.0f times per document, want 0", a)
	}
	// A fresh Hasher: only the simplified text (grown by doubling) and
	// small buffers, far below the 89.6 MB matrix.
	res := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			h, _ := NewHasher(DefaultConfig().MinHash)
			h.Signature(text)
		}
	})
	if per := res.AllocedBytesPerOp(); per > 8*int64(len(text)) {
		t.Errorf("a fresh Hasher allocates %d bytes for a %d-byte document", per, len(text))
	}
}

func TestSignatureDeterministic(t *testing.T) {
	text := "Deterministic signatures: the same text and seed give the same values, always."
	h1, _ := NewHasher(DefaultConfig().MinHash)
	h2, _ := NewHasher(DefaultConfig().MinHash)
	_, s1 := h1.Signature(text)
	s1 = slices.Clone(s1)
	_, s2 := h2.Signature(text)
	if !slices.Equal(s1, s2) {
		t.Fatal("two Hashers with the same seed disagree")
	}
	cfg := DefaultConfig().MinHash
	cfg.Seed = 2
	h3, _ := NewHasher(cfg)
	_, s3 := h3.Signature(text)
	if slices.Equal(s1, s3) {
		t.Fatal("another seed gives the same signature")
	}
	for _, v := range s1 {
		if v >= mersenne61 {
			t.Fatalf("signature value %d not below 2^61-1", v)
		}
	}
}

func FuzzSimplify(f *testing.F) {
	for _, s := range []string{"Hello, World!", "a \u0301 b", "1,000.5", "\ud55c\uad6d", "中文，", "\xff\xfe", " \t\n"} {
		f.Add(s)
	}
	h, _ := NewHasher(DefaultConfig().MinHash)
	f.Fuzz(func(t *testing.T, s string) {
		out := Simplify(s)
		if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") {
			t.Fatalf("Simplify(%q) = %q has outer spaces", s, out)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("Simplify(%q) = %q is not UTF-8", s, out)
		}
		n, _ := h.Signature(s)
		if m := len(h.Shingles(nil, s)); m > n {
			t.Fatalf("%d distinct shingles but %d hashed", m, n)
		}
	})
}

func BenchmarkSignature(b *testing.B) {
	// A fixed English-like sample of 64 KiB.
	rng := rand.New(rand.NewPCG(3, 3))
	vocab := strings.Fields("the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no will can more about said up out")
	var sb strings.Builder
	for sb.Len() < 64<<10 {
		sb.WriteString(vocab[rng.IntN(len(vocab))])
		if rng.IntN(12) == 0 {
			sb.WriteString(". ")
		} else {
			sb.WriteByte(' ')
		}
	}
	text := sb.String()
	h, _ := NewHasher(DefaultConfig().MinHash)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		h.Signature(text)
	}
}

func BenchmarkSimplify(b *testing.B) {
	text := strings.Repeat("Ünïcode Café, 1,000.50 items — naïve façade! ", 1000)
	var buf []byte
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		buf = appendSimplified(buf[:0], text)
	}
}

// letters writes n in base 26 with the letters a-z (digits would all
// simplify to "0").
func letters(n int) string {
	b := []byte{byte('a' + n%26)}
	for n /= 26; n > 0; n /= 26 {
		b = append(b, byte('a'+n%26))
	}
	return string(b)
}
