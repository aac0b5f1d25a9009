package report

import (
	"sort"

	"winnow"
)

// Segment is a run of text in a side-by-side view; Rule is set on the
// spans a cleaning rule removed or replaced.
type Segment struct {
	Text string
	Rule string
	Repl string
}

// mark is a span [start, end) of the text before cleaning.
type mark struct {
	start, end int
	rule, repl string
}

// Before rebuilds the text before cleaning from the cleaned text and the
// edits that made it (winnow.Edit: Start and End index the text as it
// was before that edit; the span became Repl), undoing the edits from
// the last to the first. It returns the text cut into segments with the
// removed spans marked, and false when the edits do not fit the text (a
// later stage rewrote it, or it was truncated).
func Before(out string, edits []winnow.Edit) ([]Segment, bool) {
	text := out
	var marks []mark
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		if e.Start < 0 || e.End < e.Start || e.Start+len(e.Repl) > len(text) ||
			text[e.Start:e.Start+len(e.Repl)] != e.Repl || len(e.Text) != e.End-e.Start {
			return nil, false
		}
		shift := len(e.Text) - len(e.Repl)
		replEnd := e.Start + len(e.Repl)
		kept := marks[:0]
		for _, m := range marks {
			switch {
			case m.start >= replEnd:
				m.start += shift
				m.end += shift
			case m.end <= e.Start:
			default:
				continue // inside the span this edit produced: folded into it
			}
			kept = append(kept, m)
		}
		marks = append(kept, mark{e.Start, e.End, e.Rule, e.Repl})
		text = text[:e.Start] + e.Text + text[replEnd:]
	}
	sort.Slice(marks, func(i, j int) bool { return marks[i].start < marks[j].start })
	var segs []Segment
	pos := 0
	for _, m := range marks {
		if m.start < pos {
			continue
		}
		if m.start > pos {
			segs = append(segs, Segment{Text: text[pos:m.start]})
		}
		segs = append(segs, Segment{Text: text[m.start:m.end], Rule: m.rule, Repl: m.repl})
		pos = m.end
	}
	if pos < len(text) {
		segs = append(segs, Segment{Text: text[pos:]})
	}
	return segs, true
}
