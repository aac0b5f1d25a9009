package pipeline

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/klauspost/compress/zstd"

	"winnow/internal/run"
)

func TestMain(m *testing.M) {
	flag.Parse()
	beam.Init()
	m.Run()
}

// testConfig has cleaning, a quality filter and MinHash dedup, with a
// small batch size so that a file spans several batches.
const testConfig = `
batch_size: 64
steps:
  - clean
  - gopher_quality: {profile: datatrove}
  - minhash
`

// prose returns n words of English-looking prose that passes the Gopher
// quality rules (stop words, word lengths, alphabetic words): words drawn
// from a vocabulary of 60 by a PCG generator seeded with seed, so that
// documents of different seeds share almost no 5-gram shingle.
func prose(seed, n int) string {
	words := strings.Fields(`the river runs past an old mill where farmers bring grain
		each autumn and the miller weighs every sack before he grinds it into flour
		that bakers in the town use for bread which they sell at the market with
		cheese from the hills and honey from small farms along the valley road`)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	var b strings.Builder
	for i := range n {
		if i > 0 {
			if i%12 == 0 {
				b.WriteString(".\n")
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(words[rng.IntN(len(words))])
	}
	b.WriteString(".")
	return b.String()
}

// readDocs reads every document shard under dir/documents and returns
// the documents' JSON lines, as written (byte for byte), keyed by id.
func readDocs(t *testing.T, dir string) map[string]string {
	t.Helper()
	shards, err := filepath.Glob(filepath.Join(dir, "documents", "*.jsonl.zst"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, sh := range shards {
		f, err := os.Open(sh)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(zr)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			var d struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				t.Fatalf("%s: %v", sh, err)
			}
			if _, dup := out[d.ID]; dup {
				t.Fatalf("document %s written twice", d.ID)
			}
			out[d.ID] = sc.Text()
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", sh, err)
		}
		zr.Close()
		f.Close()
	}
	return out
}

func readStats(t *testing.T, dir string) *run.Stats {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	st := &run.Stats{}
	if err := json.Unmarshal(b, st); err != nil {
		t.Fatal(err)
	}
	return st
}

// shared returns the absolute path of rel in the shared test material
// beside the repository (the folder holding the go.mod of module winnow,
// one level above this module), failing the test when it is missing:
// CI always has it, so a missing corpus is an error, never a skip.
func shared(t *testing.T, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(b), "module winnow\n") {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("pipeline: no go.mod of module winnow above the working directory")
		}
		dir = parent
	}
	p := filepath.Join(filepath.Dir(dir), "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("pipeline: shared test material missing: %v", err)
	}
	return p
}

func hasPrefixKey(m map[string]int64, prefix string) bool {
	for k, v := range m {
		if strings.HasPrefix(k, prefix) && v > 0 {
			return true
		}
	}
	return false
}

func trunc(s string) string {
	if len(s) > 300 {
		return s[:300] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}
