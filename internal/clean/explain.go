package clean

import (
	"fmt"
	"io"
	"strings"
)

// Explain writes a plain-text account of one document's cleaning: the
// input, the input with each repaired run marked as [-old-]{+new+}, the
// output, and the repaired text with each removed span marked as
// [-text-]{rule}, followed by the list of edits. It returns the first
// write error.
func Explain(w io.Writer, before string, res Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "== input (%d bytes)\n%s\n", len(before), before)
	if res.Repaired != before {
		fmt.Fprintf(&b, "== after unicode repair (%d bytes)\n%s\n", len(res.Repaired), res.Repaired)
		// Each repaired run of the input, marked as [-old-]{+new+}.
		b.WriteString("== repairs\n")
		last, shift := 0, 0
		for _, e := range res.Edits {
			if e.Rule != RuleUnicode {
				continue
			}
			start := e.Start - shift // edits are offsets after the earlier repairs
			b.WriteString(before[last:start])
			fmt.Fprintf(&b, "[-%s-]{+%s+}", e.Text, e.Repl)
			last = start + len(e.Text)
			shift += len(e.Repl) - len(e.Text)
		}
		b.WriteString(before[last:])
		b.WriteString("\n")
	}
	if res.Drop != nil {
		fmt.Fprintf(&b, "== dropped: %s (value %g) %s\n", res.Drop.Reason(), res.Drop.Value, res.Drop.Detail)
	}
	fmt.Fprintf(&b, "== output (%d bytes)\n%s\n", len(res.Text), res.Text)
	b.WriteString("== removals\n")
	last := 0
	for _, s := range res.spans {
		b.WriteString(res.Repaired[last:s.start])
		fmt.Fprintf(&b, "[-%s-]{%s}", res.Repaired[s.start:s.end], s.rule)
		last = s.end
	}
	b.WriteString(res.Repaired[last:])
	b.WriteString("\n== edits\n")
	for i, e := range res.Edits {
		fmt.Fprintf(&b, "%d\t%s\t[%d,%d)\t%q", i+1, e.Rule, e.Start, e.End, e.Text)
		if e.Rule == RuleUnicode {
			fmt.Fprintf(&b, " -> %q", e.Repl)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
