package eval

import (
	"bytes"
	"net/url"

	"github.com/markusmobius/go-trafilatura"

	"winnow/internal/clean"
	"winnow/internal/extract"
)

// HTMLPath is winnow's own HTML path as an Extractor: extract.Extract
// (charset detection, main-content extraction, one line per block) with
// ecfg, then, when ccfg is non-nil, the clean step (clean.Clean). A page
// the clean step drops gives "" as its text, as the pipeline would drop
// the document. The page's Content-Type is unknown to the benchmarks, so
// the charset comes from the BOM, <meta> or detection.
func HTMLPath(ecfg extract.Config, ccfg *clean.Config) Extractor {
	return func(html []byte, url string) (string, error) {
		r, err := extract.Extract(html, "", url, ecfg)
		if err != nil {
			return "", err
		}
		if ccfg == nil || r.Text == "" {
			return r.Text, nil
		}
		c := clean.Clean(r.Text, *ccfg)
		if c.Drop != nil {
			return "", nil
		}
		return c.Text, nil
	}
}

// GoTrafilatura is the baseline: github.com/markusmobius/go-trafilatura
// v1.12.2 run as its own README shows (trafilatura.Extract on the raw
// bytes, its own charset detection, default options, comments excluded
// as in the benchmarks' runners), returning its ContentText; fallback
// turns on its readability and dom-distiller fallbacks.
func GoTrafilatura(fallback bool) Extractor {
	return func(html []byte, pageURL string) (string, error) {
		opts := trafilatura.Options{EnableFallback: fallback, ExcludeComments: true}
		if u, err := url.Parse(pageURL); err == nil && u.IsAbs() {
			opts.OriginalURL = u
		}
		r, err := trafilatura.Extract(bytes.NewReader(html), opts)
		if err != nil {
			return "", err
		}
		return r.ContentText, nil
	}
}
