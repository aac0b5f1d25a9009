package langid

import (
	"strings"

	"github.com/abadojack/whatlanggo"
	"golang.org/x/text/language"
)

// Und is the code of a document whose language is unknown or not
// identified with enough confidence (BCP 47 "undetermined").
const Und = "und"

// macro maps ISO 639-3 individual languages that dominate their
// macrolanguage to its ISO 639-1 code, as lid.176 labels them (zh, ar,
// fa, ...): GlotLID and whatlang name the individual language.
var macro = map[string]string{
	"cmn": "zh", "arb": "ar", "pes": "fa", "azj": "az", "zsm": "ms", "ekk": "et",
	"lvs": "lv", "uzn": "uz", "khk": "mn", "npi": "ne", "swh": "sw", "ory": "or",
	"plt": "mg", "gaz": "om", "ydd": "yi", "als": "sq", "pbt": "ps", "quz": "qu",
}

// Code normalises a language name from any backend to ISO 639-1 where
// the language has such a code, else ISO 639-3: "__label__en" -> "en",
// GlotLID's "__label__eng_Latn" -> "en", "deu" -> "de", "cmn" -> "zh",
// "ceb" -> "ceb". Unknown codes are returned lowercased as they are; ""
// gives Und.
func Code(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "__label__")
	if i := strings.IndexAny(s, "_-"); i > 0 {
		s = s[:i] // script or region: eng_Latn, pt-BR
	}
	s = strings.ToLower(s)
	if s == "" {
		return Und
	}
	if m, ok := macro[s]; ok {
		return m
	}
	b, err := language.ParseBase(s)
	if err != nil {
		return s
	}
	// ParseBase keeps deprecated codes (yid -> "ji"); Make canonicalises.
	c, conf := language.Make(b.String()).Base()
	if conf == language.No || c.String() == Und {
		return s
	}
	return c.String()
}

// whatlangCodes is Code of every whatlanggo language, by its enum value.
var whatlangCodes = func() map[whatlanggo.Lang]string {
	m := make(map[whatlanggo.Lang]string)
	for l := whatlanggo.Lang(0); ; l++ {
		c3 := l.Iso6393()
		if c3 == "" {
			break
		}
		c := l.Iso6391()
		switch {
		case c3 == "bho": // whatlanggo says "bh", the retired Bihari group code
			c = "bho"
		case c == "":
			c = Code(c3)
		}
		m[l] = c
	}
	return m
}()
