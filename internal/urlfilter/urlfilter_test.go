package urlfilter

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"winnow"
)

func exampleConfig() Config {
	c := DefaultConfig()
	c.DomainLists = []string{"testdata/example_domains.txt"}
	c.URLLists = []string{"testdata/example_urls.txt"}
	c.BannedWordLists = []string{"testdata/example_banned_words.txt"}
	c.SoftBannedWordLists = []string{"testdata/example_soft_banned_words.txt"}
	c.BannedSubwordLists = []string{"testdata/example_banned_subwords.txt"}
	c.AllowDomainLists = []string{"testdata/example_allow_domains.txt"}
	return c
}

// The expected verdicts follow datatrove's URLFilter.filter by hand, with
// the departures the package doc lists marked.
func TestCheck(t *testing.T) {
	f, err := NewFilter(exampleConfig())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url  string
		want Verdict
	}{
		{"https://blocked-casino.example/page", Verdict{RuleDomain, "blocked-casino.example", 1}},
		{"http://sub.blocked-casino.example/", Verdict{RuleDomain, "blocked-casino.example", 1}},
		{"http://ads.tracker.example.net/x", Verdict{RuleDomain, "ads.tracker.example.net", 1}},
		{"http://other.tracker.example.net/", Verdict{}},
		{"http://shop.example.co.uk/", Verdict{RuleDomain, "shop.example.co.uk", 1}},
		{"http://SHOP.example.co.uk./", Verdict{RuleDomain, "shop.example.co.uk", 1}},
		{"http://www.shop.example.co.uk/", Verdict{}}, // neither eTLD+1 nor the FQDN is listed
		{"http://news.example.org/private/leak.html", Verdict{RuleURL, "news.example.org/private/leak.html", 1}},
		{"https://NEWS.example.org/private/leak.html#c", Verdict{RuleURL, "news.example.org/private/leak.html", 1}},
		{"https://www.example.com/banned/page", Verdict{RuleURL, "www.example.com/banned/page", 1}},
		{"https://www.example.com/banned/page/?x=1", Verdict{}},
		{"http://example.com/casino/games", Verdict{RuleWord, "casino", 1}},
		{"http://example.com/Casino/games", Verdict{RuleWord, "casino", 1}}, // datatrove: case-sensitive, kept
		{"http://jackpot.example.com", Verdict{RuleWord, "jackpot", 1}},
		{"http://example.com/casinos", Verdict{}},
		{"http://example.com/free-bonus", Verdict{RuleSoftWords, "", 2}},
		{"http://win.example.com/free?bonus=1", Verdict{RuleSoftWords, "", 3}},
		{"http://example.com/free/free", Verdict{}},
		{"http://example.com/freebonus", Verdict{}},
		{"http://example.com/xMegaSpamx", Verdict{RuleSubword, "megaspam", 1}},
		{"http://example.com/bad_word", Verdict{RuleSubword, "badword", 1}},
		{"http://bad.example.com/word", Verdict{}}, // "bad" and "word" are not adjacent once normalised
		{"http://bad-word.example.com/", Verdict{RuleSubword, "badword", 1}},
		{"http://casino-history.example.edu/casino", Verdict{}}, // allow list
		{"http://casino-history.example.edu/megaspam", Verdict{}},
		// the allow list holds a host name, not the registered domain
		// (example.edu), so another host of it is checked
		{"http://www.casino-history.example.edu/", Verdict{RuleWord, "casino", 1}},
		{"http://8.8.8.8/casino", Verdict{RuleWord, "casino", 1}},
		{"not a url at all", Verdict{}},
		{"blocked-casino.example/no-scheme", Verdict{RuleDomain, "blocked-casino.example", 1}},
		{"http://[::1]:80/", Verdict{}},
		{"", Verdict{}},
	}
	for _, tt := range tests {
		if got := f.Check(tt.url); got != tt.want {
			t.Errorf("Check(%q) = %+v, want %+v", tt.url, got, tt.want)
		}
	}
}

func TestNormalizeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTP://User@WWW.Example.com/a/?q=1#top", "www.example.com/a/?q=1"},
		{"example.com/a/", "example.com/a"},
		{"https://example.com", "example.com"},
		{"https://example.com:8080/x", "example.com:8080/x"},
		{"https://example.com./X", "example.com/X"},
		{"  http://a.example/b  ", "a.example/b"},
	}
	for _, tt := range tests {
		if got := NormalizeURL(tt.in); got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWords(t *testing.T) {
	// re.split("[^a-zA-Z0-9]+", url) without the empty pieces, lowercased.
	got := strings.Join(words("https://Sub.Example.com/a_b--c/%20d?e=F1#"), ",")
	if want := "https,sub,example,com,a,b,c,20d,e,f1"; got != want {
		t.Errorf("words = %s, want %s", got, want)
	}
}

func TestMatcher(t *testing.T) {
	m := newMatcher([]string{"he", "she", "his", "hers", "", "x-y"})
	for text, want := range map[string]string{
		"ushers": "she", "ahishers": "his", "xhe": "he", "hxe": "", "xy": "", "": "",
	} {
		got, ok := m.find(text)
		if got != want || ok != (want != "") {
			t.Errorf("find(%q) = %q, %v; want %q", text, got, ok, want)
		}
	}
	// Against strings.Contains on random texts over a small alphabet.
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var pats []string
		for range r.IntN(6) {
			pats = append(pats, randString(r, 1+r.IntN(4)))
		}
		text := randString(r, r.IntN(30))
		assertMatcher(t, pats, text)
	}
}

func randString(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = "ab0z"[r.IntN(4)]
	}
	return string(b)
}

func assertMatcher(t *testing.T, pats []string, text string) {
	t.Helper()
	m := newMatcher(pats)
	want := false
	for _, p := range pats {
		if p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789") == "" && strings.Contains(text, p) {
			want = true
		}
	}
	got, ok := m.find(text)
	if ok != want || (ok && !strings.Contains(text, got)) {
		t.Fatalf("patterns %q in %q: got %q %v, want %v", pats, text, got, ok, want)
	}
}

func TestStage(t *testing.T) {
	c := exampleConfig()
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	docs := []*winnow.Doc{
		{ID: "a", Metadata: winnow.Metadata{URL: "http://example.com/ok"}},
		{ID: "b", Metadata: winnow.Metadata{URL: "http://example.com/free-bonus"}},
		{ID: "c"},
		{ID: "d", Metadata: winnow.Metadata{URL: "http://sub.blocked-casino.example/"}},
	}
	out, err := s.Process(context.Background(), docs)
	if err != nil || len(out) != 4 {
		t.Fatal(err, len(out))
	}
	if out[0].Drop != nil || out[2].Drop != nil || out[2].Attributes["url_filter/no_url"] != true {
		t.Errorf("kept docs: %+v %+v", out[0], out[2])
	}
	if d := out[1].Drop; d == nil || d.Reason() != "url_filter/soft_banned_words" || d.Value != 2 {
		t.Errorf("b: %+v", d)
	}
	if d := out[3].Drop; d == nil || d.Reason() != "url_filter/domain" || d.Detail != "blocked-casino.example" {
		t.Errorf("d: %+v", d)
	}
	s2, _ := New(c)
	if s2.(*stage).f != s.(*stage).f {
		t.Error("equal configs did not share their lists")
	}

	c.TagOnly = true
	s, _ = New(c)
	d := &winnow.Doc{Metadata: winnow.Metadata{URL: "http://example.com/casino"}}
	s.Process(context.Background(), []*winnow.Doc{d})
	if d.Drop != nil || d.Attributes["url_filter/rule"] != "banned_word" {
		t.Errorf("tag_only: %+v", d)
	}
}

func TestValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err == nil || !strings.Contains(err.Error(), "no block list") {
		t.Errorf("empty config: %v", err)
	}
	c := exampleConfig()
	c.DomainLists = append(c.DomainLists, "testdata/missing.txt")
	c.SoftWordThreshold = 0
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "missing.txt") || !strings.Contains(err.Error(), "soft_word_threshold") {
		t.Errorf("bad config: %v", err)
	}
	if _, err := New(c); err == nil {
		t.Error("New accepted a bad config")
	}
	c = DefaultConfig()
	c.Domains = []string{"# only a comment", "inline.example"}
	f, err := NewFilter(c)
	if err != nil || f.Check("http://inline.example/").Rule != RuleDomain || len(f.domains) != 1 {
		t.Errorf("inline list: %v %v", err, f.domains)
	}
}
