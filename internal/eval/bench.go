package eval

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Benchmark names, as the command line spells them.
const (
	Scrapinghub = "scrapinghub"
	Trafilatura = "trafilatura"
	WCXB        = "wcxb"
)

// Names lists the benchmarks in the order they are reported.
var Names = []string{Scrapinghub, Trafilatura, WCXB}

// Page is one benchmark page and its ground truth.
type Page struct {
	// ID is the page's key: the sha256 id (Scrapinghub), the URL
	// (trafilatura), the file id "4011" (WCXB).
	ID  string
	URL string
	// Type is WCXB's page type (article, forum, product, collection,
	// listing, documentation, service); "" elsewhere.
	Type string
	// Truth is the main text (Scrapinghub articleBody, WCXB main_content);
	// "" for trafilatura, which has only snippets.
	Truth string
	// With and Without are the snippets that must and must not appear in
	// the text (trafilatura, WCXB).
	With, Without []string
	// File is the gzip-compressed HTML file.
	File string
}

// HTML reads and decompresses the page's HTML bytes.
func (p *Page) HTML() ([]byte, error) {
	b, err := os.ReadFile(p.File)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("eval: %s: %w", p.File, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("eval: %s: %w", p.File, err)
	}
	return out, nil
}

// Benchmark is one loaded benchmark: its name and pages sorted by ID.
type Benchmark struct {
	Name  string
	Dir   string
	Pages []Page
}

// Detect returns the name of the benchmark laid out in dir by the file
// that identifies it: ground-truth.json (Scrapinghub), evaldata.json
// (trafilatura), ground-truth/ and metadata.json (WCXB); "" when none.
func Detect(dir string) string {
	switch {
	case isFile(filepath.Join(dir, "ground-truth.json")):
		return Scrapinghub
	case isFile(filepath.Join(dir, "evaldata.json")):
		return Trafilatura
	case isFile(filepath.Join(dir, "metadata.json")) && isDir(filepath.Join(dir, "ground-truth")):
		return WCXB
	}
	return ""
}

// Find returns the folders of the benchmarks in dir: dir itself when it is
// one, else its sub-folders that are (the shared extraction/ folder holds
// all three), by name.
func Find(dir string) (map[string]string, error) {
	if n := Detect(dir); n != "" {
		return map[string]string{n: dir}, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	out := map[string]string{}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		if n := Detect(sub); n != "" {
			out[n] = sub
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("eval: no benchmark in %s (want ground-truth.json, evaldata.json or metadata.json with ground-truth/)", dir)
	}
	return out, nil
}

func isFile(p string) bool { st, err := os.Stat(p); return err == nil && st.Mode().IsRegular() }
func isDir(p string) bool  { st, err := os.Stat(p); return err == nil && st.IsDir() }

// Load reads the benchmark name ("" to detect it) from dir. Errors: an
// unknown name, a missing or malformed ground truth file, a ground truth
// entry whose HTML file is missing.
func Load(dir, name string) (*Benchmark, error) {
	if name == "" {
		if name = Detect(dir); name == "" {
			return nil, fmt.Errorf("eval: no benchmark in %s", dir)
		}
	}
	var pages []Page
	var err error
	switch name {
	case Scrapinghub:
		pages, err = loadScrapinghub(dir)
	case Trafilatura:
		pages, err = loadTrafilatura(dir)
	case WCXB:
		pages, err = loadWCXB(dir)
	default:
		return nil, fmt.Errorf("eval: unknown benchmark %q (want %s)", name, strings.Join(Names, ", "))
	}
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		if !isFile(p.File) {
			return nil, fmt.Errorf("eval: %s: page %s: no file %s", name, p.ID, p.File)
		}
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].ID < pages[j].ID })
	return &Benchmark{Name: name, Dir: dir, Pages: pages}, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("eval: %s: %w", path, err)
	}
	return nil
}

func loadScrapinghub(dir string) ([]Page, error) {
	var gt map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if err := readJSON(filepath.Join(dir, "ground-truth.json"), &gt); err != nil {
		return nil, err
	}
	pages := make([]Page, 0, len(gt))
	for id, g := range gt {
		pages = append(pages, Page{ID: id, URL: g.URL, Truth: g.ArticleBody,
			File: filepath.Join(dir, "html", id+".html.gz")})
	}
	return pages, nil
}

func loadTrafilatura(dir string) ([]Page, error) {
	var ed map[string]struct {
		File    string   `json:"file"`
		With    []string `json:"with"`
		Without []string `json:"without"`
	}
	if err := readJSON(filepath.Join(dir, "evaldata.json"), &ed); err != nil {
		return nil, err
	}
	pages := make([]Page, 0, len(ed))
	for u, e := range ed {
		if e.File == "" {
			return nil, fmt.Errorf("eval: trafilatura: %s: no file", u)
		}
		pages = append(pages, Page{ID: u, URL: u, With: e.With, Without: e.Without,
			File: filepath.Join(dir, "html", e.File+".gz")})
	}
	return pages, nil
}

// wcxbPageType is evaluate.py's get_page_type: _internal.page_type (an
// object with "primary" or a string), "article" when absent, "category"
// renamed "collection".
func wcxbPageType(internal json.RawMessage) string {
	var in struct {
		PageType json.RawMessage `json:"page_type"`
	}
	pt := "article"
	if json.Unmarshal(internal, &in) == nil && len(in.PageType) > 0 {
		var obj struct {
			Primary *string `json:"primary"`
		}
		var s string
		if json.Unmarshal(in.PageType, &s) == nil {
			pt = s
		} else if json.Unmarshal(in.PageType, &obj) == nil && obj.Primary != nil {
			pt = *obj.Primary
		}
	}
	if pt == "category" {
		pt = "collection"
	}
	return pt
}

func loadWCXB(dir string) ([]Page, error) {
	files, err := filepath.Glob(filepath.Join(dir, "ground-truth", "*.json"))
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	if len(files) == 0 {
		return nil, errors.New("eval: wcxb: no ground-truth/*.json")
	}
	pages := make([]Page, 0, len(files))
	for _, f := range files {
		var g struct {
			URL         string          `json:"url"`
			Internal    json.RawMessage `json:"_internal"`
			GroundTruth struct {
				MainContent string   `json:"main_content"`
				With        []string `json:"with"`
				Without     []string `json:"without"`
			} `json:"ground_truth"`
		}
		if err := readJSON(f, &g); err != nil {
			return nil, err
		}
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		pages = append(pages, Page{ID: id, URL: g.URL, Type: wcxbPageType(g.Internal),
			Truth: g.GroundTruth.MainContent, With: g.GroundTruth.With, Without: g.GroundTruth.Without,
			File: filepath.Join(dir, "html", id+".html.gz")})
	}
	return pages, nil
}

// Sample returns n pages spread evenly over the benchmark (every
// len/n-th page in ID order), all pages when n <= 0 or n >= len.
func (b *Benchmark) Sample(n int) []Page {
	if n <= 0 || n >= len(b.Pages) {
		return b.Pages
	}
	out := make([]Page, n)
	for i := range out {
		out[i] = b.Pages[i*len(b.Pages)/n]
	}
	return out
}

// LoadPredictions reads a Scrapinghub prediction file: {"<id>":
// {"articleBody": "..."}}, optionally wrapped as {"version": "...",
// "output": {...}}. It returns the texts by id and the version ("" when
// unwrapped).
func LoadPredictions(path string) (texts map[string]string, version string, err error) {
	var raw map[string]json.RawMessage
	if err := readJSON(path, &raw); err != nil {
		return nil, "", err
	}
	if out, ok := raw["output"]; ok {
		if v, ok := raw["version"]; ok {
			json.Unmarshal(v, &version)
		}
		raw = nil
		if err := json.Unmarshal(out, &raw); err != nil {
			return nil, "", fmt.Errorf("eval: %s: output: %w", path, err)
		}
	}
	texts = make(map[string]string, len(raw))
	for id, v := range raw {
		var e struct {
			ArticleBody *string `json:"articleBody"`
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, "", fmt.Errorf("eval: %s: %s: %w", path, id, err)
		}
		if e.ArticleBody != nil {
			texts[id] = *e.ArticleBody
		}
	}
	return texts, version, nil
}
