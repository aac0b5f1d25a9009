package fasttext

import (
	"errors"
	"fmt"
)

// matrix is fastText's Matrix: rows of dim float32 values, dense or
// product-quantized.
type matrix interface {
	rows() int64
	cols() int64
	// addRow adds row i to x (Matrix::addRowToVector).
	addRow(x []float32, i int32)
	// dotRow returns the dot product of row i with x (Matrix::dotRow).
	dotRow(x []float32, i int32) float32
}

func loadMatrix(p *parser, quant bool) (matrix, error) {
	if quant {
		return loadQuant(p)
	}
	return loadDense(p)
}

// dense is DenseMatrix: m rows of n float32, row-major.
type dense struct {
	m, n int64
	data []float32
}

func loadDense(p *parser) (*dense, error) {
	d := &dense{m: p.i64(), n: p.i64()}
	if p.err != nil {
		return nil, p.err
	}
	if d.m < 0 || d.n <= 0 || d.m > p.left/4/d.n {
		return nil, fmt.Errorf("bad dense matrix shape %dx%d: %w", d.m, d.n, errTruncated)
	}
	d.data = p.floats(d.m * d.n)
	if p.err != nil {
		return nil, p.err
	}
	return d, nil
}

func (d *dense) rows() int64 { return d.m }
func (d *dense) cols() int64 { return d.n }

func (d *dense) addRow(x []float32, i int32) {
	row := d.data[int64(i)*d.n : (int64(i)+1)*d.n]
	x = x[:len(row)]
	for j, v := range row {
		x[j] += v
	}
}

func (d *dense) dotRow(x []float32, i int32) float32 {
	row := d.data[int64(i)*d.n : (int64(i)+1)*d.n]
	x = x[:len(row)]
	var s float32
	for j, v := range row {
		s += float32(v * x[j])
	}
	return s
}

// quantMatrix is QuantMatrix: each row is nsubq one-byte codes into a
// product quantizer, optionally scaled by a quantized norm.
type quantMatrix struct {
	m, n      int64
	codes     []uint8
	pq        *productQuantizer
	normCodes []uint8
	npq       *productQuantizer // nil unless the norms are quantized
}

func loadQuant(p *parser) (*quantMatrix, error) {
	q := &quantMatrix{}
	qnorm := p.u8() != 0
	q.m, q.n = p.i64(), p.i64()
	codesize := p.i32()
	if p.err != nil {
		return nil, p.err
	}
	if q.m < 0 || q.n <= 0 || codesize < 0 {
		return nil, fmt.Errorf("bad quantized matrix shape %dx%d, %d codes", q.m, q.n, codesize)
	}
	q.codes = p.bytes(int64(codesize))
	var err error
	if q.pq, err = loadPQ(p); err != nil {
		return nil, err
	}
	if q.pq.dim != int32(q.n) || int64(codesize) != q.m*int64(q.pq.nsubq) {
		return nil, fmt.Errorf("product quantizer of dim %d and %d sub-quantizers does not fit %dx%d with %d codes",
			q.pq.dim, q.pq.nsubq, q.m, q.n, codesize)
	}
	if qnorm {
		q.normCodes = p.bytes(q.m)
		if q.npq, err = loadPQ(p); err != nil {
			return nil, err
		}
		if q.npq.dim < 1 {
			return nil, errors.New("empty norm quantizer")
		}
	}
	return q, p.err
}

func (q *quantMatrix) rows() int64 { return q.m }
func (q *quantMatrix) cols() int64 { return q.n }

func (q *quantMatrix) norm(i int32) float32 {
	if q.npq == nil {
		return 1
	}
	return q.npq.centroid(0, q.normCodes[i])[0]
}

func (q *quantMatrix) addRow(x []float32, i int32) { q.pq.addCode(x, q.codes, i, q.norm(i)) }

func (q *quantMatrix) dotRow(x []float32, i int32) float32 {
	return q.pq.mulCode(x, q.codes, i, q.norm(i))
}

// productQuantizer is ProductQuantizer: nsubq sub-quantizers of dsub
// dimensions (the last one lastdsub), 256 centroids each.
type productQuantizer struct {
	dim, nsubq, dsub, lastdsub int32
	centroids                  []float32
}

func loadPQ(p *parser) (*productQuantizer, error) {
	q := &productQuantizer{dim: p.i32(), nsubq: p.i32(), dsub: p.i32(), lastdsub: p.i32()}
	if p.err != nil {
		return nil, p.err
	}
	if q.dim <= 0 || q.nsubq <= 0 || q.dsub <= 0 || q.lastdsub <= 0 ||
		int64(q.nsubq-1)*int64(q.dsub)+int64(q.lastdsub) != int64(q.dim) {
		return nil, fmt.Errorf("bad product quantizer: dim %d, %d sub-quantizers of %d (last %d)",
			q.dim, q.nsubq, q.dsub, q.lastdsub)
	}
	q.centroids = p.floats(int64(q.dim) * ksub)
	return q, p.err
}

// centroid returns centroid i of sub-quantizer m
// (ProductQuantizer::get_centroids).
func (q *productQuantizer) centroid(m int32, i uint8) []float32 {
	if m == q.nsubq-1 {
		off := int(m)*ksub*int(q.dsub) + int(i)*int(q.lastdsub)
		return q.centroids[off : off+int(q.lastdsub)]
	}
	off := (int(m)*ksub + int(i)) * int(q.dsub)
	return q.centroids[off : off+int(q.dsub)]
}

func (q *productQuantizer) addCode(x []float32, codes []uint8, t int32, alpha float32) {
	code := codes[int(q.nsubq)*int(t):]
	for m := int32(0); m < q.nsubq; m++ {
		c := q.centroid(m, code[m])
		xs := x[int(m)*int(q.dsub):]
		for j, v := range c {
			xs[j] += float32(alpha * v)
		}
	}
}

func (q *productQuantizer) mulCode(x []float32, codes []uint8, t int32, alpha float32) float32 {
	code := codes[int(q.nsubq)*int(t):]
	var res float32
	for m := int32(0); m < q.nsubq; m++ {
		c := q.centroid(m, code[m])
		xs := x[int(m)*int(q.dsub):]
		for j, v := range c {
			res += float32(xs[j] * v)
		}
	}
	return res * alpha
}
