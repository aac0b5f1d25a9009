package fasttext

import (
	"path/filepath"
	"sync"
)

var shared struct {
	mu     sync.Mutex
	models map[string]*sharedEntry
}

type sharedEntry struct {
	once  sync.Once
	model *Model
	err   error
}

// LoadShared is Load with a process-wide cache keyed by the absolute path:
// the executor builds one stage per worker, and all of them share one
// Model in memory. A failed load is cached too, so N workers report the
// same error without reading the file N times. Models stay loaded until
// the process exits.
func LoadShared(path string) (*Model, error) {
	key, err := filepath.Abs(path)
	if err != nil {
		key = path
	}
	shared.mu.Lock()
	if shared.models == nil {
		shared.models = make(map[string]*sharedEntry)
	}
	e, ok := shared.models[key]
	if !ok {
		e = &sharedEntry{}
		shared.models[key] = e
	}
	shared.mu.Unlock()
	e.once.Do(func() { e.model, e.err = Load(path) })
	return e.model, e.err
}
