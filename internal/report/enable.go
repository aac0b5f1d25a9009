package report

import (
	"reflect"
	"strings"

	"winnow/internal/config"
)

// Enable turns on what the report needs in the steps of cfg: the option
// with YAML key "attributes" (the quality stages then write their signals
// as attributes of every document, kept or dropped, so the histograms see
// them all) and "explain" (the clean step then records its edits in
// Doc.Edits and the "clean/edits" attribute, so the report can show the
// removed spans). Both change what the output documents carry.
func Enable(cfg *config.Config) {
	for _, s := range cfg.Steps {
		v := reflect.ValueOf(s.Config)
		if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
			continue
		}
		setBools(v.Elem(), "attributes", "explain")
	}
}

// setBools sets to true the bool fields of v whose YAML key is one of
// keys, looking inside inline and embedded structs.
func setBools(v reflect.Value, keys ...string) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if f.Type.Kind() == reflect.Struct && (f.Anonymous || strings.Contains(opts, "inline")) {
			setBools(fv, keys...)
			continue
		}
		if f.Type.Kind() != reflect.Bool || !fv.CanSet() {
			continue
		}
		for _, k := range keys {
			if name == k {
				fv.SetBool(true)
			}
		}
	}
}
