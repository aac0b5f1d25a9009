package eval

import "strings"

// Confusion is trafilatura's evaluation counts (tests/eval_common.py,
// ConfusionMatrix): TP must-contain snippets found, FN must-contain
// snippets missing, FP must-not-contain snippets found, TN
// must-not-contain snippets absent.
type Confusion struct {
	TP, FP, FN, TN int
}

// normSpace is eval_common.py's norm: every run of white space (Python's
// \s) becomes one space, and the ends are stripped.
func normSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, isPySpace), " ")
}

// isPySpace is Python 3's \s for str patterns: str.isspace(), which is
// Unicode White_Space plus the separators U+001C to U+001F.
func isPySpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680,
		0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200a
}

// CountSnippets scores one page as eval_common.py's count_item: with
// snippets found as substrings of the white-space-normalised text are TP,
// the others FN; without snippets found are FP, the others TN. ok false
// stands for a failed extraction (Python None): every with snippet is
// missed and every without snippet absent.
func CountSnippets(with, without []string, text string, ok bool) Confusion {
	var c Confusion
	if ok {
		t := normSpace(text)
		for _, w := range with {
			if strings.Contains(t, normSpace(w)) {
				c.TP++
			}
		}
		for _, w := range without {
			if strings.Contains(t, normSpace(w)) {
				c.FP++
			}
		}
	}
	c.FN = len(with) - c.TP
	c.TN = len(without) - c.FP
	return c
}

// Add adds o's counts to c.
func (c *Confusion) Add(o Confusion) {
	c.TP += o.TP
	c.FP += o.FP
	c.FN += o.FN
	c.TN += o.TN
}

// Score is eval_common.py's scores: precision TP/(TP+FP), recall
// TP/(TP+FN), accuracy (TP+TN)/all, F1 2TP/(2TP+FP+FN), each 0 when its
// denominator is 0.
func (c Confusion) Score() Score {
	var s Score
	if d := c.TP + c.FP; d > 0 {
		s.Precision = float64(c.TP) / float64(d)
	}
	if d := c.TP + c.FN; d > 0 {
		s.Recall = float64(c.TP) / float64(d)
	}
	if d := c.TP + c.TN + c.FP + c.FN; d > 0 {
		s.Accuracy = float64(c.TP+c.TN) / float64(d)
	}
	if d := 2*c.TP + c.FP + c.FN; d > 0 {
		s.F1 = 2 * float64(c.TP) / float64(d)
	}
	return s
}
