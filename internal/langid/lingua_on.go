//go:build lingua

package langid

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/pemistahl/lingua-go"
)

// LinguaBuilt reports whether this binary has the lingua backend.
const LinguaBuilt = true

var linguaShared struct {
	mu   sync.Mutex
	dets map[string]lingua.LanguageDetector
}

// newLingua builds (once per language set and process) a lingua-go
// detector over the given ISO 639-1 codes, with its models preloaded so
// that workers never load them mid-run. A lingua detector is safe for
// concurrent use.
func newLingua(codes []string) (detector, error) {
	var isos []lingua.IsoCode639_1
	var names []string
	for _, c := range codes {
		iso := lingua.GetIsoCode639_1FromValue(Code(c))
		if iso == lingua.UnknownIsoCode639_1 {
			return nil, fmt.Errorf("langid: lingua has no language %q", c)
		}
		isos = append(isos, iso)
		names = append(names, Code(c))
	}
	slices.Sort(names)
	key := strings.Join(slices.Compact(names), ",")
	linguaShared.mu.Lock()
	defer linguaShared.mu.Unlock()
	if linguaShared.dets == nil {
		linguaShared.dets = make(map[string]lingua.LanguageDetector)
	}
	d, ok := linguaShared.dets[key]
	if !ok {
		d = lingua.NewLanguageDetectorBuilder().FromIsoCodes639_1(isos...).WithPreloadedLanguageModels().Build()
		linguaShared.dets[key] = d
	}
	return linguaDetector{d}, nil
}

type linguaDetector struct{ d lingua.LanguageDetector }

// detect returns lingua's most likely language and its confidence value
// (lingua's relative probability among the candidate set, in [0, 1]).
func (l linguaDetector) detect(text string) (string, float64) {
	vals := l.d.ComputeLanguageConfidenceValues(text)
	if len(vals) == 0 || vals[0].Value() == 0 {
		return "", 0
	}
	return strings.ToLower(vals[0].Language().IsoCode639_1().String()), vals[0].Value()
}
