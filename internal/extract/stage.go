package extract

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
	"unicode/utf8"

	"winnow"
)

// Name is the stage name a config refers to and the Drop.Stage of its drops.
const Name = "extract"

// Drop rules of the stage (Drop.Rule).
const (
	RuleEmpty    = "empty"     // text shorter than MinTextChars; value = its length in runes
	RuleTimeout  = "timeout"   // extraction exceeded Timeout; value = elapsed ms
	RuleTooLarge = "too_large" // payload above MaxPayloadBytes; value = payload bytes
	RuleCharset  = "charset"   // undecodable payload
	RulePanic    = "panic"     // the extractor panicked; detail = the panic message
	RuleError    = "error"     // the extractor returned an error; detail = the message
)

// stage is the winnow.Stage built by New.
type stage struct {
	cfg Config
}

// New builds the extract stage from a validated configuration.
func New(cfg Config) (winnow.Stage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &stage{cfg: cfg}, nil
}

func (s *stage) Name() string { return Name }
func (s *stage) Close() error { return nil }

// Process extracts the text of every document that has a Payload: it sets
// Text, Metadata.Charset and Metadata.CharsetSource, and sets Payload to
// nil. Documents without a payload (JSONL, WET input) pass untouched.
// Pages that fail are dropped (extract/empty, timeout, too_large, charset,
// panic, error); one bad page never affects the others. The only error
// returned is ctx's, when the run is cancelled.
func (s *stage) Process(ctx context.Context, docs []*winnow.Doc) ([]*winnow.Doc, error) {
	for _, d := range docs {
		if d.Payload == nil || d.Drop != nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			return docs, err
		}
		if err := s.one(ctx, d); err != nil {
			return docs, err
		}
	}
	return docs, nil
}

// one processes one document; it returns only ctx's error.
func (s *stage) one(ctx context.Context, d *winnow.Doc) error {
	payload := d.Payload
	d.Payload = nil
	if s.cfg.MaxPayloadBytes > 0 && len(payload) > s.cfg.MaxPayloadBytes {
		d.SetDrop(Name, RuleTooLarge, float64(len(payload)),
			fmt.Sprintf("%d bytes > max_payload_bytes %d", len(payload), s.cfg.MaxPayloadBytes))
		return nil
	}
	start := time.Now()
	var o outcome
	if s.cfg.Timeout <= 0 {
		o = run(extractFunc, payload, d.Metadata.ContentType, d.Metadata.URL, s.cfg)
	} else {
		var done bool
		var err error
		o, done, err = runBudget(ctx, payload, d.Metadata.ContentType, d.Metadata.URL, s.cfg)
		if err != nil {
			return err
		}
		if !done {
			ms := float64(time.Since(start).Milliseconds())
			d.SetDrop(Name, RuleTimeout, ms, fmt.Sprintf("no result within %v", s.cfg.Timeout))
			return nil
		}
	}
	r := o.res
	if r.Charset != "" {
		d.Metadata.Charset = r.Charset
		d.Metadata.CharsetSource = r.CharsetSource
	}
	switch {
	case o.panicked != "":
		d.SetDrop(Name, RulePanic, 0, o.panicked)
	case errors.Is(o.err, ErrTooLarge):
		d.SetDrop(Name, RuleTooLarge, float64(len(payload)), o.err.Error())
	case errors.Is(o.err, ErrCharset):
		d.SetDrop(Name, RuleCharset, 0, o.err.Error())
	case o.err != nil:
		d.SetDrop(Name, RuleError, 0, o.err.Error())
	default:
		d.Text = r.Text
		if n := utf8.RuneCountInString(r.Text); n < s.cfg.MinTextChars || r.Text == "" {
			d.SetDrop(Name, RuleEmpty, float64(n), "")
		}
	}
	return nil
}

// outcome is the result of one extraction, panics included.
type outcome struct {
	res      Result
	err      error
	panicked string
}

// run calls extract (Extract, or a test's stand-in) and turns a panic
// into an outcome.
func run(extract func([]byte, string, string, Config) (Result, error), page []byte, contentType, url string, cfg Config) (o outcome) {
	defer func() {
		if p := recover(); p != nil {
			o = outcome{res: o.res, panicked: fmt.Sprint(p)}
		}
	}()
	o.res, o.err = extract(page, contentType, url, cfg)
	return o
}

// extractFunc is Extract; tests replace it to simulate a panicking or
// hanging extractor.
var extractFunc = Extract

// The time budget. go-trafilatura takes no context and cannot be
// interrupted, so the budget is enforced by running each extraction in a
// goroutine and no longer waiting for it once the budget is spent: the
// goroutine runs to completion in the background and its result is
// discarded. This is the one exception in winnow to "no goroutines in
// stage packages", documented here because there is no other way to bound
// the latency of a page short of a subprocess per page (which would cost
// more than the extraction itself, 6.5 ms/page).
//
// Abandoned extractions still use CPU and memory, so at most maxAbandoned
// of them may run at once in the process (shared by all Stage values): a
// timed-out page that finds no free slot makes its worker wait until a
// slot frees or the page itself finishes. A pathological input therefore
// slows the run down to the speed of its slowest pages instead of piling
// up goroutines without bound.
//
// Whether a page near the budget is kept depends on machine load, so a
// run with timeouts is not bit-for-bit reproducible; Drop.Value records
// the elapsed milliseconds so such drops can be spotted.
var abandonedSlots = make(chan struct{}, maxAbandoned)

// maxAbandoned is the bound on extractions left running after their
// budget expired: one per CPU, so background work never outnumbers the
// cores.
var maxAbandoned = max(1, runtime.GOMAXPROCS(0))

type job struct {
	mu        sync.Mutex
	finished  bool
	abandoned bool
	out       outcome
	done      chan struct{}
}

// runBudget runs one extraction under cfg.Timeout. done is false when the
// budget expired; err is ctx's error when the run was cancelled.
func runBudget(ctx context.Context, page []byte, contentType, url string, cfg Config) (o outcome, done bool, err error) {
	j := &job{done: make(chan struct{})}
	// extractFunc is read here, not in the goroutine, which may outlive
	// the call (a timed-out extraction) and the test that set it.
	extract := extractFunc
	go func() {
		out := run(extract, page, contentType, url, cfg)
		j.mu.Lock()
		j.out, j.finished = out, true
		release := j.abandoned
		j.mu.Unlock()
		close(j.done)
		if release {
			<-abandonedSlots
		}
	}()
	timer := time.NewTimer(cfg.Timeout)
	defer timer.Stop()
	select {
	case <-j.done:
		return j.out, true, nil
	case <-ctx.Done():
		// The run is being cancelled: the goroutine finishes on its own.
		return outcome{}, false, ctx.Err()
	case <-timer.C:
	}
	// Budget spent: register the job as abandoned, waiting for a free slot
	// if maxAbandoned are already running.
	select {
	case abandonedSlots <- struct{}{}:
		j.mu.Lock()
		if j.finished {
			j.mu.Unlock()
			<-abandonedSlots
		} else {
			j.abandoned = true
			j.mu.Unlock()
		}
	case <-j.done:
	case <-ctx.Done():
		return outcome{}, false, ctx.Err()
	}
	return outcome{}, false, nil
}
