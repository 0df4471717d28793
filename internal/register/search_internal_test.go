package register

import (
	"strings"
	"testing"
	"unicode/utf8"
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

func TestSearchTextCutsWholeCharacters(t *testing.T) {
	reg := &Register{Schema: Schema{Fields: []Field{{Code: "body", Type: TypeLongText}}}}
	for n := 495; n <= 505; n++ {
		long := strings.Repeat("a", n%3) + strings.Repeat("科", 300)
		got := reg.searchText(map[string]any{"body": long})
		if !utf8.ValidString(got) {
			t.Fatalf("search text of %d bytes is not valid UTF-8", len(long))
		}
		if len(got) > 501 || len(got) < 497 {
			t.Fatalf("search text is %d bytes, want the 500 first bytes' whole characters", len(got))
		}
	}
}
