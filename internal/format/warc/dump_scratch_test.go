package warc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"winnow"
)

func TestScratchDump(t *testing.T) {
	files, _ := filepath.Glob("/work/shared/corpus/warc/*/*")
	for _, f := range files {
		if strings.HasSuffix(f, ".md") || strings.HasSuffix(f, ".test") || strings.Contains(f, "jsonl") {
			continue
		}
		r, err := Open(f)
		if err != nil {
			fmt.Println(f, "OPEN", err)
			continue
		}
		docs, perrs := 0, 0
		var msgs []string
		for {
			d, err := r.Next()
			if err == io.EOF {
				break
			}
			var pe *winnow.ParseError
			if errors.As(err, &pe) {
				perrs++
				msgs = append(msgs, pe.Error())
				continue
			}
			if err != nil {
				msgs = append(msgs, "FATAL "+err.Error())
				break
			}
			docs++
			if os.Getenv("V") != "" {
				fmt.Printf("   doc %s %v %q len=%d text=%d ct=%q created=%q\n", d.ID, d.Pos, d.Metadata.URL, len(d.Payload), len(d.Text), d.Metadata.ContentType, d.Created)
			}
		}
		fmt.Println(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), "docs", docs, "perrs", perrs, r.(*Reader).Skipped())
		for _, m := range msgs {
			fmt.Println("   ", m)
		}
		r.Close()
	}
}
