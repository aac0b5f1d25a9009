// Package clean is the clean step: it repairs broken Unicode (package
// fixtext), then removes what a reader would call junk — citation markers,
// JavaScript and CSS fragments, cookie and policy notices, boilerplate
// lines, symbol lines, glued headings and bullets, sentences cut off
// mid-way — recording every removal with its rule.
//
// Rules apply per line, or per sentence for documents with little line
// structure (Config.Mode). With Compat "c4" the line rules are exactly
// those of datatrove's C4QualityFilter.
//
// Removals are computed as byte spans of the repaired text and applied
// together, so every removed span carries one rule name.
package clean

import (
	"sort"
	"strings"
	"unicode/utf8"

	"winnow"
	"winnow/internal/clean/fixtext"
)

// Rule names, as they appear in edits, drops and attributes.
const (
	RuleUnicode         = "unicode_repair"
	RuleReplacementChar = "replacement_char"
	RuleCitation        = "citation"
	RuleJavascript      = "javascript"
	RulePolicy          = "policy"
	RuleLoremIpsum      = "lorem_ipsum"
	RuleCurlyBracket    = "curly_bracket"
	RuleMinWords        = "min_words"
	RuleTerminalPunct   = "terminal_punct"
	RuleLongWord        = "long_word"
	RuleMinSentences    = "min_sentences"
	RuleSymbolLine      = "symbol_line"
	RuleBoilerplate     = "boilerplate"
	RuleCode            = "code"
	RuleBullet          = "bullet"
	RuleHeading         = "heading_fragment"
	RuleCutSentence     = "cut_sentence"
	RuleWhitespace      = "whitespace"
	RuleReplacementMax  = "replacement_char_ratio"
	RuleEmpty           = "empty"
)

// Result is the outcome of cleaning one document's text.
type Result struct {
	// Text is the cleaned text.
	Text string
	// Repaired is the text after Unicode repair, before any removal.
	Repaired string
	// Edits lists the changes in order: Unicode repairs (rule
	// "unicode_repair", one per repaired run, with Text the input's text
	// and Repl what replaced it), then removals. Offsets are bytes into the
	// text as it was before that edit, so replaying the edits in order on
	// the input gives Repaired after the repairs and Text at the end.
	Edits []winnow.Edit
	// Drop is non-nil when the whole document should go.
	Drop *winnow.Drop
	// Signals holds quality signals by name: "replacement_char_ratio"
	// (U+FFFD / characters after repair), "removed_ratio" (bytes removed /
	// bytes of the repaired text), "sentence_mode" (1 or 0).
	Signals map[string]float64

	// spans are the removals as byte spans of Repaired, sorted.
	spans []span
}

type span struct {
	start, end int
	rule       string
}

// Clean cleans text with cfg. It never panics on any input and always
// returns valid UTF-8. cfg is assumed valid (Config.Validate).
func Clean(text string, cfg Config) Result {
	res := Result{Signals: map[string]float64{}}
	repaired := text
	var reps []fixtext.Repair
	if cfg.Unicode.Enabled {
		repaired, reps = fixtext.FixRepairs(text, cfg.Unicode.options())
	} else if !utf8.ValidString(repaired) {
		repaired, reps = validUTF8(text)
	}
	res.Repaired = repaired
	shift := 0
	for _, r := range reps {
		res.Edits = append(res.Edits, winnow.Edit{Rule: RuleUnicode, Start: r.Start + shift, End: r.End + shift, Text: r.Old, Repl: r.New})
		shift += len(r.New) - len(r.Old)
	}

	n := utf8.RuneCountInString(repaired)
	ratio := 0.0
	if n > 0 {
		ratio = float64(strings.Count(repaired, "\uFFFD")) / float64(n)
	}
	res.Signals["replacement_char_ratio"] = ratio
	if cfg.MaxReplacementRatio > 0 && ratio > cfg.MaxReplacementRatio {
		res.Drop = &winnow.Drop{Stage: "clean", Rule: RuleReplacementMax, Value: ratio,
			Detail: "share of U+FFFD above max_replacement_ratio"}
	}

	var c cleaner
	c.cfg = cfg
	c.text = repaired
	if cfg.Compat == "c4" {
		c.c4()
	} else {
		sentences := cfg.Mode == "sentences" || cfg.Mode == "auto" && littleLineStructure(repaired, cfg)
		if sentences {
			res.Signals["sentence_mode"] = 1
		} else {
			res.Signals["sentence_mode"] = 0
		}
		if cfg.RemoveReplacementChars {
			c.replacementChars()
		}
		c.lines(sentences)
		if cfg.BlankLines {
			c.whitespace()
		}
	}
	if c.drop != nil && res.Drop == nil {
		res.Drop = c.drop
	}
	res.spans = merge(c.spans)
	res.Text = apply(repaired, res.spans)
	removed := 0
	shift = 0
	for _, s := range res.spans {
		res.Edits = append(res.Edits, winnow.Edit{Rule: s.rule, Start: s.start - shift, End: s.end - shift, Text: repaired[s.start:s.end]})
		shift += s.end - s.start
		removed += s.end - s.start
	}
	if len(repaired) > 0 {
		res.Signals["removed_ratio"] = float64(removed) / float64(len(repaired))
	}
	if res.Drop == nil && strings.TrimSpace(res.Text) == "" && strings.TrimSpace(text) != "" {
		res.Drop = &winnow.Drop{Stage: "clean", Rule: RuleEmpty, Detail: "nothing left after cleaning"}
	}
	return res
}

// littleLineStructure reports a document that needs sentence-level rules:
// a line longer than cfg.SentenceLineLength characters, or fewer than one
// newline per cfg.CharsPerNewline characters.
func littleLineStructure(s string, cfg Config) bool {
	n := utf8.RuneCountInString(s)
	if cfg.CharsPerNewline > 0 && n >= cfg.CharsPerNewline && strings.Count(s, "\n")*cfg.CharsPerNewline < n {
		return true
	}
	if cfg.SentenceLineLength > 0 {
		for line := range strings.SplitSeq(s, "\n") {
			if len(line) > cfg.SentenceLineLength && utf8.RuneCountInString(line) > cfg.SentenceLineLength {
				return true
			}
		}
	}
	return false
}

// validUTF8 replaces each run of invalid bytes with U+FFFD, as
// strings.ToValidUTF8, and reports each run.
func validUTF8(s string) (string, []fixtext.Repair) {
	var reps []fixtext.Repair
	var sb strings.Builder
	last := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || n > 1 {
			i += n
			continue
		}
		j := i + 1
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if r != utf8.RuneError || n > 1 {
				break
			}
			j++
		}
		sb.WriteString(s[last:i])
		sb.WriteString("\uFFFD")
		reps = append(reps, fixtext.Repair{Start: i, End: j, Old: s[i:j], New: "\uFFFD"})
		last, i = j, j
	}
	sb.WriteString(s[last:])
	return sb.String(), reps
}

// merge sorts spans and joins overlapping ones; a span inside another
// takes the outer one's rule.
func merge(spans []span) []span {
	if len(spans) == 0 {
		return nil
	}
	sort.SliceStable(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end > spans[j].end
	})
	out := []span{spans[0]}
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.start < last.end {
			if s.end > last.end {
				last.end = s.end
			}
			continue
		}
		if s.start == s.end {
			continue
		}
		out = append(out, s)
	}
	return out
}

func apply(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	last := 0
	for _, sp := range spans {
		sb.WriteString(s[last:sp.start])
		last = sp.end
	}
	sb.WriteString(s[last:])
	return sb.String()
}
