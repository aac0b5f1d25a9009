package pii

import (
	"net/netip"
	"unicode"
	"unicode/utf8"
)

// Special-purpose IPv4 blocks that are not public. This is Python 3.13's
// ipaddress._private_networks for IPv4 (Lib/ipaddress.py, the IANA IPv4
// Special-Purpose Address Registry rows with Globally Reachable = False),
// plus 100.64.0.0/10 (shared address space, excluded by is_global itself)
// and 224.0.0.0/4 (multicast; a winnow addition, see the package doc).
var v4NotGlobal = prefixes(
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
	"169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.0.170/31",
	"192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
	"203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
)

// Exceptions inside 192.0.0.0/24 that are globally reachable (Python 3.13
// _private_networks_exceptions): the PCP and TURN anycast addresses.
var v4GlobalExceptions = prefixes("192.0.0.9/32", "192.0.0.10/32")

// v6Global is IANA's global unicast space. Inside it, the blocks of
// Python 3.13's ipaddress._private_networks for IPv6 are not public.
var (
	v6Global     = netip.MustParsePrefix("2000::/3")
	v6NotGlobal  = prefixes("2001::/23", "2001:db8::/32", "2002::/16", "3fff::/20")
	v6Exceptions = prefixes("2001:1::1/128", "2001:1::2/128", "2001:3::/32",
		"2001:4:112::/48", "2001:20::/28", "2001:30::/28")
)

func prefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// IsPublic reports whether a is a public unicast address: for IPv4,
// Python's ipaddress.ip_address(a).is_global (3.13 tables) and not
// multicast; for IPv6, inside 2000::/3 and outside the special-purpose
// blocks Python counts as not global. IPv4-mapped IPv6 addresses are
// not public (Python: ::ffff:0:0/96 is private).
func IsPublic(a netip.Addr) bool {
	if a.Is4() {
		return inAny(a, v4GlobalExceptions) || !inAny(a, v4NotGlobal)
	}
	if a.Zone() != "" {
		return false
	}
	if !v6Global.Contains(a) {
		return false
	}
	return inAny(a, v6Exceptions) || !inAny(a, v6NotGlobal)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool {
	return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f')
}
func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// wordBefore reports whether the text just before i ends in a letter,
// digit or '_' (any Unicode letter or digit).
func wordBefore(text string, i int) bool {
	if i <= 0 {
		return false
	}
	c := text[i-1]
	if c < utf8.RuneSelf {
		return isAlpha(c) || isDigit(c) || c == '_'
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// letterBefore reports whether the text just before i ends in a letter.
func letterBefore(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsLetter(r)
}

// wordAfter is wordBefore for the text from i on.
func wordAfter(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	c := text[i]
	if c < utf8.RuneSelf {
		return isAlpha(c) || isDigit(c) || c == '_'
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// versionWords precede version numbers, not addresses: "version
// 1.84.1.0", "build: 10.0.19041.1".
var versionWords = map[string]bool{
	"v": true, "ver": true, "version": true, "release": true, "rel": true,
	"build": true, "rev": true, "revision": true, "firmware": true,
	"update": true, "patch": true, "driver": true, "versión": true, "versione": true,
}

// afterVersionWord reports whether the dotted quad at i follows a version
// word, separated by spaces, tabs and at most one ':' or '#'.
func afterVersionWord(text string, i int) bool {
	j := i
	punct := 0
	for j > 0 && i-j < 8 {
		c := text[j-1]
		if c == ' ' || c == '\t' {
			j--
			continue
		}
		if (c == ':' || c == '#') && punct == 0 {
			punct++
			j--
			continue
		}
		break
	}
	if j == i {
		return false // directly adjacent: handled by the character rules
	}
	end := j
	for j > 0 && end-j < 16 {
		r, n := utf8.DecodeLastRuneInString(text[:j])
		if !unicode.IsLetter(r) {
			break
		}
		j -= n
	}
	if j == end {
		return false
	}
	w := []rune(text[j:end])
	for k, r := range w {
		w[k] = unicode.ToLower(r)
	}
	return versionWords[string(w)]
}

// isIPv4Context applies the zero-width boundary rules to the dotted quad
// text[s:e]. It is not an address when:
//   - a letter, digit, '_' or '.' comes right before it ("v2.0.0.1",
//     "x1.2.3.4", "1.2.3.4.5"), or right after it ("1.2.3.4a");
//   - '.' and a digit follow ("1.84.1.0.2") — the scanner never offers
//     those, its runs of digits and dots are maximal — or '.' and a
//     letter ("1.2.3.4.example.com", a host name);
//   - it follows "letters-" or "word/" ("foo-1.2.3.4", "Chrome/1.84.1.0",
//     a package or user-agent version; "1.1.1.1-1.0.0.1" is a range), or is followed by "-letter"
//     ("1.2.3.4-beta");
//   - a version word comes just before it ("version 1.84.1.0",
//     "Build: 10.0.0.1"), see versionWords.
func isIPv4Context(text string, s, e int) bool {
	if wordBefore(text, s) || wordAfter(text, e) {
		return false
	}
	if s > 0 && text[s-1] == '.' {
		return false
	}
	if s >= 2 && text[s-1] == '/' && wordBefore(text, s-1) {
		return false
	}
	if s >= 2 && text[s-1] == '-' && letterBefore(text, s-1) {
		return false
	}
	if e+1 < len(text) && text[e] == '-' && isAlpha(text[e+1]) {
		return false
	}
	if e < len(text) && text[e] == '.' && wordAfter(text, e+1) {
		return false // "1.2.3.4.example" is a host name
	}
	return !afterVersionWord(text, s)
}

// findIPs returns the IPv6 and IPv4 addresses of text, in order.
func findIPs(text string, onlyPublic bool) []Match {
	var ms []Match
	i := 0
	for i < len(text) {
		c := text[i]
		if !isHex(c) && c != ':' {
			i++
			continue
		}
		// A maximal run of hex digits, ':' and '.': an IPv6 candidate
		// when it holds two colons, else maybe a dotted quad.
		s := i
		colons := 0
		for i < len(text) && (isHex(text[i]) || text[i] == ':' || text[i] == '.') {
			if text[i] == ':' {
				colons++
			}
			i++
		}
		if colons >= 2 {
			if m, ok := ipv6At(text, s, i, onlyPublic); ok {
				ms = append(ms, m)
			}
			continue
		}
		ms = appendIPv4s(ms, text, s, i, onlyPublic)
	}
	return ms
}

// ipv6At checks the run text[s:e] as one IPv6 address.
func ipv6At(text string, s, e int, onlyPublic bool) (Match, bool) {
	for e > s && text[e-1] == '.' { // sentence end
		e--
	}
	if e-s >= 2 && text[e-1] == ':' && text[e-2] != ':' {
		e--
	}
	if e-s >= 2 && text[s] == ':' && text[s+1] != ':' {
		s++
	}
	if wordBefore(text, s) || wordAfter(text, e) {
		return Match{}, false
	}
	a, err := netip.ParseAddr(text[s:e])
	if err != nil || !a.Is6() || a.Is4In6() {
		return Match{}, false
	}
	if onlyPublic && !IsPublic(a) {
		return Match{}, false
	}
	return Match{s, e, IPv6}, true
}

// appendIPv4s looks for dotted quads in text[s:e], a run without two
// colons. Inside the run, only digits and dots count: "ab1.2.3.4" has a
// letter before its quad.
func appendIPv4s(ms []Match, text string, s, e int, onlyPublic bool) []Match {
	i := s
	for i < e {
		if !isDigit(text[i]) {
			i++
			continue
		}
		qs := i
		for i < e && (isDigit(text[i]) || text[i] == '.') {
			i++
		}
		qe := i
		for qe > qs && text[qe-1] == '.' {
			qe--
		}
		if qe-qs < 7 || qe-qs > 15 {
			continue
		}
		if !isIPv4Context(text, qs, qe) {
			continue
		}
		a, err := netip.ParseAddr(text[qs:qe])
		if err != nil || !a.Is4() {
			continue
		}
		if onlyPublic && !IsPublic(a) {
			continue
		}
		ms = append(ms, Match{qs, qe, IPv4})
	}
	return ms
}
