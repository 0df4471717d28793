package web

import (
	"net/http"

	"kexie/internal/auth"
	"kexie/internal/unit"
)

type homeGrant struct {
	Role string
	Unit unit.Unit
}

type homeCount struct {
	Type  unit.Type
	Count int
}

type homePage struct {
	Base
	Grants []homeGrant
	Counts []homeCount
	Total  int
}

// pageHome shows what the caller's scope holds: the units it works at and
// how many units of each type lie below them.
func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	data := homePage{Base: s.base(r, "home.title", "home")}
	for _, g := range p.Grants {
		u, err := s.app.Units.Get(r.Context(), p.Scope(auth.PermRead), g.Unit)
		if err != nil {
			continue // a grant on a unit since closed or moved away
		}
		data.Grants = append(data.Grants, homeGrant{Role: string(g.Role), Unit: u})
	}
	types, err := s.app.Units.Types(r.Context())
	if err != nil {
		return err
	}
	byCode := map[string]unit.Type{}
	for _, t := range types {
		byCode[t.Code] = t
	}
	counts, err := s.app.Units.CountByType(r.Context(), p.Scope(auth.PermRead))
	if err != nil {
		return err
	}
	for _, c := range counts {
		data.Counts = append(data.Counts, homeCount{Type: byCode[c.Type], Count: c.Count})
		data.Total += c.Count
	}
	return s.render(w, r, http.StatusOK, "home", data)
}
