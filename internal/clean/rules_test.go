package clean

import (
	"reflect"
	"strings"
	"testing"

	"winnow"
)

type ruleCase struct {
	name string
	in   string
	want string
	rule string // a rule that must appear among the edits; "" for none
}

func runCases(t *testing.T, cfg Config, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Clean(tc.in, cfg)
			if res.Drop != nil {
				t.Fatalf("dropped: %+v", *res.Drop)
			}
			if res.Text != tc.want {
				t.Errorf("got  %q\nwant %q", res.Text, tc.want)
			}
			found := tc.rule == ""
			for _, e := range res.Edits {
				if e.Rule == tc.rule {
					found = true
				}
			}
			if !found {
				t.Errorf("no edit with rule %q in %+v", tc.rule, res.Edits)
			}
			if tc.rule == "" && tc.in == tc.want && len(res.Edits) != 0 {
				t.Errorf("unchanged text has edits %+v", res.Edits)
			}
		})
	}
}

// Expected outputs below were written by hand from each rule's definition.
func TestLineRules(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mode = "lines"
	cfg.MaxReplacementRatio = 0 // tested on its own below
	runCases(t, cfg, []ruleCase{
		{"citation glued", "The city grew quickly.[3] It is large.\n", "The city grew quickly. It is large.\n", RuleCitation},
		{"citation spaced", "Paris is the capital [12] of France.\n", "Paris is the capital of France.\n", RuleCitation},
		{"citation at start", "[edit] History of the town\n", "History of the town\n", RuleCitation},
		{"citation needed", "The tower is 300 m tall.[citation needed]\n", "The tower is 300 m tall.\n", RuleCitation},
		{"citation range", "Wolves hunt in packs.[4–6]\n", "Wolves hunt in packs.\n", RuleCitation},
		{"javascript notice", "Please enable JavaScript to view the comments.\nThe museum opens at nine.\n", "The museum opens at nine.\n", RuleJavascript},
		{"javascript prose", "JavaScript was created in 1995 by Brendan Eich.\n", "JavaScript was created in 1995 by Brendan Eich.\n", ""},
		{"policy", "By using this site you agree to our Privacy Policy.\nThe bridge was built in 1890.\n", "The bridge was built in 1890.\n", RulePolicy},
		{"lorem ipsum", "Lorem ipsum dolor sit amet.\nReal text stays here.\n", "Real text stays here.\n", RuleLoremIpsum},
		{"min words", "Tags\nThe river floods every spring.\n", "The river floods every spring.\n", RuleMinWords},
		{"one word with stop kept", "Yes.\nThe river floods every spring.\n", "Yes.\nThe river floods every spring.\n", ""},
		{"symbol line", "* * *\nChapter text continues here.\n", "Chapter text continues here.\n", RuleSymbolLine},
		{"boilerplate", "Share on Facebook\nRead more\n3 likes\nThe storm passed overnight.\n", "The storm passed overnight.\n", RuleBoilerplate},
		{"newsletter", "Subscribe to our newsletter for weekly deals!\nThe storm passed overnight.\n", "The storm passed overnight.\n", RuleBoilerplate},
		{"blank lines", "First paragraph here.\n\n\n\nSecond paragraph here.\n", "First paragraph here.\n\nSecond paragraph here.\n", RuleWhitespace},
		{"leading blank lines", "\n\nFirst paragraph here.\n", "First paragraph here.\n", RuleWhitespace},
		{"code line", "var x = 1;\nThe code above sets x.\n", "The code above sets x.\n", RuleCode},
		{"css inline", ".ad{display:none} Welcome to the shop.\n", "Welcome to the shop.\n", RuleCode},
		{"bullet", "• First item in the list\n", "First item in the list\n", RuleBullet},
		{"brace in quotation", "To open a block, type \"{\" and press enter.\n", "To open a block, type \"{\" and press enter.\n", ""},
		{"isolated fffd", "caf\uFFFD is open today\n", "caf is open today\n", RuleReplacementChar},
		{"fffd run kept", "caf\uFFFD\uFFFD is open today\n", "caf\uFFFD\uFFFD is open today\n", ""},
		{"mojibake repaired", "The cafÃ© is open today.\n", "The café is open today.\n", RuleUnicode},
		{"html entity", "Fish &amp; chips are sold here.\n", "Fish & chips are sold here.\n", RuleUnicode},
		{"zero width and bom", "\ufeffThe\u200b word is here.\n", "The word is here.\n", RuleUnicode},
		{"zwnj in persian kept", "می\u200cخواهم بروم به خانه.\n", "می\u200cخواهم بروم به خانه.\n", ""},
		{"cjk width kept", "ＡＢＣ株式会社は東京にあります。\n", "ＡＢＣ株式会社は東京にあります。\n", ""},
		{"curly quotes kept", "She said “hello” to me.\n", "She said “hello” to me.\n", ""},
		// Found by reading the dolma sample's removals: min_words took
		// whole Chinese and Japanese lines for one word, and the code rule
		// took a source citation and TeX (lines paraphrased).
		{"cjk sentence kept", "安裝之前請先確認下列條件都已經滿足：\n", "安裝之前請先確認下列條件都已經滿足：\n", ""},
		{"cjk prose line kept", "我們的營養師團隊在各地提供完整的健康檢查服務，協助每位客戶照顧自己的身體\n",
			"我們的營養師團隊在各地提供完整的健康檢查服務，協助每位客戶照顧自己的身體\n", ""},
		{"japanese list item kept", "・量子レジスタの状態を測定して確定させる\n", "・量子レジスタの状態を測定して確定させる\n", ""},
		{"cjk menu word removed", "首頁\n安裝之前請先確認下列條件都已經滿足：\n", "安裝之前請先確認下列條件都已經滿足：\n", RuleMinWords},
		{"source citation not code", "  1. Source: Placenames.net (cc-by); record updated 2014-05-20\n",
			"  1. Source: Placenames.net (cc-by); record updated 2014-05-20\n", ""},
		{"tex not code", "The pair $(P(S),\\leq)$ is a partially ordered set.\n", "The pair $(P(S),\\leq)$ is a partially ordered set.\n", ""},
		{"method call still code", "It rained. foo.bar(1); The end came.\n", "It rained. The end came.\n", RuleCode},
	})
}

// A line of fewer than min_words words stays when it stands alone between
// two kept lines: headings, source labels, datelines and list entries of
// the text itself. The shapes come from the lines the rule removed from
// Scrapinghub's article extraction benchmark (paraphrased); expected
// outputs written by hand.
func TestShortLineContext(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mode = "lines"
	runCases(t, cfg, []ruleCase{
		{"section heading kept", "The new laptop runs cooler than the old one.\nDisplay\nThe screen is brighter and sharper.\n",
			"The new laptop runs cooler than the old one.\nDisplay\nThe screen is brighter and sharper.\n", ""},
		{"recipe heading after a list kept", "Plum and Ginger Jam\nMethod\nHeat the jars in a pan of water.\n",
			"Plum and Ginger Jam\nMethod\nHeat the jars in a pan of water.\n", ""},
		{"source label kept", "The console went on sale on Tuesday.\n[Gazette]\nReviewers liked the controller.\n",
			"The console went on sale on Tuesday.\n[Gazette]\nReviewers liked the controller.\n", ""},
		{"dateline kept", "Late goals force overtime\nRotterdam\nThe home side scored twice in the last five minutes.\n",
			"Late goals force overtime\nRotterdam\nThe home side scored twice in the last five minutes.\n", ""},
		{"list entry kept", "two ripe pears, peeled\ncinnamon\nhalf a cup of honey\n",
			"two ripe pears, peeled\ncinnamon\nhalf a cup of honey\n", ""},
		{"heading between blank lines kept", "The first part of the story ends here.\n\nBackground\n\nThe second part begins here.\n",
			"The first part of the story ends here.\n\nBackground\n\nThe second part begins here.\n", ""},
		{"contact line at the end removed", "Dealers sold more trucks this year.\nreporter@example.com\n",
			"Dealers sold more trucks this year.\n", RuleMinWords},
		{"url at the start removed", "https://example.com/news/cat-found\nA lost cat came home after five years.\n",
			"A lost cat came home after five years.\n", RuleMinWords},
		{"run of menu words removed", "The river floods every spring.\nPolitics\nSport\nCulture\nThe dam holds the water back.\n",
			"The river floods every spring.\nThe dam holds the water back.\n", RuleMinWords},
		{"neighbour removed by another rule", "Share on Facebook\nTopics\nThe river floods every spring.\n",
			"The river floods every spring.\n", RuleMinWords},
	})
}

// Counts by hand from countWords' definition.
func TestCountWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0}, {"Home", 1}, {"Contact us", 2}, {"首頁", 1}, {"購物車", 1}, {"聯絡我們", 2},
		{"安裝之前請先確認下列條件都已經滿足：", 8}, // 17 Han characters and a colon
		{"iPhone 手機殼", 2}, {"ภาษาไทย", 3}, {"  two\u00a0words  ", 2},
	} {
		if got := countWords(tc.in); got != tc.want {
			t.Errorf("countWords(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestSentenceRules(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mode = "sentences"
	runCases(t, cfg, []ruleCase{
		{"var statement", "Intro text is here. var a = 5; The price rose sharply.", "Intro text is here. The price rose sharply.", RuleCode},
		{"function header", "It was late. var f = function(x) { The shop closed early.", "It was late. The shop closed early.", RuleCode},
		{"dataLayer", "It was late. window.dataLayer.push({event: \"x\"}); Sales grew in May.", "It was late. Sales grew in May.", RuleCode},
		{"createElement", "It was late. document.createElement(\"div\"); Sales grew in May.", "It was late. Sales grew in May.", RuleCode},
		{"jquery", "It was late. $(\".menu\").hide(); The menu is hidden on phones.", "It was late. The menu is hidden on phones.", RuleCode},
		{"css", "It was late. .ad{display:none} The menu is hidden on phones.", "It was late. The menu is hidden on phones.", RuleCode},
		{"prose about javascript", "Many sites use JavaScript to show ads. He wrote \"if (x) {\" in the quote.", "Many sites use JavaScript to show ads. He wrote \"if (x) {\" in the quote.", ""},
		{"cut sentence", "Rain fell. Members of the council are consistently The vote passed with a large majority.", "Rain fell. The vote passed with a large majority.", RuleCutSentence},
		{"title after preposition kept", "He moved to the city. She works in The Hague as a lawyer.", "He moved to the city. She works in The Hague as a lawyer.", ""},
		{"heading and bullet", "Rain fell. Top stories of the week • The council approved the budget on Monday.", "Rain fell. The council approved the budget on Monday.", RuleHeading},
		{"citation with comma", "It rained in 2017. [13], Officials closed the road.", "It rained in 2017. Officials closed the road.", RuleCitation},
		{"citation mid sentence keeps comma", "As shown [3], the road was closed.", "As shown, the road was closed.", RuleCitation},
		{"policy sentence", "The hotel has a pool. This site uses cookies to improve your experience. Rooms are large.", "The hotel has a pool. Rooms are large.", RulePolicy},
		{"abbreviation", "Dr. Smith met Mr. Jones in Washington. They talked.", "Dr. Smith met Mr. Jones in Washington. They talked.", ""},
	})
}

func TestSegmentAbbreviations(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Dr. Smith met Mr. Jones. They talked.", []string{"Dr. Smith met Mr. Jones. ", "They talked."}},
		{"J. R. R. Tolkien wrote it. It sold well.", []string{"J. R. R. Tolkien wrote it. ", "It sold well."}},
		{"It costs 3.5 dollars. Cheap.", []string{"It costs 3.5 dollars. ", "Cheap."}},
		{"The U.S. Senate voted. It passed.", []string{"The U.S. Senate voted. ", "It passed."}},
	} {
		var got []string
		for _, s := range segment(tc.in, true) {
			got = append(got, tc.in[s[0]:s[1]])
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q: got %q want %q", tc.in, got, tc.want)
		}
	}
}

func TestAutoMode(t *testing.T) {
	cfg := DefaultConfig()
	long := strings.Repeat("Word after word in a sentence. ", 40) // 1240 characters, no newline
	if got := Clean(long, cfg).Signals["sentence_mode"]; got != 1 {
		t.Errorf("one long line: sentence_mode %v, want 1", got)
	}
	lines := strings.Repeat("A short line of text.\n", 40)
	if got := Clean(lines, cfg).Signals["sentence_mode"]; got != 0 {
		t.Errorf("many lines: sentence_mode %v, want 0", got)
	}
}

// C4 cases: the expected outputs follow datatrove's C4QualityFilter
// (c4_filters.py L88-136) line by line, by hand.
func TestC4(t *testing.T) {
	cfg := C4Config()
	cfg.MinSentences = 0
	runCases(t, cfg, []ruleCase{
		{"line rules",
			"This is a fine sentence here.\nToo short.\nThis line has no end\nThis one ends with dots...\nWe use cookies on this website.\nEnable javascript now please.\nAnother good line is here![1]\n",
			"This is a fine sentence here.\nAnother good line is here!", RuleTerminalPunct},
		{"strip and join", "  Leading spaces are stripped here.  \n\nSecond kept line is here.", "Leading spaces are stripped here.\nSecond kept line is here.", RuleWhitespace},
		{"javascript prose dropped", "JavaScript was created in 1995.\nThe museum opens at nine.", "The museum opens at nine.", RuleJavascript},
		{"citation leaves a space", "This is a sentence. [2]\nThe museum opens at nine.", "The museum opens at nine.", RuleTerminalPunct},
		{"quote ends", "He said \"this is fine.\"\nShe said 'that is fine'", "He said \"this is fine.\"\nShe said 'that is fine'", ""},
		{"long word", "The word " + strings.Repeat("a", 1001) + " is long.\nThe museum opens at nine.", "The museum opens at nine.", RuleLongWord},
	})
	for _, tc := range []struct {
		name, in, rule string
		value          float64
	}{
		{"curly bracket drops document", "A good line of text here.\nWe like {braces} a lot here.", RuleCurlyBracket, 1},
		{"lorem ipsum drops document", "A good line of text here.\nLorem ipsum dolor sit amet, consectetur.", RuleLoremIpsum, 1},
		{"min sentences", "One good sentence is here.\nTwo good sentences are here.\n", RuleMinSentences, 2},
	} {
		c := C4Config()
		res := Clean(tc.in, c)
		if res.Drop == nil || res.Drop.Rule != tc.rule || res.Drop.Value != tc.value {
			t.Errorf("%s: drop %+v, want rule %s value %v", tc.name, res.Drop, tc.rule, tc.value)
		}
	}
	// A brace in a line dropped earlier (no terminal punctuation) does not
	// drop the document: the reference checks '{' last.
	c := C4Config()
	c.MinSentences = 0
	if res := Clean("A good line of text here.\nfunction x() { return 1; }", c); res.Drop != nil || res.Text != "A good line of text here." {
		t.Errorf("brace line: drop %+v text %q", res.Drop, res.Text)
	}
}

func TestReplacementRatio(t *testing.T) {
	in := strings.Repeat("\uFFFD\uFFFD word ", 10) // 20 of 80 characters
	res := Clean(in, DefaultConfig())
	if res.Drop == nil || res.Drop.Rule != RuleReplacementMax {
		t.Fatalf("drop %+v", res.Drop)
	}
	if got := res.Signals["replacement_char_ratio"]; got != 0.25 {
		t.Errorf("ratio %v, want 0.25", got)
	}
}

func TestEditsReplay(t *testing.T) {
	in := "Share on Facebook\nThe city grew quickly.[3] It is large.\n\n\n\nvar x = 1;\nThe end is near.\n"
	res := Clean(in, DefaultConfig())
	// Removal edits applied in order to the repaired text give the output.
	s := res.Repaired
	for _, e := range res.Edits {
		if e.Rule == RuleUnicode {
			continue
		}
		if s[e.Start:e.End] != e.Text {
			t.Fatalf("edit %+v does not match text %q", e, s[e.Start:e.End])
		}
		s = s[:e.Start] + s[e.End:]
	}
	if s != res.Text {
		t.Errorf("replay %q, text %q", s, res.Text)
	}
	if want := "The city grew quickly. It is large.\n\nThe end is near.\n"; res.Text != want {
		t.Errorf("got %q want %q", res.Text, want)
	}
}

// TestRepairEdits: each repaired run is its own edit, with offsets after
// the earlier edits (worked out by hand), and all edits replay from the
// input to the output.
func TestRepairEdits(t *testing.T) {
	in := "The cafÃ© is near.\r\nIt serves naÃ¯ve tea &amp; cake.\n"
	res := Clean(in, DefaultConfig())
	want := []winnow.Edit{
		{Rule: RuleUnicode, Start: 7, End: 11, Text: "Ã©", Repl: "é"},
		// after the first repair the text is 2 bytes shorter
		{Rule: RuleUnicode, Start: 18, End: 19, Text: "\r"},
		{Rule: RuleUnicode, Start: 31, End: 35, Text: "Ã¯", Repl: "ï"}, // input 34..38, less 3
		{Rule: RuleUnicode, Start: 41, End: 45, Text: "amp;"},          // input 46..50, less 5
	}
	if !reflect.DeepEqual(res.Edits, want) {
		t.Errorf("edits\n%+v\nwant\n%+v", res.Edits, want)
	}
	if want := "The café is near.\nIt serves naïve tea & cake.\n"; res.Text != want {
		t.Errorf("text %q, want %q", res.Text, want)
	}
	if got := replay(t, in, res.Edits); got != res.Text {
		t.Errorf("replay %q, text %q", got, res.Text)
	}
	// Without Unicode repair, each run of invalid bytes is one edit.
	cfg := DefaultConfig()
	cfg.Unicode.Enabled = false
	res = Clean("ab\xff\xfecd\x80 and more words.", cfg)
	want = []winnow.Edit{{Rule: RuleUnicode, Start: 2, End: 4, Text: "\xff\xfe", Repl: "\uFFFD"}, {Rule: RuleUnicode, Start: 7, End: 8, Text: "\x80", Repl: "\uFFFD"}}
	if !reflect.DeepEqual(res.Edits[:2], want) {
		t.Errorf("invalid bytes: edits %+v, want %+v", res.Edits, want)
	}
}

func TestValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default: %v", err)
	}
	if err := C4Config().Validate(); err != nil {
		t.Errorf("c4: %v", err)
	}
	c := DefaultConfig()
	c.Mode = "words"
	c.Compat = "c5"
	c.MinWords = -1
	err := c.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, s := range []string{`clean: mode "words"`, `clean: compat "c5"`, "clean: min_words -1"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if _, err := New(c); err == nil {
		t.Error("New accepted an invalid config")
	}
}
