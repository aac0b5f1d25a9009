package presets

import (
	"reflect"
	"strings"
	"testing"

	"winnow/internal/config"
	"winnow/internal/dedup"
	"winnow/internal/extract"
	"winnow/internal/langid"
	"winnow/internal/pii"
	"winnow/internal/quality"
)

func load(t *testing.T, name string) *config.Config {
	t.Helper()
	c, err := Load(name)
	if err != nil {
		t.Fatalf("preset %s: %v", name, err)
	}
	if _, err := c.NewPipeline(); err != nil {
		t.Fatalf("preset %s cannot be built: %v", name, err)
	}
	return c
}

func stepNames(c *config.Config) []string {
	var n []string
	for _, s := range c.Steps {
		n = append(n, s.Name)
	}
	return n
}

func step[T any](t *testing.T, c *config.Config, name string) *T {
	t.Helper()
	s, ok := c.Step(name)
	if !ok {
		t.Fatalf("no step %s", name)
	}
	v, ok := s.Config.(*T)
	if !ok {
		t.Fatalf("step %s config is %T", name, s.Config)
	}
	return v
}

func TestNames(t *testing.T) {
	if got := strings.Join(Names(), ","); got != "c4,dolma,fineweb,gopher" {
		t.Errorf("Names() = %s", got)
	}
	for _, bad := range []string{"nope", "../go", "fineweb.yaml", ""} {
		if _, err := Source(bad); err == nil || !strings.Contains(err.Error(), "known: c4, dolma, fineweb, gopher") {
			t.Errorf("Source(%q) = %v", bad, err)
		}
	}
}

// Gopher Table A1 repetition limits, as datatrove's defaults
// (gopher_repetition_filter.py L76-85).
var (
	topNGrams = []quality.NGramLimit{{N: 2, Frac: 0.20}, {N: 3, Frac: 0.18}, {N: 4, Frac: 0.16}}
	dupNGrams = []quality.NGramLimit{{N: 5, Frac: 0.15}, {N: 6, Frac: 0.14}, {N: 7, Frac: 0.13}, {N: 8, Frac: 0.12}, {N: 9, Frac: 0.11}, {N: 10, Frac: 0.10}}
)

func checkGopherQuality(t *testing.T, g *quality.GopherQualityConfig, profile quality.Profile) {
	t.Helper()
	if g.Profile != profile || g.MinWords != 50 || g.MaxWords != 100000 || g.MinWordLength != 3 || g.MaxWordLength != 10 ||
		g.MaxSymbolWordRatio != 0.1 || g.MaxBulletLinesRatio != 0.9 || g.MaxEllipsisLinesRatio != 0.3 ||
		g.MinAlphaWordsRatio != 0.8 || g.MinStopWords != 2 || g.TagOnly {
		t.Errorf("gopher_quality = %+v", g)
	}
}

func checkRepetition(t *testing.T, g *quality.GopherRepetitionConfig, profile quality.Profile, para, paraChar, line, lineChar float64) {
	t.Helper()
	if g.Profile != profile || g.DupParaFrac != para || g.DupParaCharFrac != paraChar || g.DupLineFrac != line ||
		g.DupLineCharFrac == nil || *g.DupLineCharFrac != lineChar ||
		!reflect.DeepEqual(g.TopNGrams, topNGrams) || !reflect.DeepEqual(g.DupNGrams, dupNGrams) {
		t.Errorf("gopher_repetition = %+v (dup_line_char_frac %v)", g, g.DupLineCharFrac)
	}
}

func TestFineWeb(t *testing.T) {
	c := load(t, "fineweb")
	// examples/fineweb.py order; url_filter is left out (no bundled list).
	want := "extract,language,gopher_repetition,gopher_quality,c4_quality,fineweb_quality,minhash,pii"
	if got := strings.Join(stepNames(c), ","); got != want {
		t.Fatalf("steps %s, want %s", got, want)
	}
	if e := step[extract.Config](t, c, "extract"); e.Favor != "precision" {
		t.Errorf("extract favor %q, want precision (Trafilatura(favour_precision=True))", e.Favor)
	}
	if l := step[langid.Config](t, c, "language"); !reflect.DeepEqual(l.Languages, []string{"en"}) || l.Threshold != 0.65 || l.TagOnly {
		t.Errorf("language = %+v", l)
	}
	checkRepetition(t, step[quality.GopherRepetitionConfig](t, c, "gopher_repetition"), quality.Datatrove, 0.3, 0.2, 0.3, 0.2)
	checkGopherQuality(t, step[quality.GopherQualityConfig](t, c, "gopher_quality"), quality.Datatrove)
	if q := step[quality.C4QualityConfig](t, c, "c4_quality"); q.FilterNoTerminalPunct || q.MinNumSentences != 5 || q.MinWordsPerLine != 3 || q.MaxWordLength != 1000 || !q.FilterCurlyBracket || !q.FilterLoremIpsum {
		t.Errorf("c4_quality = %+v", q)
	}
	if q := step[quality.FineWebQualityConfig](t, c, "fineweb_quality"); q.LinePunctThr != 0.12 || q.ShortLineThr != 0.67 || q.ShortLineLength != 30 || q.CharDuplicatesRatio != 0.01 || q.NewLineRatio != 0.3 {
		t.Errorf("fineweb_quality = %+v", q)
	}
	m := step[dedup.Config](t, c, "minhash")
	if m.MinHash != (dedup.MinHashConfig{NGram: 5, Bands: 14, Rows: 8, Seed: 1}) || !m.Near || !m.Exact || m.Lines.Enabled || m.Verify != 0 || m.TagOnly {
		t.Errorf("minhash = %+v", m)
	}
	if p := step[pii.Config](t, c, "pii"); !p.Emails || !p.IPs || !p.OnlyPublicIPs || p.Phones || p.TagOnly {
		t.Errorf("pii = %+v", p)
	}
}

func TestC4(t *testing.T) {
	c := load(t, "c4")
	if got := strings.Join(stepNames(c), ","); got != "extract,language,c4_quality,minhash" {
		t.Fatalf("steps %s", got)
	}
	if l := step[langid.Config](t, c, "language"); !reflect.DeepEqual(l.Languages, []string{"en"}) || l.Threshold != 0.99 {
		t.Errorf("language = %+v", l)
	}
	if q := step[quality.C4QualityConfig](t, c, "c4_quality"); !q.FilterNoTerminalPunct || q.MinNumSentences != 5 || q.MinWordsPerLine != 3 || q.MaxWordLength != 1000 ||
		!q.RemoveCitations || !q.FilterLoremIpsum || !q.FilterJavascript || !q.FilterCurlyBracket || !q.FilterPolicy || q.MinParagraphs != 0 {
		t.Errorf("c4_quality = %+v", q)
	}
	if m := step[dedup.Config](t, c, "minhash"); !m.Exact || m.Near || !m.Lines.Enabled || m.Lines.MinLength != 1 {
		t.Errorf("minhash = %+v", m)
	}
}

func TestGopher(t *testing.T) {
	c := load(t, "gopher")
	if got := strings.Join(stepNames(c), ","); got != "extract,language,gopher_quality,gopher_repetition,minhash" {
		t.Fatalf("steps %s", got)
	}
	if l := step[langid.Config](t, c, "language"); !reflect.DeepEqual(l.Languages, []string{"en"}) || l.Threshold != 0.65 {
		t.Errorf("language = %+v", l)
	}
	checkGopherQuality(t, step[quality.GopherQualityConfig](t, c, "gopher_quality"), quality.Datatrove)
	checkRepetition(t, step[quality.GopherRepetitionConfig](t, c, "gopher_repetition"), quality.Datatrove, 0.3, 0.2, 0.3, 0.2)
	if m := step[dedup.Config](t, c, "minhash"); m.MinHash.NGram != 13 || m.Verify != 0.8 || !m.Exact || !m.Near || m.Lines.Enabled {
		t.Errorf("minhash = %+v", m)
	}
}

func TestDolma(t *testing.T) {
	c := load(t, "dolma")
	if got := strings.Join(stepNames(c), ","); got != "extract,language,gopher_quality,gopher_repetition,pii,minhash" {
		t.Fatalf("steps %s", got)
	}
	if l := step[langid.Config](t, c, "language"); !reflect.DeepEqual(l.Languages, []string{"en"}) || l.Threshold != 0.5 {
		t.Errorf("language = %+v", l)
	}
	// cc-head.yaml thresholds (allenai/dolma configs/dolma-v1_6/mixing/cc-head.yaml)
	checkGopherQuality(t, step[quality.GopherQualityConfig](t, c, "gopher_quality"), quality.Dolma)
	checkRepetition(t, step[quality.GopherRepetitionConfig](t, c, "gopher_repetition"), quality.Dolma, 0, 0, 0.3, 0.3)
	p := step[pii.Config](t, c, "pii")
	if !p.Emails || !p.Phones || !p.IPs || p.OnlyPublicIPs ||
		!reflect.DeepEqual(p.EmailReplacements, []string{" |||EMAIL_ADDRESS||| "}) ||
		!reflect.DeepEqual(p.IPv4Replacements, []string{" |||IP_ADDRESS||| "}) || p.PhoneReplacement != " |||PHONE_NUMBER||| " {
		t.Errorf("pii = %+v", p)
	}
	if m := step[dedup.Config](t, c, "minhash"); !m.Exact || m.Near || !m.Lines.Enabled {
		t.Errorf("minhash = %+v", m)
	}
}
