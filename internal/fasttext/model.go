package fasttext

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// File format constants from fastText src/fasttext.h.
const (
	magic      = 793712314 // FASTTEXT_FILEFORMAT_MAGIC_INT32
	version    = 12        // FASTTEXT_VERSION
	ksub       = 256       // ProductQuantizer::ksub_ (nbits_ = 8)
	labelStart = "__label__"
	eos        = "</s>"
)

// Model names and losses as fastText's args.h enums store them.
const (
	modelSup = 3 // model_name::sup (cbow = 1, sg = 2)

	lossHS      = 1
	lossNS      = 2
	lossSoftmax = 3
	lossOVA     = 4
)

// args is the header of a model file (args.cc Args::load).
type args struct {
	dim, ws, epoch, minCount, neg, wordNgrams int32
	loss, model                               int32
	bucket, minn, maxn, lrUpdateRate          int32
	t                                         float64
}

// Model is a loaded supervised fastText model. It is read-only after
// Load, so one Model may serve any number of goroutines.
type Model struct {
	args   args
	dict   dictionary
	input  matrix
	output matrix
	quant  bool

	nlabels int32
	tree    []hsNode // hierarchical softmax only

	sigmoid [sigmoidTableSize + 1]float32
}

// Dim returns the dimension of the model's vectors.
func (m *Model) Dim() int { return int(m.args.dim) }

// Labels returns the model's labels in output order, as stored (with
// their "__label__" prefix).
func (m *Model) Labels() []string {
	out := make([]string, m.nlabels)
	for i := range out {
		out[i] = m.dict.words[int(m.dict.nwords)+i].word
	}
	return out
}

// Quantized reports whether the model was read from a quantized (.ftz)
// file.
func (m *Model) Quantized() bool { return m.quant }

// Load reads a fastText model file (.bin or .ftz). The error names the
// file and says what is wrong: not a fastText file, a version newer than
// 12, a word-vector (unsupervised) model, a truncated or inconsistent file.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fasttext: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("fasttext: %w", err)
	}
	m, err := Read(bufio.NewReaderSize(f, 1<<20), st.Size())
	if err != nil {
		return nil, fmt.Errorf("fasttext: %s: %w", path, errors.Unwrap(err))
	}
	return m, nil
}

// Read parses a model from r, which holds size bytes (size bounds every
// allocation, so a corrupt header cannot ask for more memory than the
// file could hold).
func Read(r io.Reader, size int64) (*Model, error) {
	p := &parser{r: r, left: size}
	m, err := p.model()
	if err != nil {
		return nil, fmt.Errorf("fasttext: %w", err)
	}
	return m, nil
}

var errTruncated = errors.New("truncated model file")

// parser reads little-endian values and keeps count of the bytes left.
type parser struct {
	r    io.Reader
	left int64
	buf  [8]byte
	err  error
}

func (p *parser) read(n int) []byte {
	if p.err != nil {
		return p.buf[:n]
	}
	if int64(n) > p.left {
		p.err = errTruncated
		return p.buf[:n]
	}
	if _, err := io.ReadFull(p.r, p.buf[:n]); err != nil {
		p.err = errTruncated
	}
	p.left -= int64(n)
	return p.buf[:n]
}

func (p *parser) i32() int32   { return int32(binary.LittleEndian.Uint32(p.read(4))) }
func (p *parser) i64() int64   { return int64(binary.LittleEndian.Uint64(p.read(8))) }
func (p *parser) u8() uint8    { return p.read(1)[0] }
func (p *parser) f64() float64 { return math.Float64frombits(binary.LittleEndian.Uint64(p.read(8))) }

// need checks that n items of size bytes each can still be in the file.
func (p *parser) need(n, size int64) bool {
	if p.err != nil {
		return false
	}
	if n < 0 || (n > 0 && n > p.left/size) {
		p.err = errTruncated
		return false
	}
	return true
}

// bytes reads n raw bytes.
func (p *parser) bytes(n int64) []byte {
	if !p.need(n, 1) {
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(p.r, b); err != nil {
		p.err = errTruncated
		return nil
	}
	p.left -= n
	return b
}

// floats reads n little-endian float32 values in 64 KiB chunks.
func (p *parser) floats(n int64) []float32 {
	if !p.need(n, 4) {
		return nil
	}
	out := make([]float32, n)
	var chunk [1 << 16]byte
	for i := int64(0); i < n; {
		c := min(n-i, int64(len(chunk)/4))
		b := chunk[:c*4]
		if _, err := io.ReadFull(p.r, b); err != nil {
			p.err = errTruncated
			return nil
		}
		for j := range c {
			out[i+j] = math.Float32frombits(binary.LittleEndian.Uint32(b[j*4:]))
		}
		i += c
	}
	p.left -= n * 4
	return out
}

// cstring reads a NUL-terminated string (Dictionary::load).
func (p *parser) cstring() string {
	var b []byte
	for p.err == nil {
		c := p.u8()
		if p.err != nil || c == 0 {
			break
		}
		b = append(b, c)
	}
	return string(b)
}

func (p *parser) model() (*Model, error) {
	if p.i32() != magic || p.err != nil {
		return nil, errors.New("not a fasttext model file (bad magic number)")
	}
	ver := p.i32()
	if p.err != nil {
		return nil, p.err
	}
	if ver > version {
		return nil, fmt.Errorf("unsupported model version %d (newest known %d)", ver, version)
	}
	m := &Model{}
	a := &m.args
	for _, v := range []*int32{&a.dim, &a.ws, &a.epoch, &a.minCount, &a.neg, &a.wordNgrams,
		&a.loss, &a.model, &a.bucket, &a.minn, &a.maxn, &a.lrUpdateRate} {
		*v = p.i32()
	}
	a.t = p.f64()
	if p.err != nil {
		return nil, p.err
	}
	if ver == 11 && a.model == modelSup {
		// fasttext.cc loadModel: old supervised models use no char n-grams.
		a.maxn = 0
	}
	if a.model != modelSup {
		return nil, fmt.Errorf("model type %d is not a supervised classifier", a.model)
	}
	if a.dim <= 0 || a.bucket < 0 {
		return nil, fmt.Errorf("bad header: dim %d, bucket %d", a.dim, a.bucket)
	}
	switch a.loss {
	case lossHS, lossNS, lossSoftmax, lossOVA:
	default:
		return nil, fmt.Errorf("unknown loss %d", a.loss)
	}
	if err := m.dict.load(p, a); err != nil {
		return nil, err
	}
	m.nlabels = m.dict.nlabels

	var err error
	m.quant = p.u8() != 0
	if m.input, err = loadMatrix(p, m.quant); err != nil {
		return nil, fmt.Errorf("input matrix: %w", err)
	}
	if !m.quant && m.dict.pruneSize >= 0 {
		return nil, errors.New("pruned dictionary with a dense input matrix")
	}
	qout := p.u8() != 0
	if m.output, err = loadMatrix(p, m.quant && qout); err != nil {
		return nil, fmt.Errorf("output matrix: %w", err)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	if a.loss == lossHS {
		counts := m.dict.labelCounts()
		for _, c := range counts {
			// buildTree's unbuilt nodes count 1e15; a label as frequent
			// would make the construction run past the tree.
			if c >= 1e15 {
				return nil, fmt.Errorf("label count %d out of range", c)
			}
		}
		m.tree = buildTree(counts)
	}
	m.initSigmoid()
	return m, nil
}

// check verifies that every row the predictor can address exists, so a
// corrupt file fails at load time and never at prediction.
func (m *Model) check() error {
	in, out := m.input, m.output
	dim := int64(m.args.dim)
	if in.cols() != dim || out.cols() != dim {
		return fmt.Errorf("matrix width %d/%d differs from dim %d", in.cols(), out.cols(), dim)
	}
	need := int64(m.dict.nwords)
	if m.dict.pruneSize < 0 {
		need += int64(m.args.bucket)
	}
	for _, v := range m.dict.pruneIdx {
		need = max(need, int64(m.dict.nwords)+int64(v)+1)
	}
	if in.rows() < need {
		return fmt.Errorf("input matrix has %d rows, the dictionary addresses %d", in.rows(), need)
	}
	if out.rows() < int64(m.nlabels) {
		return fmt.Errorf("output matrix has %d rows for %d labels", out.rows(), m.nlabels)
	}
	return nil
}
