package eval

import (
	"slices"
	"strings"
)

// ShingleN is the shingle length of Scrapinghub's benchmark
// (evaluate.py, string_shingle_matching ngram_n=4).
const ShingleN = 4

// Counts is one document's true positives, false positives and false
// negatives over shingles, normalised to sum to 1 (all 0 when both texts
// have no token).
type Counts struct {
	TP, FP, FN float64
}

// shingles counts the ShingleN-token shingles of s (Words tokens): a text
// of 1 to ShingleN-1 tokens gives one shorter shingle, an empty text none
// (evaluate.py, _ngrams and _all_shingles).
func shingles(s string) map[string]int {
	toks := Words(s)
	out := make(map[string]int, len(toks))
	if len(toks) == 0 {
		return out
	}
	for i := 0; i < max(1, len(toks)-ShingleN+1); i++ {
		// Tokens never hold a space, so the joined shingle is unambiguous.
		out[strings.Join(toks[i:min(len(toks), i+ShingleN)], " ")]++
	}
	return out
}

// ShingleCounts compares an extracted text with the ground truth as
// Scrapinghub's evaluate.py (string_shingle_matching) does: over the
// multisets of 4-token shingles, TP = Σ min(true, pred), FP = Σ excess
// predicted, FN = Σ missing; then TP, FP, FN are divided by their sum so
// that long pages do not weigh more than short ones.
func ShingleCounts(truth, pred string) Counts {
	st, sp := shingles(truth), shingles(pred)
	var c Counts
	for k, nt := range st {
		np := sp[k]
		c.TP += float64(min(nt, np))
		c.FN += float64(max(0, nt-np))
	}
	for k, np := range sp {
		c.FP += float64(max(0, np-st[k]))
	}
	if s := c.TP + c.FP + c.FN; s > 0 {
		c.TP, c.FP, c.FN = c.TP/s, c.FP/s, c.FN/s
	}
	return c
}

// TokensEqual is Scrapinghub's per-document "accuracy": the two texts have
// the same Words tokens (evaluate.py, get_accuracy).
func TokensEqual(truth, pred string) bool {
	return slices.Equal(Words(truth), Words(pred))
}

// Precision is evaluate.py's precision_score: 1 when FP = FN = 0, 0 when
// TP = FP = 0, else TP/(TP+FP).
func (c Counts) Precision() float64 {
	switch {
	case c.FP == 0 && c.FN == 0:
		return 1
	case c.TP == 0 && c.FP == 0:
		return 0
	}
	return c.TP / (c.TP + c.FP)
}

// Recall is evaluate.py's recall_score: 1 when FP = FN = 0, 0 when
// TP = FN = 0, else TP/(TP+FN).
func (c Counts) Recall() float64 {
	switch {
	case c.FP == 0 && c.FN == 0:
		return 1
	case c.TP == 0 && c.FN == 0:
		return 0
	}
	return c.TP / (c.TP + c.FN)
}

// F1 is the per-document harmonic mean of Precision and Recall (0 when
// both are 0). The benchmark's own F1 is not a mean of these; see
// ShingleScore.
func (c Counts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Score is a benchmark's headline figures. Accuracy is the share of
// documents whose tokens equal the ground truth's (Scrapinghub) or
// (TP+TN)/all snippets (trafilatura); WCXB has none.
type Score struct {
	Precision, Recall, F1, Accuracy float64
}

// ShingleScore aggregates per-document counts as evaluate.py
// (metrics_from_tp_fp_fns) does: precision is the mean of Precision over
// the documents with TP+FP > 0 (an empty extraction does not count against
// precision), recall the mean of Recall over documents with TP+FN > 0, F1
// = 2PR/(P+R) of those two means. equal[i] says whether document i's
// tokens equal the truth's; Accuracy is their mean. It returns the zero
// Score for no documents.
func ShingleScore(docs []Counts, equal []bool) Score {
	var ps, rs float64
	var pn, rn int
	for _, c := range docs {
		if c.TP+c.FP > 0 {
			ps += c.Precision()
			pn++
		}
		if c.TP+c.FN > 0 {
			rs += c.Recall()
			rn++
		}
	}
	var s Score
	if pn > 0 {
		s.Precision = ps / float64(pn)
	}
	if rn > 0 {
		s.Recall = rs / float64(rn)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	var eq int
	for _, e := range equal {
		if e {
			eq++
		}
	}
	if len(equal) > 0 {
		s.Accuracy = float64(eq) / float64(len(equal))
	}
	return s
}
