#!/usr/bin/env python3
"""Reference quality signals for winnow's golden tests.

Written from the reference definitions, independently of the Go code:
  - ../../../../../shared/docs/reference-rules.md section b (datatrove
    @a649de7 gopher_quality_filter.py, gopher_repetition_filter.py,
    c4_filters.py, fineweb_quality_filter.py; dolma @669f534
    taggers/gopher.py and taggers/c4.py),
  - NLTK 3.8.1 nltk/tokenize/destructive.py NLTKWordTokenizer, whose
    regexes are transcribed below verbatim (Python re is the reference
    engine),
  - winnow's documented choices where the references leave something open
    (the sentence splitter standing in for punkt, blank lines never being
    duplicates, zero denominators giving 0).

Uses the Python standard library only (str.isalpha, str.split,
str.splitlines, re). Regenerate the golden file from the repository root:

    python3 internal/quality/testdata/reference/reference.py \
        ../shared/corpus/warc/dolma/jsonl > internal/quality/testdata/golden.json
"""

import gzip
import json
import os
import re
import statistics
import sys
from collections import Counter

# ---------------------------------------------------------------- NLTK 3.8.1

CONTRACTIONS2 = [
    r"(?i)\b(can)(?#X)(not)\b",
    r"(?i)\b(d)(?#X)('ye)\b",
    r"(?i)\b(gim)(?#X)(me)\b",
    r"(?i)\b(gon)(?#X)(na)\b",
    r"(?i)\b(got)(?#X)(ta)\b",
    r"(?i)\b(lem)(?#X)(me)\b",
    r"(?i)\b(more)(?#X)('n)\b",
    r"(?i)\b(wan)(?#X)(na)(?=\s)",
]
CONTRACTIONS3 = [r"(?i) ('t)(?#X)(is)\b", r"(?i) ('t)(?#X)(was)\b"]

STARTING_QUOTES = [
    (re.compile("([«“‘„]|[`]+)", re.U), r" \1 "),
    (re.compile(r"^\""), r"``"),
    (re.compile(r"(``)"), r" \1 "),
    (re.compile(r"([ \(\[{<])(\"|\'{2})"), r"\1 `` "),
    (re.compile(r"(?i)(\')(?!re|ve|ll|m|t|s|d|n)(\w)\b", re.U), r"\1 \2"),
]
ENDING_QUOTES = [
    (re.compile("([»”’])", re.U), r" \1 "),
    (re.compile(r"''"), " '' "),
    (re.compile(r'"'), " '' "),
    (re.compile(r"([^' ])('[sS]|'[mM]|'[dD]|') "), r"\1 \2 "),
    (re.compile(r"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "), r"\1 \2 "),
]
PUNCTUATION_RULES = [
    (re.compile(r'([^\.])(\.)([\]\)}>"\'' "»”’ " r"]*)\s*$", re.U), r"\1 \2 \3 "),
    (re.compile(r"([:,])([^\d])"), r" \1 \2"),
    (re.compile(r"([:,])$"), r" \1 "),
    (re.compile(r"\.{2,}", re.U), r" \g<0> "),
    (re.compile(r"[;@#$%&]"), r" \g<0> "),
    (re.compile(r'([^\.])(\.)([\]\)}>"\']*)\s*$'), r"\1 \2\3 "),
    (re.compile(r"[?!]"), r" \g<0> "),
    (re.compile(r"([^'])' "), r"\1 ' "),
    (re.compile(r"[*]", re.U), r" \g<0> "),
]
PARENS_BRACKETS = (re.compile(r"[\]\[\(\)\{\}\<\>]"), r" \g<0> ")
DOUBLE_DASHES = (re.compile(r"--"), r" -- ")
C2 = list(map(re.compile, CONTRACTIONS2))
C3 = list(map(re.compile, CONTRACTIONS3))


def treebank(text):
    """NLTKWordTokenizer.tokenize(text), convert_parentheses=False."""
    for regexp, substitution in STARTING_QUOTES:
        text = regexp.sub(substitution, text)
    for regexp, substitution in PUNCTUATION_RULES:
        text = regexp.sub(substitution, text)
    regexp, substitution = PARENS_BRACKETS
    text = regexp.sub(substitution, text)
    regexp, substitution = DOUBLE_DASHES
    text = regexp.sub(substitution, text)
    text = " " + text + " "
    for regexp, substitution in ENDING_QUOTES:
        text = regexp.sub(substitution, text)
    for regexp in C2:
        text = regexp.sub(r" \1 \2 ", text)
    for regexp in C3:
        text = regexp.sub(r" \1 \2 ", text)
    return text.split()


# Sentence splitter standing in for punkt (winnow's documented rule).
ABBREVIATIONS = set(
    "mr mrs ms dr prof sr jr st vs inc ltd co corp jan feb mar apr jun jul aug sep sept "
    "oct nov dec no fig vol gen gov sen rep rev col lt mt ft ave dept univ approx".split()
)
CLOSERS = "\"')]}’”»"
OPENERS = "\"'([{‘“«`"


def ends_sentence(chunk):
    core = chunk.rstrip(CLOSERS)
    if not core:
        return False
    if core[-1] in "?!":
        return True
    if core[-1] != ".":
        return False
    word = core[:-1]
    if word.endswith("."):
        return False  # ellipsis
    word = word.lstrip(OPENERS)
    if word == "":
        return True
    if "." in word:
        return False
    if len(word) == 1 and word.isalpha():
        return False
    return word.lower() not in ABBREVIATIONS


def sentences(text):
    chunks = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    out, start = [], None
    for k, (a, b) in enumerate(chunks):
        if start is None:
            start = a
        if k + 1 < len(chunks) and ends_sentence(text[a:b]):
            out.append(text[start:b])
            start = None
    if start is not None:
        out.append(text[start:chunks[-1][1]])
    return out


def word_tokenize(text):
    return [t for s in sentences(text) for t in treebank(s)]


# ------------------------------------------------------------- datatrove text

PUNCTUATION = "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»" + "".join(
    map(chr, (x for a, b in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(a, b)))
)
TERMINAL_PUNCTUATION = set(chr(c) for c in (
    0x0021, 0x002E, 0x003F, 0x0589, 0x061D, 0x061E, 0x061F, 0x06D4, 0x0700, 0x0701, 0x0702, 0x07F9,
    0x0837, 0x0839, 0x083D, 0x083E, 0x0964, 0x0965, 0x104A, 0x104B, 0x1362, 0x1367, 0x1368, 0x166E,
    0x1735, 0x1736, 0x17D4, 0x17D5, 0x17D6, 0x17D9, 0x17DA, 0x1803, 0x1809, 0x1944, 0x1945, 0x1AA8,
    0x1AA9, 0x1AAA, 0x1AAB, 0x1B5A, 0x1B5B, 0x1B5E, 0x1B5F, 0x1B7D, 0x1B7E, 0x1C3B, 0x1C3C, 0x1C7E,
    0x1C7F, 0x203C, 0x203D, 0x2047, 0x2048, 0x2049, 0x2E2E, 0x2E3C, 0x2E53, 0x2E54, 0x3002, 0xA4FF,
    0xA60E, 0xA60F, 0xA6F3, 0xA6F7, 0xA876, 0xA877, 0xA8CE, 0xA8CF, 0xA92F, 0xA9C8, 0xA9C9, 0xAA5D,
    0xAA5E, 0xAA5F, 0xAAF0, 0xAAF1, 0xABEB, 0xFE52, 0xFE56, 0xFE57, 0xFF01, 0xFF0E, 0xFF1F, 0xFF61,
    0x10A56, 0x10A57, 0x10F55, 0x10F56, 0x10F57, 0x10F58, 0x10F59, 0x10F86, 0x10F87, 0x10F88, 0x10F89,
    0x11047, 0x11048, 0x110BE, 0x110BF, 0x110C0, 0x110C1, 0x11141, 0x11142, 0x11143, 0x111C5, 0x111C6,
    0x111CD, 0x111DE, 0x111DF, 0x11238, 0x11239, 0x1123B, 0x1123C, 0x112A9, 0x1144B, 0x1144C, 0x115C2,
    0x115C3, 0x115C9, 0x115CA, 0x115CB, 0x115CC, 0x115CD, 0x115CE, 0x115CF, 0x115D0, 0x115D1, 0x115D2,
    0x115D3, 0x115D4, 0x115D5, 0x115D6, 0x115D7, 0x11641, 0x11642, 0x1173C, 0x1173D, 0x1173E, 0x11944,
    0x11946, 0x11A42, 0x11A43, 0x11A9B, 0x11A9C, 0x11C41, 0x11C42, 0x11EF7, 0x11EF8, 0x11F43, 0x11F44,
    0x16A6E, 0x16A6F, 0x16AF5, 0x16B37, 0x16B38, 0x16B44, 0x16E98, 0x1BC9F, 0x1DA88,
))
assert len(TERMINAL_PUNCTUATION) == 159
PUNCTUATION_SET = set(PUNCTUATION).union(TERMINAL_PUNCTUATION)
STOP_WORDS = ["the", "be", "to", "of", "and", "that", "have", "with"]


def div(a, b):
    # winnow's documented choice: a zero denominator gives 0.
    return a / b if b else 0.0


LANG = "en"


def words_for(text, profile):
    # Golden cases are English documents, except the Japanese one: its text
    # is Han, hiragana and CJK punctuation only, for which UAX #29 breaks
    # between every pair of characters (WB999: neither is ALetter, Katakana
    # or Numeric), so its words are its non-space characters.
    if LANG == "ja":
        return [c for c in text if not c.isspace()]
    return text.split() if profile == "dolma" else word_tokenize(text)


# ------------------------------------------------------------ Gopher quality

def gopher_quality(text, profile):
    words = words_for(text, profile)
    if profile == "dolma":
        n = len(words)
        lines = text.split("\n")
        sig = {
            "word_count": n,
            "median_word_length": float(statistics.median([len(w) for w in words])) if words else 0.0,
            "symbol_ratio": div(sum(1 for w in words if "#" in w or "\u2026" in w), n),
            "bullet_lines_ratio": div(sum(1 for l in lines if l.startswith("*") or l.startswith("-")), len(lines)),
            "ellipsis_lines_ratio": div(sum(1 for l in lines if l.endswith("\u2026")), len(lines)),
            "alpha_words_ratio": div(sum(1 for w in words if any(c.isalpha() for c in w)), n),
            "stop_words": sum(1 for w in words if w in STOP_WORDS),
        }
        rule = None
        if sig["word_count"] < 50: rule = "min_words"
        elif sig["word_count"] > 100000: rule = "max_words"
        elif sig["median_word_length"] < 3: rule = "min_word_length"
        elif sig["median_word_length"] > 10: rule = "max_word_length"
        elif sig["symbol_ratio"] > 0.1: rule = "symbol_ratio"
        elif sig["bullet_lines_ratio"] > 0.9: rule = "bullet_lines"
        elif sig["ellipsis_lines_ratio"] > 0.3: rule = "ellipsis_lines"
        elif sig["alpha_words_ratio"] < 0.8: rule = "alpha_words"
        elif sig["stop_words"] < 2: rule = "stop_words"
        return sig, rule
    n = len(words)
    non_symbol = [w for w in words if any(ch not in PUNCTUATION_SET for ch in w)]
    lines = text.splitlines()
    sig = {
        "word_count": len(non_symbol),
        "mean_word_length": div(sum(len(w) for w in non_symbol), len(non_symbol)),
        "hash_ratio": div(text.count("#"), n),
        "ellipsis_ratio": div(text.count("...") + text.count("…"), n),
        "bullet_lines_ratio": div(sum(s.lstrip().startswith("•") or s.lstrip().startswith("-") for s in lines), len(lines)),
        "ellipsis_lines_ratio": div(sum(s.rstrip().endswith("...") or s.rstrip().endswith("…") for s in lines), len(lines)),
        "alpha_words_ratio": div(sum([any((c.isalpha() for c in w)) for w in words]), n),
        "stop_words": len(set(STOP_WORDS).intersection(set(words))),
    }
    rule = None
    if sig["word_count"] < 50: rule = "min_words"
    elif sig["word_count"] > 100000: rule = "max_words"
    elif sig["mean_word_length"] < 3: rule = "min_word_length"
    elif sig["mean_word_length"] > 10: rule = "max_word_length"
    elif sig["hash_ratio"] > 0.1: rule = "hash_ratio"
    elif sig["ellipsis_ratio"] > 0.1: rule = "ellipsis_ratio"
    elif sig["bullet_lines_ratio"] > 0.9: rule = "bullet_lines"
    elif sig["ellipsis_lines_ratio"] > 0.3: rule = "ellipsis_lines"
    elif sig["alpha_words_ratio"] < 0.8: rule = "alpha_words"
    elif sig["stop_words"] < 2: rule = "stop_words"
    return sig, rule


# --------------------------------------------------------- Gopher repetition

def find_duplicates(x):
    unique_x = set()
    duplicate_chars = 0
    duplicate_elements = 0
    for element in x:
        if element.strip() == "":
            continue  # winnow: blank elements are never duplicates (datatrove #273)
        if element in unique_x:
            duplicate_chars += len(element)
            duplicate_elements += 1
        else:
            unique_x.add(element)
    return duplicate_elements, duplicate_chars


def find_top_duplicate(x):
    counter = Counter()
    for element in x:
        counter[element] += 1
    top_n_gram = counter.most_common(1)[0]
    return len(top_n_gram[0]) * top_n_gram[1]


def find_all_duplicate(words, n):
    n_words = len(words)
    unique = set()
    repeated_chars, idx = 0, 0
    while idx < n_words - n + 1:
        n_gram = "".join(words[idx: idx + n])
        if n_gram in unique:
            repeated_chars += len(n_gram)
            idx += n
        else:
            unique.add(n_gram)
            idx += 1
    return repeated_chars


TOP = [(2, 0.2), (3, 0.18), (4, 0.16)]
DUP = [(5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)]


def gopher_repetition(text, profile):
    sig, limits = {}, {}
    words = words_for(text, profile)
    if profile == "dolma":
        character_count = sum(len(w) for w in words)
        lines = text.split("\n")
        counts = Counter(lines)
        sig["dup_line_frac"] = div(sum(c for l, c in counts.items() if c > 1 and l.strip() != ""), len(lines))
        limits["dup_line_frac"] = 0.3
        sig["dup_line_char_frac"] = div(sum(len(l) * c for l, c in counts.items() if c > 1 and l.strip() != ""), character_count)
        limits["dup_line_char_frac"] = 0.3
        for n, lim in TOP:
            ngram_counts = Counter(list(zip(*[words[i:] for i in range(n)])))
            if not ngram_counts:
                continue
            ng, count = ngram_counts.most_common(1)[0]
            sig["top_%d_gram_char_frac" % n] = count * sum(len(w) for w in ng) / max(character_count, 1)
            limits["top_%d_gram_char_frac" % n] = lim
        for n, lim in DUP:
            ngram_counts = Counter(list(zip(*[words[i:] for i in range(n)])))
            if not ngram_counts:
                continue
            total = sum(c * sum(len(w) for w in ng) for ng, c in ngram_counts.items())
            dup = sum(c * sum(len(w) for w in ng) for ng, c in ngram_counts.items() if c > 1)
            sig["dup_%d_gram_char_frac" % n] = dup / max(total, 1)
            limits["dup_%d_gram_char_frac" % n] = lim
    else:
        paragraphs = re.split(r"\n{2,}", text.strip())
        d, c = find_duplicates(paragraphs)
        sig["dup_para_frac"] = div(d, len(paragraphs)); limits["dup_para_frac"] = 0.3
        sig["dup_para_char_frac"] = div(c, len(text)); limits["dup_para_char_frac"] = 0.2
        lines = re.split("\n+", text)
        d, c = find_duplicates(lines)
        sig["dup_line_frac"] = div(d, len(lines)); limits["dup_line_frac"] = 0.3
        sig["dup_line_char_frac"] = div(c, len(text)); limits["dup_line_char_frac"] = 0.2
        for n, lim in TOP:
            n_grams = [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]
            if not n_grams:
                continue
            sig["top_%d_gram_char_frac" % n] = div(find_top_duplicate(n_grams), len(text))
            limits["top_%d_gram_char_frac" % n] = lim
        for n, lim in DUP:
            sig["dup_%d_gram_char_frac" % n] = div(find_all_duplicate(words, n), len(text))
            limits["dup_%d_gram_char_frac" % n] = lim
    rule = next((k for k in sig if sig[k] > limits[k]), None)
    return sig, rule


# ---------------------------------------------------------------- FineWeb

def fineweb_quality(text, profile):
    lines = [l for l in text.split("\n") if l.strip() != ""]
    n = len(lines)
    if profile == "dolma":
        counts = Counter(lines)
        dup_chars = sum(len(l) * c for l, c in counts.items() if c > 1)
    else:
        dup_chars = find_duplicates(lines)[1]
    words = words_for(text, profile)
    sig = {
        "line_punct_ratio": div(sum(1 for l in lines if l[-1:] in TERMINAL_PUNCTUATION), n),
        "short_line_ratio": div(sum(1 for l in lines if len(l) <= 30), n),
        "char_dup_ratio": div(dup_chars, len(text.replace("\n", ""))),
        "new_line_ratio": div(text.count("\n"), len(words)),
    }
    rule = None
    if n == 0: rule = "empty"
    elif sig["line_punct_ratio"] < 0.12: rule = "line_punct_ratio"
    elif sig["short_line_ratio"] > 0.67: rule = "short_line_ratio"
    elif sig["char_dup_ratio"] > 0.01: rule = "char_dup_ratio"
    elif sig["new_line_ratio"] > 0.3: rule = "list_ratio"
    return sig, rule


# --------------------------------------------------------------------- C4

CITATION_REGEX = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
POLICY_SUBSTRINGS = ["terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"]


def c4_quality(text, profile):
    dolma = profile == "dolma"
    end_marks = (".", "?", "!", '"') if dolma else (".", "?", "!", '"', "'")
    lines = text.split("\n") if dolma else text.splitlines()
    cnt = dict(too_long_word=0, no_terminal_punct=0, too_few_words=0, javascript=0, policy=0)
    rule, num_sentences, kept = None, 0, []
    for line in lines:
        line = line.strip()
        words = line.split()
        if any(len(w) > 1000 for w in words):
            cnt["too_long_word"] += 1; continue
        line = CITATION_REGEX.sub("", line)
        if not line.endswith(end_marks) or line.endswith("..."):
            cnt["no_terminal_punct"] += 1; continue
        if len(words) < 3:
            cnt["too_few_words"] += 1; continue
        line_l = line.lower()
        if "lorem ipsum" in line_l:
            rule = rule or "lorem_ipsum"; continue  # winnow scans on to fill the signals
        if ("javascript" in line_l.split()) if dolma else ("javascript" in line_l):
            cnt["javascript"] += 1; continue
        if "{" in line:
            rule = rule or "curly_bracket"; continue
        if any(p in line_l for p in POLICY_SUBSTRINGS):
            cnt["policy"] += 1; continue
        num_sentences += len(sentences(line))
        kept.append(line)
    sig = dict(lines=len(lines), kept_lines=len(kept), sentences=num_sentences, **cnt)
    if rule is None and num_sentences < 5:
        rule = "too_few_sentences"
    return sig, rule, "\n".join(kept).strip()


# -------------------------------------------------------------- bad words

def load_badwords(path):
    # datatrove C4BadWordsFilter._get_badwords: stripped lines, minus the
    # allow-list of every language (winnow also skips empty lines).
    with open(path, "rt", encoding="utf-8") as f:
        words = set(line.strip() for line in f)
    words.discard("")
    words -= {"sm", "グロ", "女の子", "性"}
    return re.compile(r"(?:\W|^)({})(?:\W|$)".format("|".join(re.escape(w) for w in sorted(words))))


BADWORDS = {"en": load_badwords(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "badwords-golden.txt"))}


def c4_badwords(text):
    rx = BADWORDS.get(LANG)
    if rx is None:
        return {"has_badwords": -1}, None
    if rx.search(text.lower()) is not None:
        return {"has_badwords": 1}, "badwords"
    return {"has_badwords": 0}, None


# ------------------------------------------------------------------ cases

HAND = [
    ("empty", ""),
    ("whitespace_only", " \n\t \n\n  "),
    ("punctuation_only", "... !!! ??? ---\n### *** ,,,\n…"),
    ("blank_lines_not_duplicates", "First line of text here.\n\n\n\nSecond line of text here.\n\n\n\nThird line is here.\n"),
    ("leading_trailing_newlines", "\nAlpha beta gamma.\nDelta epsilon zeta.\n"),
    ("whitespace_lines", "one two three.\n   \nfour five six.\n   \nseven eight nine.\n   \n"),
    ("duplicate_lines", "Buy now and save.\nBuy now and save.\nBuy now and save.\nA unique closing line here.\n"),
    ("duplicate_paragraphs", "Para one is here.\n\nPara one is here.\n\nPara two differs a lot.\n\nPara one is here."),
    ("bullets", "• item one\n- item two\n  - item three\n* item four\nNot a bullet"),
    ("ellipsis_lines", "Read more...\nContinue…\nThe end...   \nA full sentence.\n…and more"),
    ("hashes", "#tag #another #third words here # and ## there"),
    ("ja:cjk", "これは日本語の文章です。\n東京は日本の首都です。\n中文句子也在这里。"),
    ("contractions", "They'll say I can't, won't, shouldn't. 'Tis gonna be fine, I cannot wait! Gimme that, d'ye hear?"),
    ("quotes", "\"Hello,\" she said. 'Quoted text' and ``double'' and «chevrons» “curly” ‘single’ „low“."),
    ("us_and_ellipsis", "The U.S. economy grew... Mr. Smith said so. It was 3.5% in Jan. 2020, i.e. fast. End."),
    ("urls_numbers", "Visit https://example.com/path?q=1&x=2 or www.test.org. Prices: $1,234.56 and 1,000,000 people (roughly)."),
    ("parens_dashes", "Results [see table 1] were (mostly) good -- or {perhaps} not <really>; a--b and x: y, z."),
    ("stop_word_case", "The THE the The be To OF and And that have with with with"),
    ("c4_lines", "This line ends well.\nno terminal punctuation here\nToo short.\nEnable JavaScript to view this page properly.\n"
                 "Read our privacy policy for more details.\nA citation follows here.[1]\nThis one ends with dots...\n"
                 "He said \"yes.\"\nIt's what she said.'\nOne. Two. Three sentences here."),
    ("c4_curly", "A fine first line here.\nfunction() { return 1; } is code.\nAnother fine line here."),
    ("c4_lorem", "Lorem ipsum dolor sit amet.\nA normal sentence here."),
    ("repeated_ngrams", " ".join(["the quick brown fox jumps"] * 12) + " over the lazy dog."),
    ("unicode_lines", "Line one here.\u2028Line two here.\x85Line three\u2029Line four.\r\nLine five.\rSix.\x0cSeven\x1cEight"),
    ("crlf", "A line with words.\r\nA line with words.\r\nAnother different line.\r\n"),
    ("tie_top_ngram", "aa b aa b ccc dd ccc dd x"),
    ("concat_collision", "ab c d e f g a bc d e f g"),
    ("nbsp_and_tabs", "words\u00a0joined by\tspaces\u2003and more\u3000here."),
    ("dotted_capital_i", "Please enable JAVASCR\u0130PT in your browser now.\nThe site uses JavaScript heavily.\n"
                         "One more sentence here. And another one here. Third one here. Fourth one."),
    ("long_word", "short words " + "x" * 1001 + " end.\nThis line is fine though.\nAnd also this one here."),
]

REAL = [
    ("CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz", [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 380, 610, 686, 688, 690]),
    ("cc_en_head-0091.jsonl.gz", [0, 4]),
    ("cc_en_head-0174.jsonl.gz", [1]),
    ("provided-documents-000.json.gz", [0, 7]),
]


FRAGMENTS = [
    "Hello", "world", "U.S.", "Mr.", "e.g.", "3.88", "$4", "1,000", "3,36", "50%", "#tag", "@user", "a&b",
    "can't", "won't", "I'm", "you're", "they'll", "we've", "she'd", "it's", "James'", "rock'n'roll",
    "cannot", "gonna", "gimme", "lemme", "wanna", "'tis", "'twas", "d'ye", "more'n", "whaddya",
    "\"", "\"quoted\"", "''", "``", "`", "'", "'a", "'x'", "«", "»", "“", "”", "‘", "’", "„",
    "(", ")", "[", "]", "{", "}", "<", ">", "--", "-", "—", "...", "..", "…", ".", ",", ":", ";", "?", "!",
    "?!", "*", "**", "end.", "end.)", "end.\"", "x:y", "a,b", "http://x.org/a?b=c", "www.example.com",
    "O'Neil", "Ça", "naïve", "東京", "١٢٣", "word", "The", "and", "of", "to",
]


def random_cases(n, seed):
    import random
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        k = rnd.randint(1, 12)
        parts = []
        for _ in range(k):
            parts.append(rnd.choice(FRAGMENTS))
            parts.append(rnd.choice([" ", " ", " ", "", "  ", "\n", "\t"]))
        out.append("".join(parts))
    return out


def main():
    corpus = sys.argv[1]
    cases = []
    for name, text in HAND:
        cases.append({"name": name, "text": text})
    for fname, idxs in REAL:
        with gzip.open(os.path.join(corpus, fname), "rt", encoding="utf-8") as f:
            docs = [json.loads(l) for l in f if l.strip()]
        for i in idxs:
            cases.append({"name": "%s#%d" % (fname, i), "file": fname, "index": i, "id": docs[i]["id"], "_text": docs[i]["text"]})
    out = []
    global LANG
    for c in cases:
        LANG = "en"
        if c["name"].startswith("ja:"):
            LANG = "ja"
        c["lang"] = LANG
        text = c.pop("_text", None)
        if text is None:
            text = c["text"]
        res = dict(c)
        res["tokens"] = word_tokenize(text) if len(text) < 400 and LANG == "en" else None
        if "file" in c:  # real documents must be English-like (Latin letters)
            letters = [ch for ch in text if ch.isalpha()]
            assert sum(ch.isascii() for ch in letters) >= 0.9 * len(letters), c["name"]
        res["sentences"] = len(sentences(text))
        for profile in ("datatrove", "dolma"):
            p = {}
            s, r = gopher_quality(text, profile); p["gopher_quality"] = {"signals": s, "rule": r}
            s, r = gopher_repetition(text, profile); p["gopher_repetition"] = {"signals": s, "rule": r}
            s, r = fineweb_quality(text, profile); p["fineweb_quality"] = {"signals": s, "rule": r}
            s, r, t = c4_quality(text, profile); p["c4_quality"] = {"signals": s, "rule": r, "text": t}
            s, r = c4_badwords(text); p["c4_badwords"] = {"signals": s, "rule": r}
            res[profile] = p
        if res["tokens"] is None:
            del res["tokens"]
        out.append(res)
    tokens = [{"text": t, "treebank": treebank(t), "words": word_tokenize(t)} for t in random_cases(600, 20240601)]
    json.dump({"generator": "internal/quality/testdata/reference/reference.py", "cases": out, "tokens": tokens},
              sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
