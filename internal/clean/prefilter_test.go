package clean

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// refCodeFragments is codeFragments without the codeMayMatch pre-check.
func refCodeFragments(s string) [][]int {
	var out [][]int
	for _, m := range codeRE.FindAllStringIndex(s, -1) {
		for m[0] < m[1] && (s[m[0]] == ' ' || s[m[0]] == '\t') {
			m[0]++
		}
		if !insideQuote(s, m[0]) {
			out = append(out, m)
		}
	}
	return out
}

// checkPrefilters fails when a pre-checked finder and its bare expression
// disagree on s.
func checkPrefilters(t *testing.T, s string) bool {
	t.Helper()
	ok := true
	if got, want := codeFragments(s), refCodeFragments(s); !reflect.DeepEqual(got, want) {
		t.Errorf("codeFragments(%q) = %v, expression gives %v", s, got, want)
		ok = false
	}
	if got, want := boilerplateMayMatch(s), counterRE.MatchString(s) || boilerplateRE.MatchString(s); want && !got {
		t.Errorf("boilerplateMayMatch(%q) false, expression matches", s)
		ok = false
	}
	if got, want := findCut(s), cutRE.FindStringSubmatchIndex(s); !reflect.DeepEqual(got, want) {
		t.Errorf("findCut(%q) = %v, expression gives %v", s, got, want)
		ok = false
	}
	if got, want := findCitations(s), citationRE.FindAllStringIndex(s, -1); !reflect.DeepEqual(got, want) {
		t.Errorf("findCitations(%q) = %v, expression gives %v", s, got, want)
		ok = false
	}
	if got, want := findBullets(s), bulletRE.FindAllStringIndex(s, -1); !reflect.DeepEqual(got, want) {
		t.Errorf("findBullets(%q) = %v, expression gives %v", s, got, want)
		ok = false
	}
	words := strings.Fields(s)
	longest := 0
	for _, w := range words {
		longest = max(longest, utf8.RuneCountInString(w))
	}
	if n, l := wordStats(s); n != len(words) || l != longest {
		t.Errorf("wordStats(%q) = %d, %d, want %d, %d", s, n, l, len(words), longest)
		ok = false
	}
	return ok
}

// TestPrefiltersMatchExpressions runs the pre-checked finders and their
// expressions over every line and sentence of the 697 dolma documents and
// over strings built to sit at the edge of each pre-check.
func TestPrefiltersMatchExpressions(t *testing.T) {
	texts := loadDolma(t, 0)
	if len(texts) != 697 {
		t.Fatalf("%d documents, want 697", len(texts))
	}
	var units []string
	for _, d := range texts {
		for line := range strings.SplitSeq(d, "\n") {
			units = append(units, line)
			if len(line) > 300 {
				for _, sen := range segment(line, true) {
					units = append(units, line[sen[0]:sen[1]])
				}
			}
		}
	}
	units = append(units, edgeCases...)
	failed := 0
	hits := map[string]int{}
	for _, s := range units {
		if !checkPrefilters(t, s) {
			if failed++; failed > 20 {
				t.Fatal("too many differences")
			}
		}
		if codeRE.MatchString(s) {
			hits["code"]++
		}
		if counterRE.MatchString(s) || boilerplateRE.MatchString(s) {
			hits["boilerplate"]++
		}
		if cutRE.MatchString(s) {
			hits["cut"]++
		}
	}
	t.Logf("%d lines and sentences; matches %v", len(units), hits)
	for _, k := range []string{"code", "boilerplate", "cut"} {
		if hits[k] < 10 {
			t.Errorf("only %d %s matches: the comparison is weak", hits[k], k)
		}
	}
}

// edgeCases sit at the edges of the pre-checks.
var edgeCases = []string{
	"x = foo(bar) ;", "foo.bar(1)\t;", "a.b(c);", "let a = 5;", "const k=1;", "var x = y;", "if (a) { b }",
	"document.write(1)", "window.location.href = 'x';", "$(\".a\").hide();", "jQuery(x)", ".ad{display:none}", "{ }",
	"Follow us on " + strings.Repeat("x", 120), "Share via " + strings.Repeat("y", 100) + "!!", "12345 comments",
	strings.Repeat("9", 100) + " likes", "\u212Alick here to " + strings.Repeat("go ", 10), "ſhare on facebook",
	"rain fell and The bus came", "rain fell and The", "members are consistently A total of", "it is  However  the",
	"see [12]", "[edit]", " two\u00a0words\u2003three\x85 ", "\xff\xfe ab", "• item", "a ‣ b", "no brackets here",
}

func FuzzPrefilters(f *testing.F) {
	for _, s := range edgeCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkPrefilters(t, s)
	})
}
