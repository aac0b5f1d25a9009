package extract

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"winnow"
)

func docWith(html string) *winnow.Doc {
	return &winnow.Doc{ID: "d", Payload: []byte(html)}
}

func docs(d ...*winnow.Doc) []*winnow.Doc { return d }

func TestStageProcess(t *testing.T) {
	good := page(`<article>` + article + `</article>`)
	latin1 := "<html><head><meta charset=\"iso-8859-1\"><title>x</title></head><body><article><p>Caf\xe9 " +
		strings.Repeat("owners and bakers of the old market town met on Monday. ", 8) + "</p></article></body></html>"
	tests := []struct {
		name        string
		cfg         func(*Config)
		doc         *winnow.Doc
		wantDrop    string
		wantValue   float64
		wantText    string // substring
		wantCharset string
		wantSource  string
	}{
		{
			name:        "article",
			doc:         docWith(good),
			wantText:    "old stone bridge",
			wantCharset: "utf-8",
			wantSource:  "default",
		},
		{
			name:        "http charset from metadata",
			doc:         &winnow.Doc{Payload: []byte(latin1), Metadata: winnow.Metadata{ContentType: "text/html; charset=ISO-8859-1"}},
			wantText:    "Café owners",
			wantCharset: "windows-1252",
			wantSource:  "http",
		},
		{
			name:        "meta charset",
			doc:         docWith(latin1),
			wantText:    "Café owners",
			wantCharset: "windows-1252",
			wantSource:  "meta",
		},
		{
			name:     "no payload passes untouched",
			doc:      &winnow.Doc{Text: "already text"},
			wantText: "already text",
		},
		{
			name:      "too large",
			cfg:       func(c *Config) { c.MaxPayloadBytes = 100 },
			doc:       docWith(good),
			wantDrop:  "extract/too_large",
			wantValue: float64(len(good)),
		},
		{
			name:      "empty",
			doc:       docWith("<html><body></body></html>"),
			wantDrop:  "extract/empty",
			wantValue: 0,
		},
		{
			name:      "shorter than min_text_chars",
			cfg:       func(c *Config) { c.MinTextChars = 100000 },
			doc:       docWith(good),
			wantDrop:  "extract/empty",
			wantValue: float64(len([]rune(mustExtract(t, good)))),
		},
		{
			name:     "replacement encoding",
			doc:      &winnow.Doc{Payload: []byte(good), Metadata: winnow.Metadata{ContentType: "text/html; charset=iso-2022-kr"}},
			wantDrop: "extract/charset",
		},
		{
			name:        "no timeout budget",
			cfg:         func(c *Config) { c.Timeout = 0 },
			doc:         docWith(good),
			wantText:    "old stone bridge",
			wantCharset: "utf-8",
			wantSource:  "default",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			s, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			out, err := s.Process(t.Context(), docs(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 1 || out[0] != tc.doc {
				t.Fatalf("Process returned %d documents, want the one given", len(out))
			}
			d := tc.doc
			if d.Payload != nil {
				t.Error("payload not released")
			}
			if tc.wantDrop != "" {
				if d.Drop == nil || d.Drop.Reason() != tc.wantDrop {
					t.Fatalf("drop = %+v, want %s", d.Drop, tc.wantDrop)
				}
				if tc.wantValue != 0 && d.Drop.Value != tc.wantValue {
					t.Errorf("drop value = %v, want %v", d.Drop.Value, tc.wantValue)
				}
				return
			}
			if d.Drop != nil {
				t.Fatalf("unexpected drop %+v", d.Drop)
			}
			if !strings.Contains(d.Text, tc.wantText) {
				t.Errorf("text lacks %q:\n%s", tc.wantText, d.Text)
			}
			if d.Metadata.Charset != tc.wantCharset || d.Metadata.CharsetSource != tc.wantSource {
				t.Errorf("charset = %q/%q, want %q/%q", d.Metadata.Charset, d.Metadata.CharsetSource, tc.wantCharset, tc.wantSource)
			}
		})
	}
}

func mustExtract(t *testing.T, html string) string {
	t.Helper()
	r, err := Extract([]byte(html), "", "", DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return r.Text
}

// withExtractFunc replaces the extractor for one test.
func withExtractFunc(t *testing.T, f func([]byte, string, string, Config) (Result, error)) {
	t.Helper()
	old := extractFunc
	extractFunc = f
	t.Cleanup(func() { extractFunc = old })
}

func TestStagePanicAndError(t *testing.T) {
	withExtractFunc(t, func(b []byte, _, _ string, cfg Config) (Result, error) {
		switch string(b) {
		case "panic":
			panic("index out of range [3] with length 2")
		case "error":
			return Result{}, errors.New("extract: trafilatura: broken")
		}
		return Extract(b, "", "", cfg)
	})
	for _, timeout := range []time.Duration{0, time.Second} {
		cfg := DefaultConfig()
		cfg.Timeout = timeout
		s, _ := New(cfg)
		p, e, ok := docWith("panic"), docWith("error"), docWith(page(`<article>`+article+`</article>`))
		if _, err := s.Process(t.Context(), docs(p, e, ok)); err != nil {
			t.Fatal(err)
		}
		if p.Drop == nil || p.Drop.Reason() != "extract/panic" || !strings.Contains(p.Drop.Detail, "index out of range") {
			t.Errorf("timeout %v: panic drop = %+v", timeout, p.Drop)
		}
		if e.Drop == nil || e.Drop.Reason() != "extract/error" || e.Drop.Detail != "extract: trafilatura: broken" {
			t.Errorf("timeout %v: error drop = %+v", timeout, e.Drop)
		}
		if ok.Drop != nil || !strings.Contains(ok.Text, "old stone bridge") {
			t.Errorf("timeout %v: the good document after a panic was lost: %+v %q", timeout, ok.Drop, ok.Text)
		}
	}
}

func TestStageTimeout(t *testing.T) {
	release := make(chan struct{})
	var running atomic.Int32
	withExtractFunc(t, func(b []byte, _, _ string, cfg Config) (Result, error) {
		if string(b) == "hang" {
			running.Add(1)
			defer running.Add(-1)
			<-release
			return Result{Text: "late"}, nil
		}
		return Extract(b, "", "", cfg)
	})
	defer close(release)

	cfg := DefaultConfig()
	cfg.Timeout = 20 * time.Millisecond
	s, _ := New(cfg)
	h, ok := docWith("hang"), docWith(page(`<article>`+article+`</article>`))
	start := time.Now()
	if _, err := s.Process(t.Context(), docs(h, ok)); err != nil {
		t.Fatal(err)
	}
	if h.Drop == nil || h.Drop.Reason() != "extract/timeout" {
		t.Fatalf("drop = %+v, want extract/timeout", h.Drop)
	}
	if h.Drop.Value < 20 || h.Drop.Value > 1000 {
		t.Errorf("timeout drop value %v ms, want the elapsed time (>= 20 ms)", h.Drop.Value)
	}
	if h.Text != "" {
		t.Errorf("timed-out document has text %q", h.Text)
	}
	if ok.Drop != nil || !strings.Contains(ok.Text, "old stone bridge") {
		t.Errorf("document after the timeout: %+v %q", ok.Drop, ok.Text)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Process took %v with a 20 ms budget", d)
	}

	// Fill the abandoned slots: the next hanging page must wait for a slot
	// rather than leave another goroutine behind, and give up when the
	// run is cancelled.
	for range maxAbandoned - 1 {
		d := docWith("hang")
		if _, err := s.Process(t.Context(), docs(d)); err != nil {
			t.Fatal(err)
		}
	}
	if n := int(running.Load()); n != maxAbandoned {
		t.Fatalf("%d abandoned extractions running, want %d", n, maxAbandoned)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := s.Process(ctx, docs(docWith("hang")))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with all slots taken Process returned %v, want the context's error", err)
	}
	if len(abandonedSlots) != maxAbandoned {
		t.Errorf("%d slots taken, want %d", len(abandonedSlots), maxAbandoned)
	}
}
