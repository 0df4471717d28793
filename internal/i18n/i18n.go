// Package i18n holds kexie's messages in zh-CN (the reference) and en, and
// picks the language of a request. Messages are flat JSON maps from key to
// text; "{name}" in a text is replaced by the argument of that name.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// The languages kexie speaks, the first being the default.
const (
	ZH = "zh-CN"
	EN = "en"
)

// Langs lists the supported languages, default first.
var Langs = []string{ZH, EN}

//go:embed locales/*.json
var files embed.FS

// Catalog maps language → key → text.
type Catalog map[string]map[string]string

// Load reads the embedded message files. Each area of kexie keeps its own
// pair, locales/AREA.zh-CN.json and locales/AREA.en.json; a key defined
// twice is an error.
func Load() (Catalog, error) {
	c := Catalog{}
	for _, lang := range Langs {
		c[lang] = map[string]string{}
		names, err := fs.Glob(files, "locales/*."+lang+".json")
		if err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("no message files for %s", lang)
		}
		for _, name := range names {
			b, err := fs.ReadFile(files, name)
			if err != nil {
				return nil, err
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for k, v := range m {
				if _, dup := c[lang][k]; dup {
					return nil, fmt.Errorf("%s: key %q defined twice", name, k)
				}
				c[lang][k] = v
			}
		}
	}
	return c, nil
}

// MustLoad is Load for start-up, where a broken embedded file is a bug.
func MustLoad() Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Has says whether key exists in lang.
func (c Catalog) Has(lang, key string) bool {
	_, ok := c[lang][key]
	return ok
}

// Keys returns the sorted keys of lang.
func (c Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c[lang]))
	for k := range c[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// T returns the text of key in lang with args substituted. A missing key
// falls back to Chinese, then to the key itself, so a page never breaks.
func (c Catalog) T(lang, key string, args map[string]any) string {
	s, ok := c[lang][key]
	if !ok {
		if s, ok = c[ZH][key]; !ok {
			return key
		}
	}
	if len(args) == 0 || !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, 2*len(args))
	for k, v := range args {
		pairs = append(pairs, "{"+k+"}", fmt.Sprint(v))
		// A pair of arguments NAME_zh / NAME_en (a message written by
		// whoever configured a rule) fills {NAME} in the reader's language.
		if base, ok := strings.CutSuffix(k, "_zh"); ok {
			if en, has := args[base+"_en"]; has && lang == EN && fmt.Sprint(en) != "" {
				v = en
			}
			pairs = append(pairs, "{"+base+"}", fmt.Sprint(v))
		}
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Pick chooses a language: the first of the candidates (a cookie, the
// user's setting, then Accept-Language) that kexie speaks, else Chinese.
func Pick(explicit []string, acceptLanguage string) string {
	for _, l := range explicit {
		if l = normalize(l); l != "" {
			return l
		}
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		if l := normalize(tag); l != "" {
			return l
		}
	}
	return ZH
}

func normalize(tag string) string {
	t := strings.ToLower(strings.TrimSpace(tag))
	switch {
	case t == "":
		return ""
	case strings.HasPrefix(t, "zh"):
		return ZH
	case strings.HasPrefix(t, "en"):
		return EN
	}
	return ""
}
