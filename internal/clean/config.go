package clean

import (
	"errors"
	"fmt"

	"winnow/internal/clean/fixtext"
)

// Config switches every rule of the clean step. YAML keys are snake_case.
type Config struct {
	// Mode picks the unit the rules apply to: "lines", "sentences", or
	// "auto" (default): sentences when the document has little line
	// structure (a line longer than SentenceLineLength characters, or fewer
	// than one newline per CharsPerNewline characters), else lines.
	Mode string `yaml:"mode"`
	// Compat "c4" makes the line rules behave exactly as datatrove's
	// C4QualityFilter (c4_filters.py): lines are stripped and judged as
	// there, the document is dropped on '{' or "lorem ipsum" and when fewer
	// than MinSentences sentences remain. Empty means winnow's own rules.
	Compat string `yaml:"compat"`
	// Explain records every edit in Doc.Edits and the "clean/edits"
	// attribute.
	Explain bool `yaml:"explain"`

	SentenceLineLength int `yaml:"sentence_line_length"` // characters; default 1000
	CharsPerNewline    int `yaml:"chars_per_newline"`    // characters; default 500

	Unicode Unicode `yaml:"unicode"`

	// RemoveReplacementChars removes U+FFFD characters that stand alone
	// (no U+FFFD beside them).
	RemoveReplacementChars bool `yaml:"remove_replacement_chars"`
	// MaxReplacementRatio drops a document whose share of U+FFFD among its
	// characters (after repair) is above it; 0 disables. Default 0.01.
	MaxReplacementRatio float64 `yaml:"max_replacement_ratio"`

	Citations     bool `yaml:"citations"`       // [13], [edit], [citation needed]
	Javascript    bool `yaml:"javascript"`      // "please enable JavaScript" (c4: any line containing "javascript")
	Policy        bool `yaml:"policy"`          // terms of use, privacy policy, cookie notices
	LoremIpsum    bool `yaml:"lorem_ipsum"`     // placeholder text (c4: drops the document)
	CurlyBracket  bool `yaml:"curly_bracket"`   // c4 only: '{' drops the document
	MinWords      int  `yaml:"min_words"`       // lines with fewer words go; 0 disables (c4: 3)
	TerminalPunct bool `yaml:"terminal_punct"`  // lines must end in . ? ! " ' and not in ...
	MaxWordLength int  `yaml:"max_word_length"` // lines with a longer word go; 0 disables (c4: 1000)
	MinSentences  int  `yaml:"min_sentences"`   // c4 only: fewer sentences drop the document (c4: 5)
	SymbolLines   bool `yaml:"symbol_lines"`    // lines of only punctuation and symbols
	Boilerplate   bool `yaml:"boilerplate"`     // share buttons, "Read more", "Sign in", counters
	Code          bool `yaml:"code"`            // JavaScript and CSS fragments
	Bullets       bool `yaml:"bullets"`         // bullet characters and heading fragments glued before them
	CutSentences  bool `yaml:"cut_sentences"`   // sentences cut off mid-way and glued to the next
	BlankLines    bool `yaml:"blank_lines"`     // runs of blank lines collapsed to one, trailing spaces trimmed
}

// Unicode switches the repairs of package fixtext; see fixtext.Options.
type Unicode struct {
	Enabled               bool `yaml:"enabled"`
	FixEncoding           bool `yaml:"fix_encoding"`
	UnescapeHTML          bool `yaml:"unescape_html"`
	FixC1Controls         bool `yaml:"fix_c1_controls"`
	FixSurrogates         bool `yaml:"fix_surrogates"`
	RemoveControlChars    bool `yaml:"remove_control_chars"`
	RemoveTerminalEscapes bool `yaml:"remove_terminal_escapes"`
	FixLineBreaks         bool `yaml:"fix_line_breaks"`
	FixLatinLigatures     bool `yaml:"fix_latin_ligatures"`
	FixCharacterWidth     bool `yaml:"fix_character_width"`
	UncurlQuotes          bool `yaml:"uncurl_quotes"`
	NFC                   bool `yaml:"nfc"`
}

func (u Unicode) options() fixtext.Options {
	return fixtext.Options{
		UnescapeHTML:          u.UnescapeHTML,
		RemoveTerminalEscapes: u.RemoveTerminalEscapes,
		FixEncoding:           u.FixEncoding,
		FixC1Controls:         u.FixC1Controls,
		FixSurrogates:         u.FixSurrogates,
		RemoveControlChars:    u.RemoveControlChars,
		FixLineBreaks:         u.FixLineBreaks,
		FixLatinLigatures:     u.FixLatinLigatures,
		FixCharacterWidth:     u.FixCharacterWidth,
		UncurlQuotes:          u.UncurlQuotes,
		NFC:                   u.NFC,
	}
}

// DefaultConfig returns winnow's own rules: Unicode repair as datatrove's
// FTFYFormatter (width folding, quote uncurling, ligatures and NFC off),
// isolated U+FFFD removed and documents above 1 % U+FFFD dropped, every
// junk rule on except the terminal punctuation rule (off as in FineWeb,
// datatrove examples/fineweb.py), lines of fewer than 2 words removed
// (DCLM RefinedWeb line modifiers).
func DefaultConfig() Config {
	o := fixtext.DefaultOptions()
	return Config{
		Mode:               "auto",
		SentenceLineLength: 1000,
		CharsPerNewline:    500,
		Unicode: Unicode{
			Enabled:               true,
			FixEncoding:           o.FixEncoding,
			UnescapeHTML:          o.UnescapeHTML,
			FixC1Controls:         o.FixC1Controls,
			FixSurrogates:         o.FixSurrogates,
			RemoveControlChars:    o.RemoveControlChars,
			RemoveTerminalEscapes: o.RemoveTerminalEscapes,
			FixLineBreaks:         o.FixLineBreaks,
		},
		RemoveReplacementChars: true,
		MaxReplacementRatio:    0.01,
		Citations:              true,
		Javascript:             true,
		Policy:                 true,
		LoremIpsum:             true,
		MinWords:               2,
		MaxWordLength:          1000,
		SymbolLines:            true,
		Boilerplate:            true,
		Code:                   true,
		Bullets:                true,
		CutSentences:           true,
		BlankLines:             true,
	}
}

// C4Config returns the rules of datatrove's C4QualityFilter with its
// defaults (c4_filters.py L60-73): citations removed, lines without
// terminal punctuation, of fewer than 3 words, with a word over 1000
// characters, with "javascript" or a policy phrase dropped; the document
// dropped on '{', "lorem ipsum" or fewer than 5 sentences. Unicode repair
// stays on; winnow's other rules are off.
func C4Config() Config {
	c := DefaultConfig()
	c.Compat = "c4"
	c.Mode = "lines"
	c.RemoveReplacementChars = false
	c.CurlyBracket = true
	c.MinWords = 3
	c.TerminalPunct = true
	c.MinSentences = 5
	c.SymbolLines = false
	c.Boilerplate = false
	c.Code = false
	c.Bullets = false
	c.CutSentences = false
	c.BlankLines = false
	return c
}

// Validate reports every problem of c, joined.
func (c Config) Validate() error {
	var errs []error
	switch c.Mode {
	case "auto", "lines", "sentences":
	default:
		errs = append(errs, fmt.Errorf("clean: mode %q: want auto, lines or sentences", c.Mode))
	}
	switch c.Compat {
	case "", "c4":
	default:
		errs = append(errs, fmt.Errorf("clean: compat %q: want \"\" or c4", c.Compat))
	}
	if c.Compat == "c4" && c.Mode == "sentences" {
		errs = append(errs, errors.New("clean: compat c4 works on lines; mode sentences is not allowed"))
	}
	if c.MaxReplacementRatio < 0 || c.MaxReplacementRatio > 1 {
		errs = append(errs, fmt.Errorf("clean: max_replacement_ratio %v: want 0..1", c.MaxReplacementRatio))
	}
	for name, v := range map[string]int{
		"min_words": c.MinWords, "max_word_length": c.MaxWordLength, "min_sentences": c.MinSentences,
		"sentence_line_length": c.SentenceLineLength, "chars_per_newline": c.CharsPerNewline,
	} {
		if v < 0 {
			errs = append(errs, fmt.Errorf("clean: %s %d: want >= 0", name, v))
		}
	}
	return errors.Join(errs...)
}
