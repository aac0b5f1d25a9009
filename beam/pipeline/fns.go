package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"winnow"
	"winnow/internal/blob"
	"winnow/internal/config"
	"winnow/internal/dedup"
	"winnow/internal/format"
	"winnow/internal/format/jsonl"
	"winnow/internal/layout"
	"winnow/internal/run"
)

func init() {
	register.DoFn5x1[context.Context, string, func([]byte), func([]byte), func(string, int64), error](&readFn{})
	register.DoFn5x1[context.Context, []byte, func(string, []byte), func([]byte), func(string, int64), error](&stageFn{})
	register.DoFn3x1[string, []byte, func(string, string), error](&bucketFn{})
	register.DoFn5x1[string, func(*string) bool, func(string, string), func(string), func(string, int64), error](&edgeFn{})
	register.DoFn4x1[string, func(*string) bool, func(string, string), func(string, int64), error](&componentsFn{})
	register.DoFn6x1[string, func(*[]byte) bool, func(*string) bool, func(string, []byte), func([]byte), func(string, int64), error](&dropDuplicatesFn{})
	register.Function2x0[string, func(string, string)](pairRefsFn)
	register.DoFn4x1[string, func(*[]byte) bool, func(*string) bool, func(string, []byte), error](&shinglesFn{})
	register.DoFn4x1[string, func(*[]byte) bool, func(string, string), func(string, int64), error](&verifyFn{})
	register.Function2x3[string, []byte, int64, []byte, error](byFileFn)
	register.Function4x0[int64, func(*string) bool, func(string, int64), func(string)](rankFn)
	register.Function2x3[string, []byte, int64, string, error](keyFileFn)
	register.DoFn5x1[string, func(*int64) bool, func(*string) bool, func(*string) bool, func(string, string), error](&assignFn{})
	register.Emitter1[string]()
	register.Iter1[int64]()
	register.DoFn5x1[context.Context, int64, func(*[]byte) bool, int, func(string, int64), error](&writeFn{})
	register.DoFn4x1[context.Context, string, func(*string) bool, int, error](&statsFn{})
	register.DoFn5x1[context.Context, int64, func(*[]byte) bool, int, func(string, int64), error](&writeRejectsFn{})
	register.DoFn3x1[context.Context, []byte, func(int), error](&prepareFn{})
	register.Emitter1[int]()
	register.Function1x3[[]byte, int64, []byte, error](keyRejectFn)
	register.Emitter2[int64, []byte]()
	register.Function2x2[string, int64, string, string](toOneKeyFn)
	register.Function1x3[string, string, int64, error](parseCountFn)
	register.Emitter1[[]byte]()
	register.Emitter2[string, int64]()
	register.Emitter2[string, []byte]()
	register.Emitter2[string, string]()
	register.Iter1[string]()
	register.Iter1[[]byte]()
}

// Count kinds. A count key is the kind followed by its parts, separated
// by countSep; every step emits (key, n) pairs that are summed per key
// and folded into stats.json by statsFn.
const (
	cInputs     = "inputs"     // input files plus arguments naming nothing
	cUnreadable = "unreadable" // parts: argument or file, reason
	cRead       = "read"       // documents the readers yielded
	cRejected   = "rejected"   // part: file; bad records
	cSkipped    = "skipped"    // part: reason; records skipped on purpose
	// files and output folders the input folder walks passed over
	cSkippedFiles   = "skipped_files"   // part: extension (format.SkipKey)
	cSkippedOutputs = "skipped_outputs" // no part
	cDropped        = "dropped"         // part: "stage/rule"
	cKept           = "kept"            // documents written
	cBytesOut       = "bytes_out"       // uncompressed JSON bytes written
	cShard          = "shard"           // part: shard path relative to OutDir
	cRejectsOut     = "rejects_shard"   // part: rejects shard path; not in stats.json
	cDedup          = "dedup"           // part: a field of dedup.Result (dDocuments, ...)
	countSep        = "\x1f"
)

// Fields of the dedup section of stats.json (dedup.Result's JSON names),
// the parts of cDedup counts.
const (
	dDocuments      = "documents"
	dClusters       = "clusters"
	dClusteredDocs  = "clustered_documents"
	dExact          = "exact_duplicates"
	dNear           = "near_duplicates"
	dCandidatePairs = "candidate_pairs"
	dRejectedPairs  = "rejected_pairs"
	dLinesRemoved   = "lines_removed"
	dEmptied        = "emptied_documents"
	dKept           = "kept"
)

// dedupFields are the cDedup parts in the order of dedup.Result.
var dedupFields = []string{dDocuments, dClusters, dClusteredDocs, dExact, dNear, dCandidatePairs, dRejectedPairs, dLinesRemoved, dEmptied, dKept}

func countKey(kind string, parts ...string) string {
	return strings.Join(append([]string{kind}, parts...), countSep)
}

// parseCountFn reads an initial count written as "key\tn".
func parseCountFn(s string) (string, int64, error) {
	i := strings.LastIndexByte(s, '\t')
	if i < 0 {
		return "", 0, fmt.Errorf("pipeline: bad count %q", s)
	}
	n, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil {
		return "", 0, fmt.Errorf("pipeline: bad count %q", s)
	}
	return s[:i], n, nil
}

// readFn reads one input file, given as "index\tpath", and emits its
// documents in batches of the config's batch_size, each document with its
// order key. Like `winnow run`'s reader it sets source (the file's base
// name without extensions, unless input.source is set) and added (Added,
// else the file's modification time), counts bad records per file and
// records skipped on purpose, and treats a file that cannot be opened as
// unreadable. Bad records and an unreadable file also go to reject, as
// rows for the rejects shards.
type readFn struct {
	Config     string
	ConfigName string
	Added      string

	cfg *config.Config
}

func (f *readFn) Setup() error {
	cfg, err := loadConfig(f.ConfigName, []byte(f.Config))
	f.cfg = cfg
	return err
}

func (f *readFn) ProcessElement(ctx context.Context, task string, emit func([]byte), reject func([]byte), count func(string, int64)) error {
	idxText, path, ok := strings.Cut(task, "\t")
	idx, err := strconv.ParseInt(idxText, 10, 64)
	if !ok || err != nil {
		return fmt.Errorf("pipeline: bad read task %q", task)
	}
	// path opens the input (an object URL with the driver's query);
	// name is what documents, rejects rows and stats.json call it
	open, path := path, displayName(path)
	if blob.IsURL(open) && !cloudEnabled {
		// a worker binary built without the tag (the SDK recompiles
		// the program for the workers without build tags unless told):
		// fail the job rather than report the object unreadable
		return fmt.Errorf("pipeline: %s: this worker was built without object storage support (build with -tags cloud; see docs/beam.md)", path)
	}
	var docs, records, bad int64
	emitBad := func(pe *winnow.ParseError) error {
		b, err := encodeReject(badReject(idx, fmt.Sprintf("%s!%012d", orderKey(idx, docs), bad), pe))
		if err != nil {
			return err
		}
		bad++
		reject(b)
		return nil
	}
	in := f.cfg.Input
	rd, err := format.Open(open, format.Options{TextField: in.TextField, IDField: in.IDField})
	if err != nil {
		count(countKey(cUnreadable, path, err.Error()), 1)
		return emitBad(&winnow.ParseError{File: path, Offset: -1, Record: -1, Err: err})
	}
	defer rd.Close()
	source := in.Source
	if source == "" {
		source = baseName(path)
	}
	added := f.Added
	if added == "" {
		if _, mt, err := format.Stat(open); err == nil {
			added = mt.UTC().Format(time.RFC3339)
		}
	}
	var batch []wireDoc
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		b, err := encodeBatch(batch)
		if err != nil {
			return err
		}
		emit(b)
		batch = batch[:0]
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			count(countKey(cRejected, path), 1)
			var pe *winnow.ParseError
			if errors.As(err, &pe) {
				if err := emitBad(pe); err != nil {
					return err
				}
				records++
				continue
			}
			// the input cannot be read further: keep what was read
			if err := emitBad(&winnow.ParseError{File: path, Offset: -1, Record: records, Err: err}); err != nil {
				return err
			}
			break
		}
		records++
		if d.Source == "" {
			d.Source = source
		}
		if d.Added == "" {
			d.Added = added
		}
		w, err := encodeDoc(orderKey(idx, docs), d)
		if err != nil {
			return err
		}
		docs++
		batch = append(batch, w)
		if len(batch) >= f.cfg.BatchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	count(countKey(cRead), docs)
	if sk, ok := rd.(format.Skipper); ok {
		for reason, n := range sk.Skipped() {
			count(countKey(cSkipped, reason), n)
		}
	}
	if err := rd.Close(); err != nil {
		count(countKey(cRejected, path), 1)
		if err := emitBad(&winnow.ParseError{File: path, Offset: -1, Record: -1, Err: err}); err != nil {
			return err
		}
	}
	return flush()
}

// baseName is the file's name without folders and without extensions:
// "CC-MAIN-x.warc.gz" -> "CC-MAIN-x" (internal/run's rule for source).
func baseName(path string) string {
	b := filepath.Base(path)
	if i := strings.IndexByte(b[1:], '.'); i >= 0 {
		b = b[:i+1]
	}
	return b
}

// stageFn runs a batch through the configured stages: the same
// winnow.Stage values `winnow run` builds, called unchanged, then
// run.DropEmpty as in `winnow run`. One pipeline
// is built per DoFn instance in Setup and closed in Teardown; the runner
// calls ProcessElement from one goroutine per instance, which is the
// Stage contract. Dropped documents are counted by "stage/rule" and go
// to reject as rows for the rejects shards; kept ones are emitted with
// their order key.
type stageFn struct {
	Config     string
	ConfigName string

	p winnow.Pipeline
}

func (f *stageFn) Setup() error {
	cfg, err := loadConfig(f.ConfigName, []byte(f.Config))
	if err != nil {
		return err
	}
	f.p, err = cfg.NewPipeline()
	return err
}

func (f *stageFn) Teardown() error {
	if f.p == nil {
		return nil
	}
	err := f.p.Close()
	f.p = nil
	return err
}

func (f *stageFn) ProcessElement(ctx context.Context, batch []byte, emit func(string, []byte), reject func([]byte), count func(string, int64)) error {
	wires, err := decodeBatch(batch)
	if err != nil {
		return err
	}
	docs := make([]*winnow.Doc, len(wires))
	keys := make(map[*winnow.Doc]string, len(wires))
	for i, w := range wires {
		if docs[i], err = w.decode(); err != nil {
			return err
		}
		keys[docs[i]] = w.Key
	}
	kept, dropped, err := f.p.Process(ctx, docs, nil)
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	// as `winnow run` does after the pipeline: a document left without
	// text is dropped with run/empty_text, never kept
	kept, dropped = run.DropEmpty(kept, dropped)
	for i, d := range dropped {
		count(countKey(cDropped, d.Drop.Reason()), 1)
		key, ok := keys[d]
		if !ok {
			key = fmt.Sprintf("%s+%06d", wires[0].Key, i)
		}
		file, err := fileOf(key)
		if err != nil {
			return err
		}
		b, err := encodeReject(droppedReject(file, key+"~", d))
		if err != nil {
			return err
		}
		reject(b)
	}
	for i, d := range kept {
		key, ok := keys[d]
		if !ok {
			// A stage made a new document: place it after the batch's
			// first key, in its output order.
			key = fmt.Sprintf("%s+%06d", wires[0].Key, i)
		}
		w, err := encodeDoc(key, d)
		if err != nil {
			return err
		}
		b, err := encodeWire(w)
		if err != nil {
			return err
		}
		emit(key, b)
	}
	return nil
}

// bucketFn emits, for a kept document, one (bucket, node) pair per LSH
// bucket it falls in: "x<exact hash>" when exact dedup is on, and
// "b<band>:<band hash>" for each band of its MinHash signature when
// near-duplicate dedup is on. A bucket key holds the band index, so two
// different bands with equal hashes are different buckets, as in
// dedup.Run's (band, hash) sort key. The node (encodeNode) carries the
// document's survivor policy key when Survivor is not "first", and its
// exact hash when WithExact (verification with exact dedup on: pairs of
// equal exact hash are not verified).
type bucketFn struct {
	Exact     bool
	Near      bool
	Survivor  string
	WithExact bool
}

func (f *bucketFn) ProcessElement(key string, doc []byte, emit func(string, string)) error {
	w, err := decodeWire(doc)
	if err != nil {
		return err
	}
	if w.MinHash == nil {
		return fmt.Errorf("pipeline: document %s has no minhash side row: put the minhash step last", key)
	}
	sig, err := parseMinHashRow(w.MinHash)
	if err != nil {
		return fmt.Errorf("%w (document %s)", err, key)
	}
	pk := ""
	if policy, attr := parsePolicy(f.Survivor); policy != policyFirst {
		d, err := w.decode()
		if err != nil {
			return err
		}
		pk = policyKey(d, policy, attr)
	}
	exact := fmt.Sprintf("%016x%016x", sig.exact[0], sig.exact[1])
	node := encodeNode(key, pk, "")
	if f.WithExact {
		node = encodeNode(key, pk, exact)
	}
	if f.Exact {
		emit("x"+exact, node)
	}
	if f.Near {
		for j, b := range sig.bands {
			emit(fmt.Sprintf("b%d:%016x", j, b), node)
		}
	}
	return nil
}

// edgeFn turns one bucket into star edges from its smallest member, all
// under the one key "" so that componentsFn sees every edge. With Verify,
// the band edges go to pair instead ("nodeA\tnodeB"), to be checked by
// their Jaccard similarity, except those between documents of equal
// exact hash when Exact is on (joined by an exact edge already, and not
// verified by dedup.Run either). Without Verify it counts those band
// edges as candidate_pairs, as dedup.Run does (the nodes carry the exact
// hash when Exact is on); with Verify, verifyFn counts the distinct
// pairs.
type edgeFn struct {
	Exact  bool
	Verify bool
}

func (f *edgeFn) ProcessElement(bucket string, members func(*string) bool, emit func(string, string), pair func(string), count func(string, int64)) error {
	var nodes []string
	var n string
	for members(&n) {
		nodes = append(nodes, n)
	}
	exact := strings.HasPrefix(bucket, "x")
	candidates := int64(0)
	for _, e := range bucketEdges(nodes, exact) {
		if exact {
			emit("", encodeEdge(e))
			continue
		}
		_, _, xa := parseNode(e.A)
		_, _, xb := parseNode(e.B)
		sameExact := f.Exact && xa == xb
		if !f.Verify {
			if !sameExact {
				candidates++
			}
			emit("", encodeEdge(e))
			continue
		}
		if sameExact {
			continue
		}
		pair(e.A + "\t" + e.B)
	}
	if candidates > 0 {
		count(countKey(cDedup, dCandidatePairs), candidates)
	}
	return nil
}

// pairRefsFn sends a candidate pair ("nodeA\tnodeB") to both of its
// documents, by order key, to be joined with their text. A pair found
// in several bands arrives several times; shinglesFn counts it once.
func pairRefsFn(pair string, emit func(string, string)) {
	a, b, _ := strings.Cut(pair, "\t")
	ka, _, _ := parseNode(a)
	kb, _, _ := parseNode(b)
	emit(ka, pair)
	emit(kb, pair)
}

// shinglesFn joins a document with the candidate pairs it is part of and
// emits, once per distinct pair, (pair, order key + "\x00" + its sorted
// shingle hashes, 8 bytes little-endian each): dedup.Hasher.Shingles of
// the text after the stages, the text dedup.Run re-reads from the output
// shards. A document in no pair emits nothing.
type shinglesFn struct {
	MinHash dedup.MinHashConfig

	h *dedup.Hasher
}

func (f *shinglesFn) Setup() error {
	var err error
	f.h, err = dedup.NewHasher(f.MinHash)
	return err
}

func (f *shinglesFn) ProcessElement(key string, docs func(*[]byte) bool, pairs func(*string) bool, emit func(string, []byte)) error {
	seen := map[string]bool{}
	var p string
	for pairs(&p) {
		seen[p] = true
	}
	var d []byte
	for docs(&d) {
		if len(seen) == 0 {
			continue
		}
		w, err := decodeWire(d)
		if err != nil {
			return err
		}
		doc, err := w.decode()
		if err != nil {
			return err
		}
		sh := f.h.Shingles(nil, doc.Text)
		val := make([]byte, 0, len(key)+1+8*len(sh))
		val = append(append(val, key...), 0)
		for _, x := range sh {
			val = binary.LittleEndian.AppendUint64(val, x)
		}
		for _, pr := range slices.Sorted(maps.Keys(seen)) {
			emit(pr, val)
		}
	}
	return nil
}

// verifyFn computes the exact Jaccard similarity (dedup.Jaccard) of a
// candidate pair's two shingle sets and emits the pair as a near edge
// when it is at least Threshold, as dedup.Run's verification does. It
// counts each pair in candidate_pairs and, below Threshold, in
// rejected_pairs.
type verifyFn struct {
	Threshold float64
}

func (f *verifyFn) ProcessElement(pair string, sets func(*[]byte) bool, emit func(string, string), count func(string, int64)) error {
	var got [][]uint64
	var b []byte
	for sets(&b) {
		i := bytes.IndexByte(b, 0)
		if i < 0 || (len(b)-i-1)%8 != 0 {
			return fmt.Errorf("pipeline: bad shingle set for pair %q", pair)
		}
		sh := make([]uint64, 0, (len(b)-i-1)/8)
		for p := i + 1; p < len(b); p += 8 {
			sh = append(sh, binary.LittleEndian.Uint64(b[p:]))
		}
		got = append(got, sh)
	}
	if len(got) != 2 {
		return fmt.Errorf("pipeline: candidate pair %q has %d shingle sets, want 2", pair, len(got))
	}
	count(countKey(cDedup, dCandidatePairs), 1)
	if dedup.Jaccard(got[0], got[1]) >= f.Threshold {
		a, c, _ := strings.Cut(pair, "\t")
		emit("", encodeEdge(edge{A: a, B: c}))
	} else {
		count(countKey(cDedup, dRejectedPairs), 1)
	}
	return nil
}

// componentsFn computes the connected components of all edges in one
// place (a union-find; see docs/beam.md for the trade-off), chooses each
// component's survivor by the policy Survivor, and emits, for every
// member of a component, (component's smallest order key,
// "member key\trule\tcomponent size"), the rule being "" for the
// survivor. It counts clusters, clustered_documents, exact_duplicates
// and near_duplicates as dedup.Run does (in tag_only mode too).
type componentsFn struct {
	Survivor string
}

func (f *componentsFn) ProcessElement(_ string, edges func(*string) bool, emit func(string, string), count func(string, int64)) error {
	var all []edge
	var s string
	for edges(&s) {
		e, ok := decodeEdge(s)
		if !ok {
			return fmt.Errorf("pipeline: bad edge %q", s)
		}
		all = append(all, e)
	}
	policy, _ := parsePolicy(f.Survivor)
	members, err := duplicates(all, policy)
	if err != nil {
		return err
	}
	comps := map[string]bool{}
	byRule := map[string]int64{}
	for _, k := range slices.Sorted(maps.Keys(members)) {
		m := members[k]
		comps[m.Component] = true
		byRule[m.Rule]++
		emit(m.Component, k+"\t"+m.Rule+"\t"+strconv.Itoa(m.Size))
	}
	count(countKey(cDedup, dClusters), int64(len(comps)))
	count(countKey(cDedup, dClusteredDocs), int64(len(members)))
	count(countKey(cDedup, dExact), byRule[dedup.RuleExact])
	count(countKey(cDedup, dNear), byRule[dedup.RuleNear])
	return nil
}

// rankFn sorts the order keys of the documents of one input file that
// reached the dedup transforms and emits each key's rank in the file and
// the file's count ("file\tn"), from which assignFn computes output
// ordinals.
func rankFn(file int64, keys func(*string) bool, emitRank func(string, int64), emitCount func(string)) {
	var all []string
	var k string
	for keys(&k) {
		all = append(all, k)
	}
	slices.Sort(all)
	for i, k := range all {
		emitRank(k, int64(i))
	}
	emitCount(strconv.FormatInt(file, 10) + "\t" + strconv.Itoa(len(all)))
}

// keyFileFn keys an order key by its input file index.
func keyFileFn(key string, _ []byte) (int64, string, error) {
	file, err := fileOf(key)
	return file, key, err
}

func fileOf(key string) (int64, error) {
	idx, _, ok := strings.Cut(key, ":")
	n, err := strconv.ParseInt(idx, 10, 64)
	if !ok || err != nil {
		return 0, fmt.Errorf("pipeline: bad order key %q", key)
	}
	return n, nil
}

// assignFn gives every member of a component its decision
// "rule\tcluster id\tsize": the cluster id is the ordinal of the
// component's smallest member in the output of the per-document pass
// (documents of earlier files plus its rank in its file), which is what
// dedup.Run writes as dedup/cluster_id. The per-file counts come as a
// side input.
type assignFn struct {
	prefix map[int64]int64
}

func (f *assignFn) ProcessElement(component string, ranks func(*int64) bool, members func(*string) bool, counts func(*string) bool, emit func(string, string)) error {
	if f.prefix == nil {
		per := map[int64]int64{}
		var c string
		for counts(&c) {
			file, n, err := parseCountFn(c)
			if err != nil {
				return err
			}
			i, err := strconv.ParseInt(file, 10, 64)
			if err != nil {
				return fmt.Errorf("pipeline: bad file count %q", c)
			}
			per[i] = n
		}
		files := slices.Sorted(maps.Keys(per))
		f.prefix = make(map[int64]int64, len(files))
		var sum int64
		for _, i := range files {
			f.prefix[i] = sum
			sum += per[i]
		}
	}
	var m string
	var got []string
	for members(&m) {
		got = append(got, m)
	}
	if len(got) == 0 {
		return nil // a document in no component
	}
	var rank int64
	n := 0
	for ranks(&rank) {
		n++
	}
	if n != 1 {
		return fmt.Errorf("pipeline: component %s has %d ranks", component, n)
	}
	file, err := fileOf(component)
	if err != nil {
		return err
	}
	cluster := f.prefix[file] + rank
	for _, m := range got {
		parts := strings.Split(m, "\t")
		if len(parts) != 3 {
			return fmt.Errorf("pipeline: bad component member %q", m)
		}
		emit(parts[0], parts[1]+"\t"+strconv.FormatInt(cluster, 10)+"\t"+parts[2])
	}
	return nil
}

// dropDuplicatesFn joins a document with its dedup decision
// ("rule\tcluster id\tsize"): a document with a rule is counted as
// dropped for "dedup/<rule>"; a survivor gets the attributes
// dedup/cluster_id, dedup/cluster_size and dedup/is_duplicate (false) as
// dedup.Run writes them; documents in no component pass unchanged. With
// TagOnly nothing is dropped or counted: every member of a component is
// kept with the attributes, dedup/is_duplicate true for the duplicates. A
// dropped document goes to reject as a row for rejects/dedup, with the
// reason dedup/<rule> and the detail "cluster <id>" of dedup.Run's rows;
// its file, offset and record are its place in the input, where
// dedup.Run names its row in the output shard. It counts every document
// in the dedup result's documents and, with CountKept (no repeated-line
// step after it), every document it emits in kept.
type dropDuplicatesFn struct {
	TagOnly   bool
	CountKept bool
}

func (f *dropDuplicatesFn) ProcessElement(key string, docs func(*[]byte) bool, decisions func(*string) bool, emit func(string, []byte), reject func([]byte), count func(string, int64)) error {
	decision := ""
	var r string
	for decisions(&r) {
		decision = r
	}
	var d []byte
	n := 0
	for docs(&d) {
		n++
		if n > 1 {
			return fmt.Errorf("pipeline: two documents with order key %s", key)
		}
		count(countKey(cDedup, dDocuments), 1)
		if decision == "" {
			if f.CountKept {
				count(countKey(cDedup, dKept), 1)
			}
			emit(key, d)
			continue
		}
		parts := strings.Split(decision, "\t")
		cluster, err1 := strconv.ParseInt(parts[min(1, len(parts)-1)], 10, 64)
		size, err2 := strconv.ParseInt(parts[len(parts)-1], 10, 64)
		if len(parts) != 3 || err1 != nil || err2 != nil {
			return fmt.Errorf("pipeline: bad dedup decision %q", decision)
		}
		w, err := decodeWire(d)
		if err != nil {
			return err
		}
		doc, err := w.decode()
		if err != nil {
			return err
		}
		if parts[0] != "" && !f.TagOnly {
			count(countKey(cDropped, "dedup/"+parts[0]), 1)
			file, err := fileOf(key)
			if err != nil {
				return err
			}
			doc.Drop = &winnow.Drop{Stage: "dedup", Rule: parts[0], Detail: "cluster " + parts[1]}
			b, err := encodeReject(droppedReject(file, key, doc))
			if err != nil {
				return err
			}
			reject(b)
			continue
		}
		doc.SetAttr(dedup.AttrClusterID, cluster)
		doc.SetAttr(dedup.AttrClusterSize, size)
		doc.SetAttr(dedup.AttrIsDuplicate, parts[0] != "")
		if f.CountKept {
			count(countKey(cDedup, dKept), 1)
		}
		nw, err := encodeDoc(key, doc)
		if err != nil {
			return err
		}
		nw.MinHash, nw.Lines = w.MinHash, w.Lines
		b, err := encodeWire(nw)
		if err != nil {
			return err
		}
		emit(key, b)
	}
	return nil
}

// prepareFn is the job's first writing step: with Overwrite it removes
// the earlier output under OutDir (clearOut: winnow's objects under a
// prefix; documents/, rejects/, attributes/, side/, .dedup/, .run/ but
// its lock file, and stats.json of a folder, stats.json first), then
// emits one element, the side input every writer waits for. Build only
// checks the output, so a job that the runner refuses, or whose
// construction fails, leaves the earlier output in place. Removing again
// (a retried bundle) removes nothing the job wrote: the writers start
// after this step has finished.
type prepareFn struct {
	OutDir    string
	Overwrite bool
}

func (f *prepareFn) ProcessElement(ctx context.Context, _ []byte, emit func(int)) error {
	if f.Overwrite {
		if err := clearOut(ctx, f.OutDir); err != nil {
			return err
		}
	}
	emit(1)
	return nil
}

// byFileFn keys a document by the index of its input file, the unit of
// output sharding.
func byFileFn(key string, doc []byte) (int64, []byte, error) {
	n, err := fileOf(key)
	return n, doc, err
}

// shardsPerInput is the stride of shard numbers between input files:
// the shards of input file i are numbered from i·shardsPerInput, so the
// writers of different files never share a name. It is a variable only
// so that a test can lower it.
//
// It is never a limit: a file needs more shards than the stride only
// with more documents (rows) than the stride, since each shard holds at
// least one, and then its writer cuts the file's documents into at most
// shardsPerInput runs, each written as one shard (shardRuns), instead of
// letting the shard writer rotate; the last shards then grow past
// output.max_shard_bytes. At 1,000,000 that takes a million documents
// (rows) of one input file and a max_shard_bytes below a millionth of
// their size. Names stay within what winnow's readers parse
// (internal/dedup reads a shard name as a decimal int): input file 9,000
// starts at 9,000,000,000.
var shardsPerInput = 1_000_000

// shardRuns cuts n rows of the given sizes (bytes) into runs of
// consecutive rows, [start, end) pairs, as the shard writer rotates
// (a run ends before a row that would take it past max bytes, and holds
// at least one row), but into at most limit runs: the last run takes
// every row left.
func shardRuns(n int, size func(i int) int64, max int64, limit int) [][2]int {
	var runs [][2]int
	start, bytes := 0, int64(0)
	for i := range n {
		sz := size(i)
		if i > start && bytes+sz > max && len(runs) < limit-1 {
			runs = append(runs, [2]int{start, i})
			start, bytes = i, 0
		}
		bytes += sz
	}
	if n > start {
		runs = append(runs, [2]int{start, n})
	}
	return runs
}

// writeFn writes the kept documents of one input file, sorted by order
// key, with internal/format/jsonl's shard writer (the dolma schema and
// compression of `winnow run`) to OutDir/documents/NNNNN.jsonl.zst from
// NNNNN = file index × shardsPerInput (1,000,000). The writer commits each shard by renaming a
// temporary file, and the same input gives the same bytes, so a bundle the
// runner retries rewrites the same shards. For an s3:// or gs:// OutDir
// the shards are written to a worker-local folder and uploaded under the
// prefix (withOutDir), replacing objects of the same names.
type writeFn struct {
	OutDir     string
	Config     string
	ConfigName string

	cfg *config.Config
}

func (f *writeFn) Setup() error {
	cfg, err := loadConfig(f.ConfigName, []byte(f.Config))
	f.cfg = cfg
	return err
}

func (f *writeFn) ProcessElement(ctx context.Context, file int64, docs func(*[]byte) bool, _ int, count func(string, int64)) error {
	var wires []wireDoc
	var b []byte
	for docs(&b) {
		w, err := decodeWire(b)
		if err != nil {
			return err
		}
		w.MinHash, w.Lines = nil, nil
		wires = append(wires, w)
	}
	slices.SortFunc(wires, func(a, b wireDoc) int { return strings.Compare(a.Key, b.Key) })
	return withOutDir(ctx, f.OutDir, func(dir string) error { return f.write(dir, file, wires, count) })
}

// write writes the shards of one input file into the folder dir.
func (f *writeFn) write(dir string, file int64, wires []wireDoc, count func(string, int64)) error {
	out := f.cfg.Output
	first := int(file) * shardsPerInput
	runs := [][2]int{{0, len(wires)}}
	maxBytes := out.MaxShardBytes
	if len(wires) > shardsPerInput {
		// more documents than shard numbers: at most shardsPerInput
		// runs, each one shard (see shardsPerInput)
		if maxBytes == 0 {
			maxBytes = config.DefaultMaxShardBytes
		}
		runs = shardRuns(len(wires), func(i int) int64 { return int64(len(wires[i].Doc)) + 1 }, maxBytes, shardsPerInput)
		maxBytes = math.MaxInt64
	}
	var shards []string
	var n, bytes int64
	for _, r := range runs {
		w, err := jsonl.NewShardWriter(filepath.Join(dir, "documents"), jsonl.ShardOptions{
			Compression:        out.Compression,
			MaxShardBytes:      maxBytes,
			FirstIndex:         first + len(shards),
			StandoffAttributes: out.StandoffAttributes,
			AttrDir:            filepath.Join(dir, "attributes"),
		})
		if err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		for _, wd := range wires[r[0]:r[1]] {
			d, err := wd.decode()
			if err != nil {
				w.Close()
				return err
			}
			d.Payload = nil
			if err := w.Write(d); err != nil {
				w.Close()
				return fmt.Errorf("pipeline: %w", err)
			}
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		shards = append(shards, w.Shards()...)
		wn, wb := w.Written()
		n, bytes = n+wn, bytes+wb
	}
	if len(shards) > shardsPerInput {
		// cannot happen: a shard holds at least one document
		return fmt.Errorf("pipeline: input file %d wrote %d shards, more than %d", file, len(shards), shardsPerInput)
	}
	count(countKey(cKept), n)
	count(countKey(cBytesOut), bytes)
	for _, sh := range shards {
		if rel, err := filepath.Rel(dir, sh); err == nil {
			sh = filepath.ToSlash(rel)
		}
		count(countKey(cShard, sh), 1)
	}
	return nil
}

// toOneKeyFn puts every summed count under the one key "" for statsFn.
func toOneKeyFn(key string, n int64) (string, string) {
	return "", key + "\t" + strconv.FormatInt(n, 10)
}

// statsFn writes OutDir/stats.json (atomically: a temporary file renamed;
// uploaded for an s3:// or gs:// OutDir) in the schema of `winnow run`'s
// run.Stats, from the summed counts, which include every writer's: it
// runs after all of them.
// Timing fields stay zero: the runner, not this pipeline, measures them.
type statsFn struct {
	OutDir     string
	Config     string
	ConfigName string
}

func (f *statsFn) ProcessElement(ctx context.Context, _ string, counts func(*string) bool, _ int) error {
	var all []string
	var c string
	for counts(&c) {
		all = append(all, c)
	}
	st, err := foldCounts(all)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(f.ConfigName, []byte(f.Config))
	if err != nil {
		return err
	}
	if st.Config, err = cfg.Map(); err != nil {
		return err
	}
	return withOutDir(ctx, f.OutDir, func(dir string) error { return writeStats(filepath.Join(dir, "stats.json"), st) })
}

// foldCounts turns "key\tn" counts into run.Stats.
func foldCounts(counts []string) (*run.Stats, error) {
	st := &run.Stats{Skipped: map[string]int64{}, Shards: []string{}}
	st.Inputs.UnreadableFiles = map[string]string{}
	st.Documents.DroppedByReason = map[string]int64{}
	st.Rejected.ByFile = map[string]int64{}
	for _, c := range counts {
		key, n, err := parseCountFn(c)
		if err != nil {
			return nil, err
		}
		parts := strings.Split(key, countSep)
		arg := func(i int) string {
			if i < len(parts) {
				return parts[i]
			}
			return ""
		}
		switch parts[0] {
		case cInputs:
			st.Inputs.Total += int(n)
		case cUnreadable:
			st.Inputs.Unreadable += int(n)
			st.Inputs.UnreadableFiles[arg(1)] = arg(2)
		case cRead:
			st.Documents.Read += n
		case cRejected:
			st.Rejected.Total += n
			st.Rejected.ByFile[arg(1)] += n
		case cSkipped:
			st.Skipped[arg(1)] += n
		case cSkippedFiles:
			if st.Inputs.SkippedFiles == nil {
				st.Inputs.SkippedFiles = map[string]int64{}
			}
			st.Inputs.SkippedFiles[arg(1)] += n
		case cSkippedOutputs:
			st.Inputs.SkippedOutputs += n
		case cDropped:
			st.Documents.Dropped += n
			st.Documents.DroppedByReason[arg(1)] += n
		case cKept:
			st.Documents.Kept += n
		case cBytesOut:
			st.BytesOut += n
		case cShard:
			st.Shards = append(st.Shards, arg(1))
		case cRejectsOut:
		case cDedup:
			if st.Dedup == nil {
				st.Dedup = &dedup.Result{}
			}
			if err := addDedup(st.Dedup, arg(1), n); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("pipeline: unknown count %q", key)
		}
	}
	// by folder, then by shard number: names of different widths
	// (00000, 1000000) do not sort as strings
	slices.SortFunc(st.Shards, func(a, b string) int {
		da, na := path.Split(a)
		db, nb := path.Split(b)
		if c := strings.Compare(da, db); c != 0 {
			return c
		}
		if c := cmp.Compare(shardNumber(na), shardNumber(nb)); c != 0 {
			return c
		}
		return strings.Compare(na, nb)
	})
	if st.Dedup != nil {
		st.Dedup.BytesOut = st.BytesOut // the documents written after dedup, as dedup.Run's rewrite counts them
	}
	return st, nil
}

// shardNumber is the number a shard's name starts with ("01000.jsonl.zst"
// → 1000), -1 for a name without one.
func shardNumber(name string) int {
	if n, ok := layout.ShardIndex(name); ok {
		return n
	}
	return -1
}

// addDedup adds n to the field of res named by its JSON name.
func addDedup(res *dedup.Result, field string, n int64) error {
	switch field {
	case dDocuments:
		res.Documents += n
	case dClusters:
		res.Clusters += n
	case dClusteredDocs:
		res.ClusteredDocs += n
	case dExact:
		res.ExactDuplicates += n
	case dNear:
		res.NearDuplicates += n
	case dCandidatePairs:
		res.CandidatePairs += n
	case dRejectedPairs:
		res.RejectedPairs += n
	case dLinesRemoved:
		res.LinesRemoved += n
	case dEmptied:
		res.EmptiedDocuments += n
	case dKept:
		res.Kept += n
	default:
		return fmt.Errorf("pipeline: unknown dedup count %q", field)
	}
	return nil
}

func writeStats(path string, st *run.Stats) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	return nil
}

// keyRejectFn keys a reject row by its input file index.
func keyRejectFn(row []byte) (int64, []byte, error) {
	r, err := decodeReject(row)
	return r.FileIdx, row, err
}

// writeRejectsFn writes the reject rows of one input file, sorted (see
// wireReject.Sort), with internal/format/jsonl's reject writer (the row
// format of `winnow run`) to OutDir/Sub/NNNNN.jsonl.zst from NNNNN =
// file index × shardsPerInput, as writeFn numbers document shards. Sub is
// "rejects" for bad records and stage drops, "rejects/dedup" for
// duplicates, as in `winnow run`. It counts the shards it writes
// (cRejectsOut), so that statsFn waits for it; an s3:// or gs:// OutDir
// is written as writeFn writes it.
type writeRejectsFn struct {
	OutDir     string
	Sub        string
	Config     string
	ConfigName string

	cfg *config.Config
}

func (f *writeRejectsFn) Setup() error {
	cfg, err := loadConfig(f.ConfigName, []byte(f.Config))
	f.cfg = cfg
	return err
}

func (f *writeRejectsFn) ProcessElement(ctx context.Context, file int64, rows func(*[]byte) bool, _ int, count func(string, int64)) error {
	var all []wireReject
	var b []byte
	for rows(&b) {
		r, err := decodeReject(b)
		if err != nil {
			return err
		}
		all = append(all, r)
	}
	slices.SortFunc(all, func(a, b wireReject) int { return strings.Compare(a.Sort, b.Sort) })
	return withOutDir(ctx, f.OutDir, func(dir string) error { return f.write(dir, file, all, count) })
}

// write writes the rejects shards of one input file into dir/Sub and
// counts them. Like writeFn it cuts a file with more rows than
// shardsPerInput into at most shardsPerInput runs of one shard each.
func (f *writeRejectsFn) write(dir string, file int64, all []wireReject, count func(string, int64)) error {
	out := f.cfg.Output
	first := int(file) * shardsPerInput
	runs := [][2]int{{0, len(all)}}
	maxBytes := out.MaxShardBytes
	if len(all) > shardsPerInput {
		if maxBytes == 0 {
			maxBytes = config.DefaultMaxShardBytes
		}
		// the row's size estimated by its largest fields
		size := func(i int) int64 {
			r := &all[i]
			return int64(len(r.Text)+len(r.Err)+len(r.Detail)+len(r.ID)+len(r.URL)+len(r.File)) + 100
		}
		runs = shardRuns(len(all), size, maxBytes, shardsPerInput)
		maxBytes = math.MaxInt64
	}
	var shards []string
	for _, rn := range runs {
		w, err := jsonl.NewRejectWriter(filepath.Join(dir, filepath.FromSlash(f.Sub)), jsonl.ShardOptions{
			Compression:   out.Compression,
			MaxShardBytes: maxBytes,
			FirstIndex:    first + len(shards),
		})
		if err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		for _, r := range all[rn[0]:rn[1]] {
			if err := r.write(w); err != nil {
				w.Close()
				return fmt.Errorf("pipeline: %w", err)
			}
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		shards = append(shards, w.Shards()...)
	}
	if len(shards) > shardsPerInput {
		// cannot happen: a shard holds at least one row
		return fmt.Errorf("pipeline: input file %d wrote %d rejects shards, more than %d", file, len(shards), shardsPerInput)
	}
	for _, sh := range shards {
		if rel, err := filepath.Rel(dir, sh); err == nil {
			sh = filepath.ToSlash(rel)
		}
		count(countKey(cRejectsOut, sh), 1)
	}
	return nil
}
