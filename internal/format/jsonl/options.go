package jsonl

// DefaultMaxLineBytes is the longest line [Reader] accepts by default:
// 64 MiB, well above the longest web document in practice (the dolma
// CC-MAIN-2019-30 sample's longest text is 127 K characters).
const DefaultMaxLineBytes = 64 << 20

// Options says how input lines map to documents.
type Options struct {
	// TextField names the key that holds the document text ("text" when
	// empty). A dotted path such as "content.body" reaches into nested
	// objects.
	TextField string
	// IDField names the key that holds the document id ("id" when empty),
	// dotted paths allowed. A numeric id becomes its decimal string.
	IDField string
	// MaxLineBytes caps the length of one line in bytes, without its
	// newline (DefaultMaxLineBytes when zero or negative). A longer line
	// is a *winnow.ParseError and is skipped without being held in memory.
	MaxLineBytes int
}

// withDefaults fills the zero fields.
func (o Options) withDefaults() Options {
	if o.TextField == "" {
		o.TextField = "text"
	}
	if o.IDField == "" {
		o.IDField = "id"
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	return o
}
