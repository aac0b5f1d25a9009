package urlfilter

import "testing"

// FuzzCheck: any URL string is checked without panicking, and a verdict
// names a known rule.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "http://a.example/casino", "http://[::1", "%zz://x", "blocked-casino.example", "http://x/free-bonus-win", "http://\xff.example/"} {
		f.Add(s)
	}
	flt, err := NewFilter(exampleConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, u string) {
		switch v := flt.Check(u); v.Rule {
		case "", RuleDomain, RuleURL, RuleWord, RuleSoftWords, RuleSubword:
		default:
			t.Fatalf("rule %q", v.Rule)
		}
		NormalizeURL(u)
	})
}

// FuzzMatcher checks the Aho-Corasick automaton against strings.Contains.
func FuzzMatcher(f *testing.F) {
	f.Add("she", "his", "ushers")
	f.Add("a", "aa", "baaab")
	f.Fuzz(func(t *testing.T, p1, p2, text string) {
		assertMatcher(t, []string{p1, p2}, text)
	})
}
