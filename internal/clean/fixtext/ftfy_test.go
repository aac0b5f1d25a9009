package fixtext

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"winnow/internal/testutil"
)

type ftfyCase struct {
	Label         string  `json:"label"`
	Original      string  `json:"original"`
	Fixed         string  `json:"fixed"`
	FixedEncoding *string `json:"fixed-encoding"`
	Expect        string  `json:"expect"`
}

func loadFTFY(t *testing.T, name string) []ftfyCase {
	t.Helper()
	b, err := os.ReadFile(testutil.Shared(t, "corpus/mojibake/ftfy/"+name))
	if err != nil {
		t.Fatal(err)
	}
	var cases []ftfyCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("%s: no cases", name)
	}
	return cases
}

// repaired reports whether c is repaired: FixEncoding must give
// fixed-encoding where the case has it, else Fix with ftfy's fix_text
// defaults must give fixed.
func repaired(c ftfyCase) (got, want string, ok bool) {
	if c.FixedEncoding != nil {
		got, want = FixEncoding(c.Original), *c.FixedEncoding
	} else {
		got, want = Fix(c.Original, FTFYOptions()), c.Fixed
	}
	return got, want, got == want
}

// TestFTFYNegative: text that only looks like mojibake is never changed,
// neither by encoding repair nor by the default fixes.
func TestFTFYNegative(t *testing.T) {
	for _, c := range loadFTFY(t, "negative.json") {
		want := c.Original
		if strings.ContainsFunc(c.Original, isC1) {
			// The only change a negative case asks for: C1 controls read
			// as Windows-1252.
			want = c.Fixed
		}
		if got := FixEncoding(c.Original); got != want {
			t.Errorf("%s: FixEncoding changed %q to %q", c.Label, c.Original, got)
		}
		if got := Fix(c.Original, DefaultOptions()); got != want {
			t.Errorf("%s: Fix changed %q to %q", c.Label, c.Original, got)
		}
	}
}

// TestFTFYPassRate measures the share of expect-pass cases repaired, per
// file, and holds it above a floor set a little below the measured rate.
func TestFTFYPassRate(t *testing.T) {
	floors := map[string]float64{
		"in-the-wild.json":    0.97, // measured 70/70
		"synthetic.json":      0.96, // measured 30/30
		"language-names.json": 0.95, // measured 20/20
	}
	total, passed := 0, 0
	for _, name := range []string{"in-the-wild.json", "synthetic.json", "language-names.json", "known-failures.json", "negative.json"} {
		n, ok := 0, 0
		for _, c := range loadFTFY(t, name) {
			if c.Expect != "pass" {
				continue
			}
			n++
			got, want, good := repaired(c)
			if good {
				ok++
			} else if testing.Verbose() {
				t.Logf("%s: %s: got %q want %q", name, c.Label, got, want)
			}
		}
		if n == 0 {
			t.Logf("%s: no expect-pass cases", name)
			continue
		}
		rate := float64(ok) / float64(n)
		t.Logf("%s: %d/%d expect-pass cases repaired (%.1f%%)", name, ok, n, 100*rate)
		total += n
		passed += ok
		if f, has := floors[name]; has && rate < f {
			t.Errorf("%s: pass rate %.3f below floor %.2f", name, rate, f)
		}
	}
	rate := float64(passed) / float64(total)
	t.Logf("all files: %d/%d (%.1f%%)", passed, total, 100*rate)
	if rate < 0.97 { // measured 151/151
		t.Errorf("overall pass rate %.3f below 0.97", rate)
	}
}
