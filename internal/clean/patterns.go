package clean

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/sentences"
)

// citationRE matches Wikipedia-style citation markers: C4's set
// (datatrove c4_filters.py L14) without the empty "[]", plus ranges and
// lists such as [1–3] and [2, 5].
var citationRE = regexp.MustCompile(`\[(?:\d{1,4}(?:\s*[,–-]\s*\d{1,4})*|edit|citation needed)\]`)

// bulletRE matches a bullet character with the spaces after it.
var bulletRE = regexp.MustCompile(`[•‣◦●▪►]\s*`)

// cutRE finds a sentence cut off mid-way and glued to the next: a
// lowercase word followed by a capitalised word that usually starts a
// sentence and then a lowercase word ("are consistently A total of").
var cutRE = regexp.MustCompile(`\b([a-z][a-z'’]+) +((?:A|An|The|This|These|Those|It|We|They|He|She|There|In|On|At|As|When|While|However|But|If|After|Before|During|According|Our|His|Her|Its|Their) +)[a-z]`)

// cutWords are the capitalised words of cutRE's second group.
var cutWords = map[string]bool{}

func init() {
	for w := range strings.FieldsSeq(`A An The This These Those It We They He She There In On At As When While
	However But If After Before During According Our His Her Its Their`) {
		cutWords[w] = true
	}
}

// findCut returns cutRE's leftmost match in s as FindStringSubmatchIndex
// does, or nil. The expression runs only when s holds one of cutWords
// between two spaces, which every match needs and most sentences lack
// (measured: cutRE was an eighth of the clean step's CPU before).
func findCut(s string) []int {
	if !hasCutWord(s) {
		return nil
	}
	return cutRE.FindStringSubmatchIndex(s)
}

// hasCutWord reports whether s holds " W " for a word W of cutWords.
func hasCutWord(s string) bool {
	for i := 0; i+3 < len(s); i++ {
		if s[i] != ' ' || s[i+1] < 'A' || s[i+1] > 'Z' {
			continue
		}
		j := i + 2
		for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
			j++
		}
		if j < len(s) && s[j] == ' ' && cutWords[s[i+1:j]] {
			return true
		}
	}
	return false
}

// findCitations returns citationRE's matches; every one starts with '['.
func findCitations(s string) [][]int {
	if strings.IndexByte(s, '[') < 0 {
		return nil
	}
	return citationRE.FindAllStringIndex(s, -1)
}

// findBullets returns bulletRE's matches. Every bullet character is
// encoded in UTF-8 with the lead byte E2.
func findBullets(s string) [][]int {
	if strings.IndexByte(s, 0xe2) < 0 {
		return nil
	}
	return bulletRE.FindAllStringIndex(s, -1)
}

// cutStop lists words after which a capitalised word is a title or name,
// not a new sentence ("in The Hague", "the A team", "called It").
var cutStop = map[string]bool{}

func init() {
	for w := range strings.FieldsSeq(`a an the of in on at to for from by with and or nor but as is are was
	were be been being am called named titled entitled via per than like into onto about
	plan type grade class section chapter part vitamin model version room gate row group
	said says wrote reads read see song album film book show series`) {
		cutStop[w] = true
	}
}

// jsNoticeRE matches notices about JavaScript being needed (lowercased
// text), not prose that mentions it.
var jsNoticeRE = regexp.MustCompile(`(?:enable|enabled|disable|disabled|turn on|activate|requires?|required|need|needs|must have|support for|supports?)\W+(?:\w+\W+){0,3}javascript|javascript\W+(?:\w+\W+){0,3}(?:enabled|disabled|required|turned off|not supported|is off|must be)`)

// isPolicy reports a short notice with one of C4's policy phrases
// (datatrove c4_filters.py L17-24). Lines of more than 40 words are prose
// that mentions a policy and stay.
func isPolicy(lower string) bool {
	for _, p := range c4PolicySubstrings {
		if strings.Contains(lower, p) {
			return len(strings.Fields(lower)) <= 40
		}
	}
	return false
}

// boilerplateRE matches whole lines of page furniture (DCLM RefinedWeb
// line modifiers, mlfoundations/dclm baselines/mappers/modifiers.py:
// "items in cart", "Read more...", "Sign-in"; plus share buttons and
// newsletter prompts).
var boilerplateRE = regexp.MustCompile(`(?i)^\W*(?:share(?: this(?: (?:article|post|page|story))?| on \w+| via \w+)?|tweet(?: this)?|pin it|print(?: this (?:article|page))?|email this|like us on facebook|follow us(?: on \w+)?|read more|read the full (?:article|story)|continue reading|click here(?: to [\w ]{1,30})?|subscribe(?: now)?|subscribe to (?:our|the) newsletter|sign up(?: for (?:our|the) newsletter)?|sign in|sign-in|sign out|log ?in|log out|register|items? in (?:your )?cart|skip to (?:main )?content|back to top|advertisement|previous|next|home|menu|search|comments?|reply|\d+ comments?)\W*$`)

// counterRE is DCLM's counter line (modifiers.py L719-721).
var counterRE = regexp.MustCompile(`^\W*\d(?:,|\.|\d)*(?:K|k|M|m|B|b)?\s+(?:likes|shares|comments|retweets|reposts|quotes|bookmarks|upvotes|downvotes|downloads|views|followers)\W*$`)

func isBoilerplate(t, lower string) bool {
	if boilerplateMayMatch(t) && (counterRE.MatchString(t) || boilerplateRE.MatchString(t)) {
		return true
	}
	return strings.Contains(lower, "subscribe to our newsletter") && len(strings.Fields(t)) <= 12
}

// boilerplateMayMatch is a necessary condition for counterRE or
// boilerplateRE to match t, so that most lines skip both (a third of the
// clean step's CPU before). Both are anchored and surround their words
// with \W*, which holds no ASCII letter, digit or '_', so the words start
// at t's first such byte. A counter starts with a digit; every other
// alternative starts with one of boilerplateFirst, compared ignoring ASCII
// case. Under (?i) 's' also matches U+017F and 'k' U+212A: a line with
// either goes to the expressions.
func boilerplateMayMatch(t string) bool {
	if strings.Contains(t, "\u017f") || strings.Contains(t, "\u212a") {
		return true
	}
	a := 0
	for a < len(t) && !isWordByte(t[a]) {
		a++
	}
	core := t[a:]
	if core == "" {
		return false
	}
	if core[0] >= '0' && core[0] <= '9' {
		return true
	}
	for _, w := range boilerplateFirst {
		if len(core) >= len(w) && strings.EqualFold(core[:len(w)], w) {
			return true
		}
	}
	return false
}

// boilerplateFirst are the first words, or their starts, of
// boilerplateRE's alternatives.
var boilerplateFirst = []string{"share", "tweet", "pin", "print", "email", "like", "follow", "read", "continue",
	"click", "subscribe", "sign", "log", "register", "item", "skip", "back", "advertisement", "previous", "next",
	"home", "menu", "search", "comment", "reply"}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// symbolExtra are symbols datatrove's PUNCTUATION string holds besides
// Unicode punctuation (src/datatrove/utils/text.py L13-18).
const symbolExtra = "$+<=>^`|~•►■□▪▫●○◦‣…«»·×÷±§¶©®™°"

// isSymbolLine reports a line of only punctuation, symbols and spaces
// (datatrove SymbolLinesFormatter).
func isSymbolLine(t string) bool {
	for _, r := range t {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || strings.ContainsRune(symbolExtra, r) || r < 0x20 {
			continue
		}
		return false
	}
	return true
}

func isBulletOnly(t string) bool { return bulletRE.MatchString(t) && isSymbolLine(t) }

// terminal holds sentence-final marks (a subset of datatrove's
// TERMINAL_PUNCTUATION, text.py L19-179) and closing quotes.
const terminal = ".?!。！？।॥۔؟።‼‽…\"'”’»)"

func endsTerminal(t string) bool {
	r, _ := utf8.DecodeLastRuneInString(t)
	return strings.ContainsRune(terminal, r)
}

// codeRE matches JavaScript and CSS fragments embedded in prose: variable
// declarations, function headers, DOM and jQuery calls, method-call
// statements, CSS rules and stray brace tokens. Each alternative needs
// code syntax (an '=' with ';', a '(' ... ')' with '{' or ';', a dotted
// callee), so prose that mentions JavaScript or quotes a brace stays. A
// method call has no space before its '(' ("Geonames.org (cc-by); post
// updated" is a citation, not a call), and a jQuery call's argument
// starts with a quote, document, window, this or function ("$(P(S),\leq)$"
// is TeX).
var codeRE = regexp.MustCompile(strings.Join([]string{
	`\b(?:var|let|const)\s+[A-Za-z_$][\w$]*\s*=\s*(?:async\s+)?function\s*[\w$]*\s*\([^()]*\)\s*\{\s*`,
	`\b(?:var|let|const)\s+[A-Za-z_$][\w$.]*\s*=\s*[^;{}]{1,200}?;\s*`,
	`\bfunction\s*[\w$]*\s*\([^()]*\)\s*\{[^{}]{0,200}\}?\s*;?\s*`,
	`\b(?:document|window)(?:\.[A-Za-z_$][\w$]*)+\s*(?:\((?:[^()]|\([^()]*\))*\))?\s*(?:=\s*[^;]{1,100})?;\s*`,
	`\b(?:document|window)(?:\.[A-Za-z_$][\w$]*)+\s*\((?:[^()]|\([^()]*\))*\)\s*`,
	`(?:^|\s)(?:\$|jQuery)\((?:["'\x60]|document|window|this|function)(?:[^()]|\([^()]*\))*\)(?:\.[\w$]+\((?:[^()]|\([^()]*\))*\))*\s*;?\s*`,
	`\b[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+\((?:[^()]|\([^()]*\))*\)\s*;\s*`,
	`\bif\s*\([^()]*\)\s*\{\s*`,
	`(?:^|\s)[.#]?[A-Za-z_][\w-]*(?:\s*[,>+~]?\s*[.#][A-Za-z_][\w-]*)*\s*\{\s*[\w-]+\s*:[^{}]*\}\s*`,
	`(?:^|\s)[{}()\[\];]*[{}][{}()\[\];]*(?:\s|$)`,
}, "|"))

// codeFragments returns the byte spans of code in s.
func codeFragments(s string) [][]int {
	if !codeMayMatch(s) {
		return nil
	}
	var out [][]int
	for _, m := range codeRE.FindAllStringIndex(s, -1) {
		for m[0] < m[1] && (s[m[0]] == ' ' || s[m[0]] == '\t') {
			m[0]++ // keep the space before the fragment
		}
		if !insideQuote(s, m[0]) {
			out = append(out, m)
		}
	}
	return out
}

// codeMayMatch is a necessary condition for a codeRE match, so that most
// prose skips the expression (a quarter of the clean step's CPU before).
// Each alternative needs a brace, or "document." or "window.", or "$(" or
// "jQuery(", or a ';' together with either ')' and spaces before it (a
// call statement) or '=' and var, let or const (a declaration).
func codeMayMatch(s string) bool {
	if strings.ContainsAny(s, "{}") || strings.Contains(s, "document.") || strings.Contains(s, "window.") ||
		strings.Contains(s, "$(") || strings.Contains(s, "jQuery(") {
		return true
	}
	semi := strings.IndexByte(s, ';')
	if semi < 0 {
		return false
	}
	if strings.IndexByte(s, '=') >= 0 && (strings.Contains(s, "var") || strings.Contains(s, "let") || strings.Contains(s, "const")) {
		return true
	}
	// ')' then \s* then ';'
	for i := semi; i >= 0 && i < len(s); {
		j := i - 1
		for j >= 0 && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\f' || s[j] == '\r') {
			j--
		}
		if j >= 0 && s[j] == ')' {
			return true
		}
		k := strings.IndexByte(s[i+1:], ';')
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return false
}

var sentenceEndRE = regexp.MustCompile(`[.!?]["”']?\s`)

// insideQuote reports whether byte i of s lies inside a quotation: an odd
// number of straight double quotes, or more opening than closing curly
// ones, before it. Code quoted in prose ("type "if (x) {" to start") stays.
func insideQuote(s string, i int) bool {
	before := s[:i]
	// A quotation does not run past the end of a sentence ("firm". var x).
	if loc := sentenceEndRE.FindAllStringIndex(before, -1); loc != nil {
		before = before[loc[len(loc)-1][1]:]
	}
	return strings.Count(before, `"`)%2 == 1 || strings.Count(before, "“") > strings.Count(before, "”")
}

// isCodeLine reports a line that is code as a whole: code fragments cover
// most of it, or it ends in '{', '}', ';' with code syntax.
func isCodeLine(t string) bool {
	frags := codeFragments(t)
	if len(frags) == 0 {
		return false
	}
	covered := 0
	for _, f := range frags {
		covered += f[1] - f[0]
	}
	return covered*2 >= len(t)
}

// abbreviations end with a period that does not end a sentence.
var abbreviations = map[string]bool{}

func init() {
	for w := range strings.FieldsSeq(`mr mrs ms dr prof sr jr st mt vs e.g i.e cf al
	u.s u.k u.n no vol fig figs gen gov sen rep capt lt col sgt rev hon pres approx dept
	est inc ltd co corp jan feb mar apr aug sep sept oct nov dec p pp`) {
		abbreviations[w] = true
	}
}

// endsWithAbbreviation reports a sentence whose last word is an
// abbreviation, a single capital initial ("J."), or dotted initials
// ("U.S.A."), so the period does not end the sentence.
func endsWithAbbreviation(sen string) bool {
	t := strings.TrimRightFunc(sen, unicode.IsSpace)
	if !strings.HasSuffix(t, ".") {
		return false
	}
	i := strings.LastIndexFunc(t, func(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == '"' })
	w := t[i+1:]
	w = strings.TrimSuffix(w, ".")
	if w == "" {
		return false
	}
	if abbreviations[strings.ToLower(w)] {
		return true
	}
	if r, n := utf8.DecodeRuneInString(w); n == len(w) && unicode.IsUpper(r) {
		return true
	}
	// Dotted initials: U.S, e.g, A.B.C
	parts := strings.Split(w, ".")
	if len(parts) >= 2 {
		for _, p := range parts {
			if utf8.RuneCountInString(p) != 1 {
				return false
			}
		}
		return true
	}
	return false
}

// segment splits s into sentences (Unicode text segmentation, UAX #29,
// with an abbreviation guard) and returns their byte spans; each span
// keeps its trailing spaces.
func segment(s string, guard bool) [][2]int {
	var out [][2]int
	it := sentences.FromString(s)
	for it.Next() {
		st, en := it.Start(), it.End()
		if guard && len(out) > 0 && endsWithAbbreviation(s[out[len(out)-1][0]:out[len(out)-1][1]]) {
			out[len(out)-1][1] = en
			continue
		}
		out = append(out, [2]int{st, en})
	}
	return out
}
