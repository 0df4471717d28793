package i18n

import (
	"sort"
	"strings"
	"testing"
)

// Every key must exist in both languages, with the same {placeholders}.
func TestCatalogsComplete(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Langs {
		other := EN
		if lang == EN {
			other = ZH
		}
		for _, k := range c.Keys(lang) {
			if !c.Has(other, k) {
				t.Errorf("key %q is in %s but missing in %s", k, lang, other)
				continue
			}
			if a, b := placeholders(c[lang][k]), placeholders(c[other][k]); a != b {
				t.Errorf("key %q: placeholders %s in %s but %s in %s", k, a, lang, b, other)
			}
		}
	}
}

func placeholders(s string) string {
	var out []string
	for {
		i := strings.Index(s, "{")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "}")
		if j < 0 {
			break
		}
		out = append(out, s[i:i+j+1])
		s = s[i+j+1:]
	}
	seen := map[string]bool{}
	uniq := []string{}
	for _, p := range out {
		if !seen[p] {
			seen[p] = true
			uniq = append(uniq, p)
		}
	}
	sort.Strings(uniq) // word order differs between languages
	return strings.Join(uniq, ",")
}

func TestPickAndT(t *testing.T) {
	cases := []struct {
		explicit []string
		accept   string
		want     string
	}{
		{nil, "", ZH},
		{nil, "fr-FR,fr;q=0.9", ZH},
		{nil, "en-US,en;q=0.9", EN},
		{nil, "fr,en;q=0.5", EN},
		{[]string{"en"}, "zh-CN", EN},
		{[]string{"xx"}, "zh-TW", ZH},
	}
	for _, c := range cases {
		if got := Pick(c.explicit, c.accept); got != c.want {
			t.Errorf("Pick(%v, %q) = %s, want %s", c.explicit, c.accept, got, c.want)
		}
	}
	cat := Catalog{ZH: {"a": "最多 {max} 个"}, EN: {}}
	if got := cat.T(EN, "a", map[string]any{"max": 3}); got != "最多 3 个" {
		t.Errorf("fallback to Chinese: %q", got)
	}
	if got := cat.T(EN, "missing", nil); got != "missing" {
		t.Errorf("missing key: %q", got)
	}
}
