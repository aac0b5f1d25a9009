package extract

import "testing"

// BenchmarkExtract extracts a fixed set of 20 pages of Scrapinghub's
// article extraction benchmark (the first 20 by id); bytes are HTML bytes.
func BenchmarkExtract(b *testing.B) {
	pages := loadAEB(b)[:20]
	var n int64
	for _, p := range pages {
		n += int64(len(p.html))
	}
	cfg := DefaultConfig()
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pages {
			if _, err := Extract(p.html, "", p.url, cfg); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*len(pages)), "ms/page")
}

// BenchmarkDetectCharset measures charset detection alone on the same pages.
func BenchmarkDetectCharset(b *testing.B) {
	pages := loadAEB(b)[:20]
	var n int64
	for _, p := range pages {
		n += int64(len(p.html))
	}
	b.SetBytes(n)
	for b.Loop() {
		for _, p := range pages {
			if _, err := detectCharset(p.html, ""); err != nil {
				b.Fatal(err)
			}
		}
	}
}
