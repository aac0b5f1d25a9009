// Package urlfilter is the url_filter stage: it drops documents whose URL
// (winnow.Metadata.URL) is on a block list, as datatrove's URLFilter does
// (huggingface/datatrove src/datatrove/pipeline/filters/url_filter.py,
// URLFilter.filter). The rules, in datatrove's order, each a drop rule:
//
//   - domain: the URL's registered domain (eTLD+1 from the Public Suffix
//     List, golang.org/x/net/publicsuffix, where datatrove uses
//     tldextract) or its full host name (FQDN) is in a domain list;
//   - url: the normalised URL (see [NormalizeURL]) is in a URL list;
//   - banned_word: a word of the URL is a banned word; the words are the
//     pieces of the URL split on runs of characters outside [a-zA-Z0-9]
//     (datatrove's re.split("[^a-zA-Z0-9]+"));
//   - soft_banned_words: at least SoftWordThreshold distinct soft-banned
//     words are words of the URL (datatrove: 2);
//   - subword: a banned sub-word occurs anywhere in the URL lowercased
//     with every character outside [a-z0-9] removed (datatrove's
//     normalize), found with an Aho-Corasick automaton.
//
// Lists are files, one entry per line; lines whose first non-blank
// character is '#' are comments and blank lines are ignored. Domain
// entries are lowercased and stripped of a trailing '.'; word entries are
// normalised like the URL (non-alphanumerics removed, lowercased), as
// datatrove's parse_list does. A document whose registered domain or host
// is on an allow list is never dropped.
//
// Departures from datatrove, and why:
//
//   - URL words are lowercased before they are compared with the
//     (lowercased) word lists; datatrove compares them as they are, so
//     "/Casino/" escapes the word "casino" there.
//   - The url rule compares normalised URLs (scheme, user info, fragment
//     and a trailing '/' removed, host lowercased), so that entries of
//     the UT1 "urls" files, written without a scheme, can match at all;
//     datatrove compares the raw URL with the raw entry.
//   - Blank lines are ignored; datatrove turns one into the empty word,
//     which then matches every URL that starts or ends with a separator.
//   - A document without a URL is kept (attribute url_filter/no_url);
//     datatrove fails on an assertion.
//
// winnow bundles no block list. The lists datatrove uses come from the
// Université Toulouse 1 Capitole blacklists (UT1,
// https://dsi.ut-capitole.fr/blacklists/, category "adult", files
// "domains" and "urls", under CC BY-SA 4.0) and datatrove's own
// assets/banned_words.txt, banned_subwords.txt and soft_banned_words.txt;
// download them and name them in the config. testdata/example_*.txt
// show the format.
package urlfilter

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"

	"golang.org/x/net/publicsuffix"

	"winnow"
)

// Name is the stage name; drops are reported as "url_filter/<rule>".
const Name = "url_filter"

// Drop rules.
const (
	RuleDomain    = "domain"
	RuleURL       = "url"
	RuleWord      = "banned_word"
	RuleSoftWords = "soft_banned_words"
	RuleSubword   = "subword"
)

// Config configures the url_filter stage. Every *_lists field names list
// files; the matching field without "_lists" gives entries inline (for
// small lists in a config), and both are merged.
type Config struct {
	DomainLists         []string `yaml:"domain_lists"`
	URLLists            []string `yaml:"url_lists"`
	BannedWordLists     []string `yaml:"banned_word_lists"`
	BannedSubwordLists  []string `yaml:"banned_subword_lists"`
	SoftBannedWordLists []string `yaml:"soft_banned_word_lists"`
	AllowDomainLists    []string `yaml:"allow_domain_lists"`

	Domains         []string `yaml:"domains"`
	URLs            []string `yaml:"urls"`
	BannedWords     []string `yaml:"banned_words"`
	BannedSubwords  []string `yaml:"banned_subwords"`
	SoftBannedWords []string `yaml:"soft_banned_words"`
	AllowDomains    []string `yaml:"allow_domains"`

	// SoftWordThreshold is how many distinct soft-banned words a URL
	// must hold to be dropped. 2 (datatrove's soft_word_threshold).
	SoftWordThreshold int `yaml:"soft_word_threshold"`
	// TagOnly keeps every document and writes the rule that would have
	// dropped it as attribute "url_filter/rule" ("" when none).
	TagOnly bool `yaml:"tag_only"`
}

// DefaultConfig returns datatrove's settings with no lists.
func DefaultConfig() Config { return Config{SoftWordThreshold: 2} }

// Validate reports every invalid option, including unreadable lists.
func (c Config) Validate() error {
	var errs []error
	if c.SoftWordThreshold < 1 {
		errs = append(errs, fmt.Errorf("urlfilter: soft_word_threshold %d must be at least 1", c.SoftWordThreshold))
	}
	n := len(c.Domains) + len(c.URLs) + len(c.BannedWords) + len(c.BannedSubwords) + len(c.SoftBannedWords)
	for _, l := range [][]string{c.DomainLists, c.URLLists, c.BannedWordLists, c.BannedSubwordLists, c.SoftBannedWordLists, c.AllowDomainLists} {
		for _, p := range l {
			if _, err := os.Stat(p); err != nil {
				errs = append(errs, fmt.Errorf("urlfilter: list %w", err))
			}
		}
	}
	n += len(c.DomainLists) + len(c.URLLists) + len(c.BannedWordLists) + len(c.BannedSubwordLists) + len(c.SoftBannedWordLists)
	if n == 0 {
		errs = append(errs, errors.New("urlfilter: no block list given (winnow bundles none; see the package doc for where to get them)"))
	}
	return errors.Join(errs...)
}

// readList returns the entries of the list files plus the inline ones,
// each passed through norm; empty results are dropped.
func readList(files, inline []string, norm func(string) string) (map[string]bool, error) {
	set := map[string]bool{}
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" || s[0] == '#' {
			return
		}
		if s = norm(s); s != "" {
			set[s] = true
		}
	}
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("urlfilter: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			add(sc.Text())
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("urlfilter: %s: %w", p, err)
		}
	}
	for _, s := range inline {
		add(s)
	}
	return set, nil
}

func normDomain(s string) string {
	return strings.TrimPrefix(strings.TrimSuffix(strings.ToLower(s), "."), "*.")
}

// normalize lowercases s and removes every byte outside [a-zA-Z0-9]
// (datatrove url_filter.py normalize).
func normalize(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		}
	}
	return string(b)
}

// words returns the lowercased pieces of s between runs of bytes outside
// [a-zA-Z0-9], without empty pieces.
func words(s string) []string {
	var ws []string
	start := -1
	for i := 0; i <= len(s); i++ {
		alnum := i < len(s) && symbol(lower(s[i])) >= 0
		if alnum && start < 0 {
			start = i
		}
		if !alnum && start >= 0 {
			ws = append(ws, strings.ToLower(s[start:i]))
			start = -1
		}
	}
	return ws
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// parseURL parses raw, taking a URL without a scheme as http.
func parseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	return url.Parse(raw)
}

// NormalizeURL returns the form the url rule compares: the host
// lowercased and without a trailing '.', then the port if any, the path,
// and "?query" if any; no scheme, user info or fragment, and no trailing
// '/'. "HTTP://User@WWW.Example.com/a/?q=1#top" becomes
// "www.example.com/a/?q=1"; "example.com/a/" becomes "example.com/a". An
// unparsable URL is returned trimmed and lowercased.
func NormalizeURL(raw string) string {
	u, err := parseURL(raw)
	if err != nil || u.Host == "" {
		return strings.ToLower(strings.TrimSpace(raw))
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if p := u.Port(); p != "" {
		host += ":" + p
	}
	s := host + u.EscapedPath()
	if u.RawQuery != "" {
		s += "?" + u.RawQuery
	} else {
		s = strings.TrimSuffix(s, "/")
	}
	return s
}

// Filter holds the loaded lists. It is read-only after NewFilter and safe
// for concurrent use.
type Filter struct {
	domains, urls, words, soft, allow map[string]bool
	sub                               *matcher
	threshold                         int
}

// NewFilter validates c and loads its lists.
func NewFilter(c Config) (*Filter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	f := &Filter{threshold: c.SoftWordThreshold}
	var err error
	load := func(dst *map[string]bool, files, inline []string, norm func(string) string) {
		if err == nil {
			*dst, err = readList(files, inline, norm)
		}
	}
	load(&f.domains, c.DomainLists, c.Domains, normDomain)
	load(&f.allow, c.AllowDomainLists, c.AllowDomains, normDomain)
	load(&f.urls, c.URLLists, c.URLs, NormalizeURL)
	load(&f.words, c.BannedWordLists, c.BannedWords, normalize)
	load(&f.soft, c.SoftBannedWordLists, c.SoftBannedWords, normalize)
	var subs map[string]bool
	load(&subs, c.BannedSubwordLists, c.BannedSubwords, normalize)
	if err != nil {
		return nil, err
	}
	pats := make([]string, 0, len(subs))
	for s := range subs {
		pats = append(pats, s)
	}
	f.sub = newMatcher(pats)
	return f, nil
}

// Verdict is why a URL is blocked: Rule is "" when it is not, Detail
// names the entry that matched, Value is the soft-word count for
// soft_banned_words and 1 otherwise.
type Verdict struct {
	Rule   string
	Detail string
	Value  float64
}

// Check applies the rules to one URL, in datatrove's order.
func (f *Filter) Check(raw string) Verdict {
	host := ""
	if u, err := parseURL(raw); err == nil {
		host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	}
	reg := host
	if host != "" {
		if r, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
			reg = r
		}
	}
	if host != "" && (f.allow[reg] || f.allow[host]) {
		return Verdict{}
	}
	if host != "" {
		if f.domains[reg] {
			return Verdict{RuleDomain, reg, 1}
		}
		if f.domains[host] {
			return Verdict{RuleDomain, host, 1}
		}
	}
	if len(f.urls) > 0 {
		if n := NormalizeURL(raw); f.urls[n] {
			return Verdict{RuleURL, n, 1}
		}
	}
	if len(f.words) > 0 || len(f.soft) > 0 {
		ws := words(raw)
		for _, w := range ws {
			if f.words[w] {
				return Verdict{RuleWord, w, 1}
			}
		}
		if len(f.soft) > 0 {
			seen := map[string]bool{}
			for _, w := range ws {
				if f.soft[w] {
					seen[w] = true
				}
			}
			if len(seen) >= f.threshold {
				return Verdict{RuleSoftWords, "", float64(len(seen))}
			}
		}
	}
	if w, ok := f.sub.find(normalize(raw)); ok {
		return Verdict{RuleSubword, w, 1}
	}
	return Verdict{}
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*Filter{}
)

// sharedFilter returns the Filter of an equal config built earlier, or
// builds it. The key holds the config and each list file's size and
// modification time, so an edited list is read again.
func sharedFilter(c Config) (*Filter, error) {
	key := fmt.Sprintf("%#v", c)
	for _, l := range [][]string{c.DomainLists, c.URLLists, c.BannedWordLists, c.BannedSubwordLists, c.SoftBannedWordLists, c.AllowDomainLists} {
		for _, p := range l {
			if fi, err := os.Stat(p); err == nil {
				key += fmt.Sprintf("|%s:%d:%d", p, fi.Size(), fi.ModTime().UnixNano())
			}
		}
	}
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if f, ok := cache[key]; ok {
		return f, nil
	}
	f, err := NewFilter(c)
	if err != nil {
		return nil, err
	}
	cache[key] = f
	return f, nil
}

type stage struct {
	f       *Filter
	tagOnly bool
}

// New builds the url_filter stage from c. The lists are loaded once per
// process and config (the UT1 adult list alone has millions of domains)
// and shared, read-only, by the stages of every worker.
//
// A blocked document is dropped with rule domain, url, banned_word,
// soft_banned_words or subword (Detail: the matching entry), or, with
// tag_only, kept with attribute "url_filter/rule" set to that rule (""
// when none). A document without a URL is kept with attribute
// "url_filter/no_url" true.
func New(c Config) (winnow.Stage, error) {
	f, err := sharedFilter(c)
	if err != nil {
		return nil, err
	}
	return &stage{f: f, tagOnly: c.TagOnly}, nil
}

func (s *stage) Name() string { return Name }

func (s *stage) Process(ctx context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	for _, d := range docs {
		if d.Metadata.URL == "" {
			d.SetAttr(Name+"/no_url", true)
			continue
		}
		v := s.f.Check(d.Metadata.URL)
		if s.tagOnly {
			d.SetAttr(Name+"/rule", v.Rule)
			continue
		}
		if v.Rule != "" {
			d.SetDrop(Name, v.Rule, v.Value, v.Detail)
		}
	}
	return docs, ctx.Err()
}

func (s *stage) Close() error { return nil }

// SetTagOnly sets TagOnly; it lets a run's --tag-only reach this stage.
func (c *Config) SetTagOnly(on bool) { c.TagOnly = on }
