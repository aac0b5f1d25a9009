// Package tokenize splits document text into words the way the reference
// quality filters do, so that word-based quality signals mean what the
// published ones mean.
//
// Three tokenizers:
//
//   - [Words]: NLTK's word_tokenize (sentence splitting, then the
//     Treebank-style NLTKWordTokenizer of NLTK 3.8.1), which datatrove's
//     Gopher, C4 and FineWeb filters used for English until December 2024,
//     so the original FineWeb statistics are NLTK-based. Punctuation marks
//     are tokens of their own.
//   - [Fields]: Python's str.split(), which dolma's Gopher tagger and NeMo
//     Curator use for every language.
//   - [Unicode]: UAX #29 word boundaries (github.com/clipperhouse/uax29),
//     for languages other than English and for scripts written without
//     spaces. Chinese, Japanese, Korean and Thai are never measured with an
//     English tokenizer (datatrove issues #135 and #202).
//
// The package also holds the CPython str semantics (whitespace, letters,
// splitlines) that the reference statistics depend on.
package tokenize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/words"
)

// Kind names a tokenizer.
type Kind int

const (
	// KindNLTK is [Words], NLTK word_tokenize semantics.
	KindNLTK Kind = iota
	// KindWhitespace is [Fields], Python str.split().
	KindWhitespace
	// KindUnicode is [Unicode], UAX #29 word segmentation.
	KindUnicode
)

func (k Kind) String() string {
	switch k {
	case KindNLTK:
		return "nltk"
	case KindWhitespace:
		return "whitespace"
	case KindUnicode:
		return "unicode"
	}
	return "unknown"
}

// Split tokenizes text with the tokenizer k.
func (k Kind) Split(text string) []string {
	switch k {
	case KindWhitespace:
		return Fields(text)
	case KindUnicode:
		return Unicode(text)
	}
	return Words(text)
}

// Select picks the tokenizer for a document in language lang (ISO 639-1,
// "" or "und" when unknown). Chinese, Japanese, Korean and Thai, and
// documents of unknown language written mostly in those scripts, get
// KindUnicode whatever the preference. Otherwise whitespace forces
// KindWhitespace (dolma compatibility); English and unknown-language text
// in Latin script gets KindNLTK; any other language gets KindUnicode.
func Select(lang, text string, whitespace bool) Kind {
	switch lang {
	case "zh", "ja", "ko", "th":
		return KindUnicode
	case "", "und":
		switch dominantScript(text) {
		case scriptCJKThai:
			return KindUnicode
		case scriptOther:
			if !whitespace {
				return KindUnicode
			}
		}
		if whitespace {
			return KindWhitespace
		}
		return KindNLTK
	}
	if whitespace {
		return KindWhitespace
	}
	if lang == "en" {
		return KindNLTK
	}
	return KindUnicode
}

type script int

const (
	scriptLatin script = iota // also: no letters at all
	scriptCJKThai
	scriptOther
)

// dominantScript classifies the letters of the first 4096 bytes of text:
// CJK/Thai when three times their count reaches the count of the other
// letters (a Han character or a kana carries about as much as a Latin
// word of several letters), Latin when Latin letters outnumber the other
// scripts, else other.
func dominantScript(text string) script {
	if len(text) > 4096 {
		text = text[:4096]
	}
	var latin, cjk, other int
	for _, r := range text {
		switch {
		case r < 0x80:
			if IsAlpha(r) {
				latin++
			}
		case !unicode.IsLetter(r):
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai):
			cjk++
		default:
			other++
		}
	}
	switch {
	case cjk > 0 && 3*cjk >= latin+other:
		return scriptCJKThai
	case other > latin:
		return scriptOther
	}
	return scriptLatin
}

// Unicode splits text at UAX #29 word boundaries and returns the
// segments that are not whitespace: words, numbers, single ideographs and
// punctuation marks (a punctuation mark is a token, as with NLTK).
func Unicode(text string) []string {
	var out []string
	it := words.FromString(text)
	for it.Next() {
		v := it.Value()
		if strings.TrimFunc(v, IsSpace) == "" {
			continue
		}
		out = append(out, v)
	}
	return out
}

// Words tokenizes text like NLTK's word_tokenize(text) in English: it
// splits text into sentences ([Sentences], an approximation of the punkt
// model) and tokenizes each sentence with [Treebank]. The sentence split
// only changes where a period becomes a token of its own: Treebank splits
// a period only at the end of its input, so each sentence-final period is
// split ("them." in the middle of a text stays one token with no sentence
// split, and becomes "them" "." with it). ? and ! are split everywhere.
func Words(text string) []string {
	var out []string
	for _, s := range Sentences(text) {
		out = append(out, Fields(treebankString(s))...)
	}
	return out
}

// closers may follow a sentence-final mark inside the same chunk.
const closers = "\"')]}’”»"

// openers may precede a word inside the same chunk.
const openers = "\"'([{‘“«`"

// abbreviations are words that a following period does not end a
// sentence after: common English abbreviations of NLTK's punkt English
// model. Lowercase, without the period.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sr": true,
	"jr": true, "st": true, "vs": true, "inc": true, "ltd": true, "co": true,
	"corp": true, "jan": true, "feb": true, "mar": true, "apr": true,
	"jun": true, "jul": true, "aug": true, "sep": true, "sept": true,
	"oct": true, "nov": true, "dec": true, "no": true, "fig": true,
	"vol": true, "gen": true, "gov": true, "sen": true, "rep": true,
	"rev": true, "col": true, "lt": true, "mt": true, "ft": true,
	"ave": true, "dept": true, "univ": true, "approx": true,
}

// Sentences splits text into sentences, an approximation of NLTK's punkt
// English sentence tokenizer that needs no model. Text is cut into chunks
// of non-whitespace; a chunk ends a sentence when another chunk follows
// and, after dropping trailing closing quotes and brackets, it ends with
// ? or !, or with a single period where the word before the period is
// not an abbreviation (a list of common English ones), not a single
// letter (an initial), and has no period inside (u.s., e.g.). An ellipsis
// ("..") never ends a sentence; line breaks alone do not either. Each
// sentence runs from its first chunk to its last, so it carries no
// leading or trailing whitespace; whitespace-only text has no sentences.
func Sentences(text string) []string {
	var out []string
	start := -1 // byte offset of the current sentence's first chunk
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if IsSpace(r) {
			i += size
			continue
		}
		// A chunk starts at i.
		j := i
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if IsSpace(r) {
				break
			}
			j += size
		}
		if start < 0 {
			start = i
		}
		if endsSentence(text[i:j]) && hasChunkAfter(text[j:]) {
			out = append(out, text[start:j])
			start = -1
		}
		i = j
	}
	if start >= 0 {
		out = append(out, text[start:])
		out[len(out)-1] = TrimRightSpace(out[len(out)-1])
	}
	return out
}

func hasChunkAfter(s string) bool {
	for _, r := range s {
		if !IsSpace(r) {
			return true
		}
	}
	return false
}

func endsSentence(chunk string) bool {
	core := strings.TrimRight(chunk, closers)
	if core == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(core)
	switch last {
	case '?', '!':
		return true
	case '.':
	default:
		return false
	}
	word := core[:len(core)-1]
	if strings.HasSuffix(word, ".") {
		return false // an ellipsis
	}
	word = strings.TrimLeft(word, openers)
	if word == "" {
		return true
	}
	if strings.IndexByte(word, '.') >= 0 {
		return false
	}
	if utf8.RuneCountInString(word) == 1 && IsAlpha([]rune(word)[0]) {
		return false
	}
	return !abbreviations[strings.ToLower(word)]
}
