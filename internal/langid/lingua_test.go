//go:build lingua

package langid

import "testing"

func TestLinguaBackend(t *testing.T) {
	st, err := New(Config{Backend: "lingua", LinguaLanguages: []string{"en", "de", "fr", "nb", "nn"}, Threshold: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	ls := st.(*languageStage)
	for _, lang := range []string{"en", "de", "fr"} {
		if code, score := ls.Identify(sentence(t, lang, 5)); code != lang {
			t.Errorf("lingua on a %s sentence: %s (%.2f)", lang, code, score)
		}
	}
	if _, err := New(Config{Backend: "lingua", LinguaLanguages: []string{"en", "xx"}}); err == nil {
		t.Error("unknown lingua language: no error")
	}
}
