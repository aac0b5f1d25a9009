// Package fasttext is a pure-Go port of fastText's supervised inference:
// it reads the .bin and quantized .ftz model files written by
// facebookresearch/fastText (format version 12, the one lid.176, GlotLID
// and the DCLM and FineWeb-Edu quality classifiers use) and predicts the
// k most probable labels of a line of text.
//
// The port follows fastText v0.9.2 src/ file by file, so that predictions
// equal those of `fasttext predict-prob`:
//
//   - args.cc Args::load: the 56-byte header of hyper-parameters;
//   - dictionary.cc: the vocabulary, its open-addressing index
//     (Dictionary::find, table size ceil(size/0.7)), the FNV-1a 32-bit hash
//     with the sign-extension quirk (h ^= uint32(int8(byte))), character
//     n-grams of "<word>" counted in UTF-8 code points (computeSubwords),
//     word n-gram hashing h = h*116049371 + hash (addWordNgrams), the
//     pruned-dictionary remapping of quantized models (pushHash, pruneidx_),
//     and getLine's tokenisation on the bytes " \n\r\t\v\f\0" with the
//     end-of-sentence token "</s>";
//   - densematrix.cc, quantmatrix.cc, productquantizer.cc: dense float32
//     rows and product-quantized rows (256 centroids per sub-quantizer,
//     optional quantized norms);
//   - model.cc, loss.cc: the hidden vector as the mean of the input rows,
//     and the three output layers: softmax, hierarchical softmax (Huffman
//     tree built from the label counts, depth-first search with pruning)
//     and one-vs-all / negative sampling (the 512-entry sigmoid table);
//     scores are std_log(p) = log(p + 1e-5) and findKBest keeps the k best
//     with libstdc++'s heap algorithms so that ties come out in the same
//     order as the reference.
//
// Arithmetic is float32 where fastText's `real` is float and float64 where
// the C++ promotes to double; products are rounded before they are added
// so that no platform fuses them.
//
// Only supervised models can predict; Load rejects word-vector models
// (cbow, skipgram) with an error.
package fasttext
