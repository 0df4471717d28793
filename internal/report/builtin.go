package report

import (
	"embed"
	"io/fs"
	"sort"
	"strings"

	"kexie/internal/fault"
)

//go:embed builtin/*.md
var builtinFS embed.FS

// Builtin returns the source of a built-in template by name
// (half-year-review), or fault.ErrNotFound.
func Builtin(name string) (string, error) {
	b, err := builtinFS.ReadFile("builtin/" + name + ".md")
	if err != nil || strings.ContainsAny(name, "/\\.") {
		return "", fault.NotFound("report.template", name)
	}
	return string(b), nil
}

// BuiltinNames lists the built-in templates.
func BuiltinNames() []string {
	ents, _ := fs.ReadDir(builtinFS, "builtin")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".md"))
	}
	sort.Strings(out)
	return out
}
