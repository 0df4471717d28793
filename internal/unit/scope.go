package unit

import (
	"strings"

	"kexie/internal/store"
)

// Scope is a set of subtrees of the unit tree: what a caller may see or
// change. It becomes a condition inside the SQL of every query, so a
// record outside it is never read, not filtered out afterwards.
type Scope struct {
	all   bool
	roots []string // materialised paths, each ending in "/"
}

// Everything is the scope of the system itself (command line, demo loader).
func Everything() Scope { return Scope{all: true} }

// Subtrees is the scope made of the subtrees rooted at the given paths.
func Subtrees(paths ...string) Scope {
	s := Scope{}
	for _, p := range paths {
		s = s.with(p)
	}
	return s
}

// with adds the subtree at path, dropping roots it covers.
func (s Scope) with(path string) Scope {
	if s.all || path == "" {
		return s
	}
	for _, r := range s.roots {
		if strings.HasPrefix(path, r) {
			return s
		}
	}
	kept := s.roots[:0:0]
	for _, r := range s.roots {
		if !strings.HasPrefix(r, path) {
			kept = append(kept, r)
		}
	}
	return Scope{roots: append(kept, path)}
}

// Union is the scope covering both.
func (s Scope) Union(o Scope) Scope {
	if s.all || o.all {
		return Everything()
	}
	for _, r := range o.roots {
		s = s.with(r)
	}
	return s
}

// IsEverything says whether the scope covers the whole tree.
func (s Scope) IsEverything() bool { return s.all }

// Empty says whether the scope covers nothing.
func (s Scope) Empty() bool { return !s.all && len(s.roots) == 0 }

// Roots returns the paths of the subtrees in the scope.
func (s Scope) Roots() []string { return append([]string(nil), s.roots...) }

// Contains says whether the unit at path lies in the scope.
func (s Scope) Contains(path string) bool {
	if s.all {
		return true
	}
	for _, r := range s.roots {
		if strings.HasPrefix(path, r) {
			return true
		}
	}
	return false
}

// PathRange returns the bounds [from, to) of the paths in the subtree at
// path: every descendant's path starts with path, which ends in "/", and
// "0" is the byte after "/", so the subtree is one index range scan.
func PathRange(path string) (from, to string) {
	return path, path[:len(path)-1] + "0"
}

// Cond returns a SQL condition true for rows whose path column col lies
// in the scope, registering its arguments in args.
func (s Scope) Cond(col string, args *store.Args) string {
	if s.all {
		return "1=1"
	}
	if len(s.roots) == 0 {
		return "1=0"
	}
	parts := make([]string, 0, len(s.roots))
	for _, r := range s.roots {
		from, to := PathRange(r)
		parts = append(parts, "("+col+" >= "+args.Add(from)+" AND "+col+" < "+args.Add(to)+")")
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// IDCond returns a SQL condition true when the unit id in column col lies
// in the scope, for tables of other packages that reference units by id.
func (s Scope) IDCond(col string, args *store.Args) string {
	if s.all {
		return "1=1"
	}
	return col + " IN (SELECT id FROM units WHERE " + s.Cond("path", args) + ")"
}
