package eval

import "strings"

// WordF1 is WCXB's per-page score (evaluate.py, word_f1): both texts are
// lower-cased as Python does (see pyLower) and split into \w+ tokens
// (Words); overlap = Σ min(count in pred, count in ref) over the token
// bags; precision = overlap/|pred|, recall = overlap/|ref|. An empty
// reference scores 1, 1, 1 against an empty prediction and 0, 0, 0
// otherwise; an empty prediction scores 0, 0, 0.
func WordF1(pred, ref string) (p, r, f1 float64) {
	pt, rt := Words(pyLower(pred)), Words(pyLower(ref))
	if len(rt) == 0 {
		if len(pt) == 0 {
			return 1, 1, 1
		}
		return 0, 0, 0
	}
	if len(pt) == 0 {
		return 0, 0, 0
	}
	bag := make(map[string]int, len(rt))
	for _, t := range rt {
		bag[t]++
	}
	var overlap int
	for _, t := range pt {
		if bag[t] > 0 {
			bag[t]--
			overlap++
		}
	}
	p = float64(overlap) / float64(len(pt))
	r = float64(overlap) / float64(len(rt))
	if p+r > 0 {
		f1 = 2 * p * r / (p + r)
	}
	return p, r, f1
}

// SnippetRate is WCXB's snippet_check: the share of snippets found as
// substrings of the lower-cased text (1 for no snippets). Reported beside
// F1: with-rate (higher is better) and without-rate (lower is better).
func SnippetRate(text string, snippets []string) float64 {
	if len(snippets) == 0 {
		return 1
	}
	t := pyLower(text)
	var n int
	for _, s := range snippets {
		if strings.Contains(t, pyLower(s)) {
			n++
		}
	}
	return float64(n) / float64(len(snippets))
}
