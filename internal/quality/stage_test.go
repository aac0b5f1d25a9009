package quality

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"winnow"
	"winnow/internal/quality/tokenize"
)

func sigMap(sigs []Signal) map[string]float64 {
	m := map[string]float64{}
	for _, s := range sigs {
		m[s.Name] = s.Value
	}
	return m
}

// goodText passes every default filter in the datatrove profile.
var goodText = strings.Repeat("The committee reviewed the proposal with great care and decided that the plan should have more funding for schools. ", 1) +
	"\nMembers of the public were invited to comment on the draft before the final vote.\n" +
	"Several residents spoke in favour of the changes, while others asked for more detail about the costs.\n" +
	"The council will publish a summary of the responses next month, together with a revised budget.\n" +
	"A second meeting is planned for the spring, when the final decision will be taken by the full board."

func TestTrapsNeverDivideByZero(t *testing.T) {
	for _, p := range []Profile{Datatrove, Dolma} {
		stages := newStages(t, p)
		for _, text := range []string{"", " ", "\n\n\n", " \t\n \r\n", "...", "!!! ??? ...", "###", "\u3000\u00a0", "—", "\n"} {
			for name, st := range stages {
				sigs, _, err := Measure(st, &winnow.Doc{Text: text})
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range sigs {
					if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
						t.Errorf("%s/%s on %q: %s = %v", p, name, text, s.Name, s.Value)
					}
				}
			}
		}
	}
}

func TestTrapBlankLinesAreNotDuplicates(t *testing.T) {
	text := "\nAlpha beta gamma delta.\n\n\n   \nEpsilon zeta eta theta.\n   \n\n\t\nIota kappa lambda mu.\n"
	for _, p := range []Profile{Datatrove, Dolma} {
		st, err := NewGopherRepetition(func() GopherRepetitionConfig { c := DefaultGopherRepetitionConfig(); c.Profile = p; return c }())
		if err != nil {
			t.Fatal(err)
		}
		sigs, _, _ := Measure(st, &winnow.Doc{Text: text})
		m := sigMap(sigs)
		for _, k := range []string{"dup_line_frac", "dup_line_char_frac", "dup_para_frac", "dup_para_char_frac"} {
			if v, ok := m[k]; ok && v != 0 {
				t.Errorf("%s: %s = %v, want 0 (blank lines are not duplicates)", p, k, v)
			}
		}
	}
	st, _ := NewFineWebQuality(DefaultFineWebQualityConfig())
	sigs, _, _ := Measure(st, &winnow.Doc{Text: text})
	if v := sigMap(sigs)["char_dup_ratio"]; v != 0 {
		t.Errorf("fineweb char_dup_ratio = %v, want 0", v)
	}
}

// TestCJKAlphaRatio documents how alphabetic ratios behave on CJK: Python's
// str.isalpha is true for Han and kana, so every ideograph token counts as
// an alphabetic word, and CJK punctuation tokens do not.
func TestCJKAlphaRatio(t *testing.T) {
	st, _ := NewGopherQuality(DefaultGopherQualityConfig())
	d := &winnow.Doc{Text: "東京は日本の首都です。"}
	d.SetAttr("language", "ja")
	sigs, rule, _ := Measure(st, d)
	m := sigMap(sigs)
	// 10 letter tokens and "。": 10/11 alphabetic.
	if got, want := m["alpha_words_ratio"], 10.0/11; math.Abs(got-want) > 1e-12 {
		t.Errorf("alpha_words_ratio = %v, want %v", got, want)
	}
	if m["word_count"] != 10 || m["mean_word_length"] != 1 {
		t.Errorf("word_count %v mean_word_length %v, want 10 and 1", m["word_count"], m["mean_word_length"])
	}
	if rule != "min_words" {
		t.Errorf("rule %q, want min_words", rule)
	}
}

func TestSelectNeverEnglishForCJKThai(t *testing.T) {
	tests := []struct {
		lang, text string
		dolma      bool
		want       tokenize.Kind
	}{
		{"en", "Hello world.", false, tokenize.KindNLTK},
		{"", "Hello world.", false, tokenize.KindNLTK},
		{"und", "Hello world.", true, tokenize.KindWhitespace},
		{"en", "Hello world.", true, tokenize.KindWhitespace},
		{"de", "Guten Tag.", false, tokenize.KindUnicode},
		{"zh", "Hello world.", false, tokenize.KindUnicode},
		{"ja", "こんにちは", true, tokenize.KindUnicode},
		{"ko", "안녕하세요 세계", true, tokenize.KindUnicode},
		{"th", "สวัสดีครับ", false, tokenize.KindUnicode},
		{"", "这是一个中文句子 with a few English words", false, tokenize.KindUnicode},
		{"", "これは日本語です", true, tokenize.KindUnicode},
		{"", "ภาษาไทยไม่มีช่องว่าง", false, tokenize.KindUnicode},
		{"und", "Привет, как дела?", false, tokenize.KindUnicode},
		{"und", "Привет, как дела?", true, tokenize.KindWhitespace},
	}
	for _, tt := range tests {
		if got := tokenize.Select(tt.lang, tt.text, tt.dolma); got != tt.want {
			t.Errorf("Select(%q, %q, %v) = %v, want %v", tt.lang, tt.text, tt.dolma, got, tt.want)
		}
	}
}

func TestDropRecordsRuleAndValue(t *testing.T) {
	st, _ := NewGopherQuality(DefaultGopherQualityConfig())
	d := &winnow.Doc{Text: "too short"}
	docs, err := st.Process(t.Context(), []*winnow.Doc{d})
	if err != nil || len(docs) != 1 {
		t.Fatal(err, len(docs))
	}
	if d.Drop == nil || d.Drop.Stage != "gopher_quality" || d.Drop.Rule != "min_words" || d.Drop.Value != 2 {
		t.Fatalf("drop = %+v, want gopher_quality/min_words value 2", d.Drop)
	}
	if d.Drop.Reason() != "gopher_quality/min_words" {
		t.Errorf("reason %q", d.Drop.Reason())
	}
	if len(d.Attributes) != 0 {
		t.Errorf("attributes written without tag_only/attributes: %v", d.Attributes)
	}
}

func TestTagOnlyWritesSignalsAndKeeps(t *testing.T) {
	c := DefaultC4QualityConfig()
	c.TagOnly = true
	st, _ := NewC4Quality(c)
	text := "no punctuation here\nA line that ends well.\n"
	d := &winnow.Doc{Text: text}
	if _, err := st.Process(t.Context(), []*winnow.Doc{d}); err != nil {
		t.Fatal(err)
	}
	if d.Drop != nil {
		t.Fatalf("tag_only dropped: %+v", d.Drop)
	}
	if d.Text != text {
		t.Errorf("tag_only edited the text: %q", d.Text)
	}
	want := map[string]float64{"c4_quality/lines": 2, "c4_quality/kept_lines": 1, "c4_quality/sentences": 1, "c4_quality/no_terminal_punct": 1}
	for k, v := range want {
		if d.Attributes[k] != v {
			t.Errorf("%s = %v, want %v", k, d.Attributes[k], v)
		}
	}
	for k := range d.Attributes {
		if !strings.HasPrefix(k, "c4_quality/") {
			t.Errorf("attribute %s outside the stage's set", k)
		}
	}
}

func TestAttributesWhileFiltering(t *testing.T) {
	c := DefaultGopherQualityConfig()
	c.Attributes = true
	st, _ := NewGopherQuality(c)
	d := &winnow.Doc{Text: goodText}
	d.SetAttr("language", "en")
	st.Process(t.Context(), []*winnow.Doc{d})
	if d.Drop != nil {
		t.Fatalf("good text dropped: %+v", d.Drop)
	}
	if _, ok := d.Attributes["gopher_quality/mean_word_length"].(float64); !ok {
		t.Errorf("attributes: %v", d.Attributes)
	}
}

func TestGoodTextPassesAll(t *testing.T) {
	for _, p := range []Profile{Datatrove, Dolma} {
		for name, st := range newStages(t, p) {
			sigs, rule, _ := Measure(st, &winnow.Doc{Text: goodText})
			if rule != "" && !(name == "c4_quality" && rule == "too_few_sentences") {
				t.Errorf("%s/%s dropped good text by %s: %v", p, name, rule, sigs)
			}
		}
	}
}

func TestDolmaDupLineCharDefault(t *testing.T) {
	// 3 of 4 lines equal: dolma counts all 3 occurrences.
	text := "aaaa bbbb\naaaa bbbb\naaaa bbbb\ncccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp"
	c := DefaultGopherRepetitionConfig()
	c.Profile = Dolma
	st, _ := NewGopherRepetition(c)
	sigs, _, _ := Measure(st, &winnow.Doc{Text: text})
	m := sigMap(sigs)
	if m["dup_line_frac"] != 0.75 {
		t.Errorf("dup_line_frac %v, want 0.75", m["dup_line_frac"])
	}
	// 3*9 chars of duplicated lines over 6*4 + 14*4 = 80 word characters.
	if got, want := m["dup_line_char_frac"], 27.0/80; math.Abs(got-want) > 1e-12 {
		t.Errorf("dup_line_char_frac %v, want %v", got, want)
	}
	if _, ok := m["dup_para_frac"]; ok {
		t.Errorf("dolma profile has no paragraph signals")
	}
	// 0.3375 > 0.3 (dolma's threshold) but the dup_line_frac rule fires first.
	if _, rule, _ := Measure(st, &winnow.Doc{Text: text}); rule != "dup_line_frac" {
		t.Errorf("rule %q", rule)
	}
	c.DupLineFrac = 0
	st, _ = NewGopherRepetition(c)
	if _, rule, _ := Measure(st, &winnow.Doc{Text: text}); rule != "dup_line_char_frac" {
		t.Errorf("rule %q, want dup_line_char_frac with threshold 0.3", rule)
	}
	x := 0.5
	c.DupLineCharFrac = &x
	st, _ = NewGopherRepetition(c)
	if _, rule, _ := Measure(st, &winnow.Doc{Text: text}); rule == "dup_line_char_frac" {
		t.Errorf("explicit threshold 0.5 ignored")
	}
}

func TestValidate(t *testing.T) {
	g := DefaultGopherQualityConfig()
	g.Profile = "spacy"
	g.MinWords = 10
	g.MaxWords = 5
	g.MinAlphaWordsRatio = 2
	err := g.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, s := range []string{"unknown profile", "bad word bounds", "min_alpha_words_ratio"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if !strings.HasPrefix(err.Error(), "quality: ") {
		t.Errorf("error not prefixed: %q", err)
	}
	r := DefaultGopherRepetitionConfig()
	r.TopNGrams = []NGramLimit{{0, 0.5}}
	if r.Validate() == nil {
		t.Error("n 0 accepted")
	}
	b := DefaultC4BadWordsConfig()
	if b.Validate() == nil {
		t.Error("c4_badwords without lists accepted")
	}
	b.WordLists = map[string]string{"en": "testdata/nonexistent.txt"}
	if b.Validate() == nil {
		t.Error("missing list accepted")
	}
}

func TestBadWords(t *testing.T) {
	c := DefaultC4BadWordsConfig()
	c.WordLists = map[string]string{"en": filepath.Join("testdata", "badwords-en.txt"), "ja": filepath.Join("testdata", "badwords-ja.txt")}
	st, err := NewC4BadWords(c)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang, text string
		want       float64
		rule       string
	}{
		{"en", "A BadWord here.", 1, "badwords"},
		{"en", "badword", 1, "badwords"},
		{"", "(badword)", 1, "badwords"},
		{"en", "badwords is a different word", 0, ""},
		{"en", "notbadword", 0, ""},
		{"en", "two  words", 0, ""},
		{"en", "say two words now", 1, "badwords"},
		{"en", "unspaced", 0, ""},
		{"en", "spaced out", 1, "badwords"},
		{"en", "a spaced b", 1, "badwords"},
		{"en", "sm is allow-listed", 0, ""},
		{"en", "_badword_", 0, ""},
		{"en", "ébadword", 0, ""},
		{"ja", "これは悪い例", 1, "badwords"},
		{"fr", "badword", -1, ""},
	}
	for _, tt := range tests {
		d := &winnow.Doc{ID: tt.text, Text: tt.text}
		d.SetAttr("language", tt.lang)
		sigs, rule, _ := Measure(st, d)
		if sigs[0].Value != tt.want || rule != tt.rule {
			t.Errorf("%q (%s): has_badwords %v rule %q, want %v %q", tt.text, tt.lang, sigs[0].Value, rule, tt.want, tt.rule)
		}
	}
	c.FailOnMissingLanguage = true
	st, _ = NewC4BadWords(c)
	d := &winnow.Doc{Text: "x"}
	d.SetAttr("language", "fr")
	if _, err := st.Process(t.Context(), []*winnow.Doc{d}); err == nil {
		t.Error("missing language not reported")
	}
	c.FailOnMissingLanguage = false
	c.KeepFraction = 0.5
	st, _ = NewC4BadWords(c)
	kept := 0
	for i := range 1000 {
		d := &winnow.Doc{ID: strings.Repeat("x", i), Text: "badword"}
		st.Process(t.Context(), []*winnow.Doc{d})
		if d.Drop == nil {
			kept++
		}
	}
	if kept < 430 || kept > 570 {
		t.Errorf("keep_fraction 0.5 kept %d of 1000", kept)
	}
}

func TestC4Paragraph(t *testing.T) {
	c := DefaultC4QualityConfig()
	c.MinParagraphs = 3
	c.MinNumSentences = 0
	st, _ := NewC4Quality(c)
	long := strings.Repeat("word ", 40) + "end."
	for _, tt := range []struct {
		text string
		rule string
		pl   float64
	}{
		{long + "\n" + long + "\n" + long, "", 204},
		{long + "\n" + long, "paragraphs", 0},
		{long + "\n" + long + "\nshort.\n" + "x", "paragraphs", 6},
	} {
		sigs, rule, _ := Measure(st, &winnow.Doc{Text: tt.text})
		if rule != tt.rule || sigMap(sigs)["paragraph_len"] != tt.pl {
			t.Errorf("rule %q paragraph_len %v, want %q %v", rule, sigMap(sigs)["paragraph_len"], tt.rule, tt.pl)
		}
	}
}

// TestTagOnlyEveryDocumentGetsARow checks that in tag-only mode every
// stage writes at least one attribute of its own set for every document,
// even an empty one, and drops none, so a stand-off attribute shard has a
// row for each document row.
func TestTagOnlyEveryDocumentGetsARow(t *testing.T) {
	cases := loadGolden(t)
	for _, p := range []Profile{Datatrove, Dolma} {
		gq := DefaultGopherQualityConfig()
		gr := DefaultGopherRepetitionConfig()
		c4c := DefaultC4QualityConfig()
		fw := DefaultFineWebQualityConfig()
		for _, c := range []*Common{&gq.Common, &gr.Common, &c4c.Common, &fw.Common} {
			c.Profile, c.TagOnly = p, true
		}
		a, _ := NewGopherQuality(gq)
		b, _ := NewGopherRepetition(gr)
		c, _ := NewC4Quality(c4c)
		d, _ := NewFineWebQuality(fw)
		pipe := winnow.Pipeline{a, b, c, d}
		var docs []*winnow.Doc
		for _, gc := range cases {
			docs = append(docs, &winnow.Doc{ID: gc.Name, Text: gc.Text})
		}
		kept, dropped, err := pipe.Process(t.Context(), docs, nil)
		if err != nil || len(dropped) != 0 || len(kept) != len(cases) {
			t.Fatalf("%s: err %v, %d dropped, %d kept of %d", p, err, len(dropped), len(kept), len(cases))
		}
		for i, doc := range kept {
			if doc.Text != cases[i].Text {
				t.Errorf("%s: %s: tag-only changed the text", p, cases[i].Name)
			}
			for _, st := range pipe {
				n := 0
				for k := range doc.Attributes {
					if strings.HasPrefix(k, st.Name()+"/") {
						n++
					}
				}
				if n == 0 {
					t.Errorf("%s: %s: no %s attributes", p, cases[i].Name, st.Name())
				}
			}
		}
	}
}

func TestLanguageCode(t *testing.T) {
	for _, tt := range []struct {
		attr, meta, want string
	}{
		{"en", "", "en"},
		{"", "ja", "ja"},
		{"zh-Hant", "en", "zh"},
		{"EN_us", "", "en"},
		{"", "", ""},
	} {
		d := &winnow.Doc{Metadata: winnow.Metadata{Language: tt.meta}}
		if tt.attr != "" {
			d.SetAttr("language", tt.attr)
		}
		if got := language(d); got != tt.want {
			t.Errorf("language(%q, %q) = %q, want %q", tt.attr, tt.meta, got, tt.want)
		}
	}
}
