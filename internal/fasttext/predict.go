package fasttext

import (
	"math"
	"strings"
	"sync"
)

// Prediction is one label with its probability in [0, 1].
//
// Like `fasttext predict-prob`, Prob is exp(log(p + 1e-5)), so it is the
// model's probability plus about 1e-5 (loss.cc std_log).
type Prediction struct {
	Label string
	Prob  float32
}

const (
	sigmoidTableSize = 512 // loss.cc SIGMOID_TABLE_SIZE
	maxSigmoid       = 8   // loss.cc MAX_SIGMOID
)

// scratch holds the per-call buffers of Predict.
type scratch struct {
	words  []int32
	hashes []int32
	hidden []float32
	output []float32
	heap   []scored
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Predict returns up to k labels of text with probability >= threshold,
// most probable first, as `fasttext predict-prob` prints them for the
// same line. k <= 0 means all labels.
//
// text is one line: a '\n' ends it (the rest is ignored, as fastText reads
// the rest as the next line), and the end-of-sentence token is added at
// its end as fastText does for every line; callers that want the whole
// text replace newlines with spaces first, as datatrove's LanguageFilter
// does. A text with no tokens still has "</s>" and gets a prediction.
func (m *Model) Predict(text string, k int, threshold float32) []Prediction {
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	heap := m.predict(s, text, k, threshold)
	if len(heap) == 0 {
		return nil
	}
	out := make([]Prediction, len(heap))
	for i, p := range heap {
		out[i] = Prediction{
			Label: m.dict.words[int(m.dict.nwords)+int(p.label)].word,
			Prob:  float32(math.Exp(float64(p.score))),
		}
	}
	return out
}

// Label returns the most probable label and its probability, or "" and 0
// when the model has no label with probability >= threshold.
func (m *Model) Label(text string, threshold float32) (string, float32) {
	p := m.Predict(text, 1, threshold)
	if len(p) == 0 {
		return "", 0
	}
	return p[0].Label, p[0].Prob
}

// Prob returns the probability of one label (with or without its
// "__label__" prefix) for text, under the model's output layer (for a
// one-vs-all model the labels' probabilities are independent). It
// returns 0 when the model has no such label.
func (m *Model) Prob(text, label string) float32 {
	for _, p := range m.Predict(text, 0, 0) {
		if p.Label == label || strings.TrimPrefix(p.Label, labelStart) == label {
			return p.Prob
		}
	}
	return 0
}

func (m *Model) predict(s *scratch, text string, k int, threshold float32) []scored {
	s.words, s.hashes = m.dict.line(text, s.words[:0], s.hashes[:0])
	s.heap = s.heap[:0]
	if len(s.words) == 0 || m.nlabels == 0 {
		return nil
	}
	if k <= 0 || k > int(m.nlabels) {
		k = int(m.nlabels)
	}
	dim := int(m.args.dim)
	if cap(s.hidden) < dim {
		s.hidden = make([]float32, dim)
	}
	hidden := s.hidden[:dim]
	clear(hidden)
	for _, w := range s.words {
		m.input.addRow(hidden, w)
	}
	// Vector::mul(1.0 / rows.size()): the scale is computed in double,
	// then rounded to float.
	scale := float32(1.0 / float64(len(s.words)))
	for i := range hidden {
		hidden[i] *= scale
	}
	switch m.args.loss {
	case lossHS:
		s.heap = m.dfs(k, threshold, int32(2*m.nlabels-2), 0, s.heap, hidden)
	default:
		n := int(m.nlabels)
		if cap(s.output) < n {
			s.output = make([]float32, n)
		}
		out := s.output[:n]
		for i := range out {
			out[i] = m.output.dotRow(hidden, int32(i))
		}
		if m.args.loss == lossSoftmax {
			softmax(out)
		} else {
			for i, v := range out {
				out[i] = m.sigmoidAt(v)
			}
		}
		s.heap = findKBest(k, threshold, s.heap, out)
	}
	sortHeap(s.heap)
	return s.heap
}

// softmax is SoftmaxLoss::computeOutput.
func softmax(out []float32) {
	mx := out[0]
	for _, v := range out {
		mx = max(v, mx)
	}
	var z float32
	for i, v := range out {
		out[i] = expf(v - mx)
		z += out[i]
	}
	for i := range out {
		out[i] /= z
	}
}

// expf is the float overload of std::exp.
func expf(x float32) float32 { return float32(math.Exp(float64(x))) }

// stdLog is loss.cc std_log: log(x + 1e-5) with x a float and the sum in
// double.
func stdLog(x float32) float32 { return float32(math.Log(float64(x) + 1e-5)) }

func (m *Model) initSigmoid() {
	for i := range m.sigmoid {
		x := float32(i*2*maxSigmoid)/sigmoidTableSize - maxSigmoid
		m.sigmoid[i] = float32(1.0 / (1.0 + float64(expf(-x))))
	}
}

// sigmoidAt is Loss::sigmoid: a 512-entry table over [-8, 8].
func (m *Model) sigmoidAt(x float32) float32 {
	switch {
	case x < -maxSigmoid:
		return 0
	case x > maxSigmoid:
		return 1
	case x != x: // NaN: fastText would have thrown; score it 0
		return 0
	}
	return m.sigmoid[int64((x+maxSigmoid)*sigmoidTableSize/maxSigmoid/2)]
}

// findKBest is Loss::findKBest.
func findKBest(k int, threshold float32, heap []scored, out []float32) []scored {
	for i, v := range out {
		if v < threshold {
			continue
		}
		if len(heap) == k && stdLog(v) < heap[0].score {
			continue
		}
		heap = append(heap, scored{stdLog(v), int32(i)})
		pushHeap(heap)
		if len(heap) > k {
			popHeap(heap)
			heap = heap[:len(heap)-1]
		}
	}
	return heap
}

// hsNode is a node of the hierarchical-softmax Huffman tree.
type hsNode struct {
	left, right int32
	count       int64
}

// buildTree is HierarchicalSoftmaxLoss::buildTree: leaves are the labels
// in dictionary order (sorted by decreasing count), inner nodes follow.
func buildTree(counts []int64) []hsNode {
	osz := int32(len(counts))
	if osz == 0 {
		return nil
	}
	tree := make([]hsNode, 2*osz-1)
	for i := range tree {
		tree[i] = hsNode{left: -1, right: -1, count: 1e15}
	}
	for i := range osz {
		tree[i].count = counts[i]
	}
	leaf, node := osz-1, osz
	for i := osz; i < 2*osz-1; i++ {
		var mini [2]int32
		for j := range mini {
			if leaf >= 0 && tree[leaf].count < tree[node].count {
				mini[j] = leaf
				leaf--
			} else {
				mini[j] = node
				node++
			}
		}
		tree[i].left, tree[i].right = mini[0], mini[1]
		tree[i].count = tree[mini[0]].count + tree[mini[1]].count
	}
	return tree
}

// dfs is HierarchicalSoftmaxLoss::dfs.
func (m *Model) dfs(k int, threshold float32, node int32, score float32, heap []scored, hidden []float32) []scored {
	if score < stdLog(threshold) {
		return heap
	}
	if len(heap) == k && score < heap[0].score {
		return heap
	}
	t := m.tree[node]
	if t.left == -1 && t.right == -1 {
		heap = append(heap, scored{score, node})
		pushHeap(heap)
		if len(heap) > k {
			popHeap(heap)
			heap = heap[:len(heap)-1]
		}
		return heap
	}
	f := m.output.dotRow(hidden, node-m.nlabels)
	f = float32(1.0 / float64(1+expf(-f)))
	heap = m.dfs(k, threshold, t.left, score+stdLog(float32(1.0-float64(f))), heap, hidden)
	return m.dfs(k, threshold, t.right, score+stdLog(f), heap, hidden)
}
