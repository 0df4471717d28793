package register

import (
	"strings"
	"testing"
)

// pairDoc spells the same tokens as pairs and pairToken, whatever the text.
func TestPairDoc(t *testing.T) {
	for _, s := range []string{"", "量", "量子", "量子量子科技", "AbC %_\\ 科普", "a\xffb\xfe量", "aaaa"} {
		ps := pairs(s)
		toks := make([]string, len(ps))
		for i, p := range ps {
			toks[i] = pairToken(p)
		}
		if got, want := pairDoc(s), strings.Join(toks, " "); got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
}
