// Package eval measures winnow's HTML extraction against three public
// main-content extraction benchmarks, each scored exactly as its upstream
// evaluation script defines it:
//
//   - Scrapinghub's article extraction benchmark (181 news and blog pages;
//     scrapinghub/article-extraction-benchmark, evaluate.py): 4-gram
//     shingle precision, recall and F1, normalised per document, averaged
//     over documents; see [ShingleCounts] and [ShingleScore].
//   - trafilatura's evaluation set (990 pages; adbar/trafilatura,
//     tests/eval_common.py): must-contain and must-not-contain snippets
//     counted over the whole corpus; see [CountSnippets].
//   - WCXB, the Web Content eXtraction Benchmark test split (511 pages of
//     7 page types; Murrough-Foley/web-content-extraction-benchmark,
//     evaluate.py): lower-cased bag-of-words precision, recall and F1 per
//     page, averaged over pages and per page type; see [WordF1].
//
// [Load] reads a benchmark folder laid out as in the shared corpus
// (extraction/SOURCES.md) and [Run] extracts every page with a caller's
// function and scores it. The package is single-threaded: Run measures
// pages per second per core.
package eval
