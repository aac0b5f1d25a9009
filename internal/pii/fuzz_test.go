package pii

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// wholeEmailRE is datatrove's pattern as a whole-text search, \b and all:
// the oracle for findEmails' windowed, anchored search.
var wholeEmailRE = regexp.MustCompile(`(?i)\b` + strings.TrimPrefix(emailRE.String(), "(?i)^"))

// FuzzRedact checks the invariants of Find and Redact on any input:
// matches are ordered, disjoint and inside the text; every IP match parses;
// every e-mail match has a dotted domain; Count agrees with Redact; and
// the text between matches survives unchanged.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"", "a@b", "user@localhost", "jane@example.com", "8.8.8.8", "v2.0.0.1", "1.84.1.0.2",
		"2001:4860:4860::8888", "std::vector", "::ffff:8.8.8.8", "(212) 555-0187", "+44 20 7946 0958",
		"x@[8.8.8.8]", "\xff8.8.8.8\xfe", "版本8.0.1.27165", "1.1.1.1-1.0.0.1", "a@b.c.d.e.f@g.h",
	} {
		f.Add(s)
	}
	c := fixedConfig()
	c.Phones = true
	r, err := NewRedactor(c)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var ref []Match
		for _, loc := range wholeEmailRE.FindAllStringIndex(text, -1) {
			ref = append(ref, Match{loc[0], loc[1], Email})
		}
		if got := findEmails(text, nil); len(text) < maxLocal && !slices.Equal(got, ref) {
			t.Fatalf("findEmails(%q) = %v, whole-text search %v", text, got, ref)
		}
		ms := r.Find(text)
		last := 0
		var want Counts
		for _, m := range ms {
			if m.Start < last || m.End <= m.Start || m.End > len(text) {
				t.Fatalf("bad match %+v after %d in %q", m, last, text)
			}
			s := text[m.Start:m.End]
			switch m.Kind {
			case Email:
				want.Emails++
				at := strings.LastIndexByte(s, '@')
				if at <= 0 || !strings.Contains(s[at:], ".") {
					t.Fatalf("e-mail match %q without a dotted domain", s)
				}
			case IPv4, IPv6:
				want.IPs++
				a, err := netip.ParseAddr(s)
				if err != nil || !IsPublic(a) {
					t.Fatalf("IP match %q: %v, public %v", s, err, err == nil && IsPublic(a))
				}
			case Phone:
				want.Phones++
			}
			last = m.End
		}
		out, n := r.Redact(text)
		if n != want || r.Count(text) != want {
			t.Fatalf("counts %+v / %+v, matches say %+v", n, r.Count(text), want)
		}
		// Rebuild the output from the matches and the placeholders.
		var b strings.Builder
		last = 0
		for _, m := range ms {
			b.WriteString(text[last:m.Start])
			b.WriteString(map[Kind]string{Email: "<EMAIL>", IPv4: "<IPV4>", IPv6: "<IPV6>", Phone: "<PHONE>"}[m.Kind])
			last = m.End
		}
		b.WriteString(text[last:])
		if b.String() != out {
			t.Fatalf("Redact(%q) = %q, want %q", text, out, b.String())
		}
	})
}
