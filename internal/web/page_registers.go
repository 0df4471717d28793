package web

import (
	"net/http"
	"net/url"
	"slices"

	"kexie/internal/auth"
	"kexie/internal/register"
	"kexie/internal/unit"
)

// registerRow is a register on the registers page.
type registerRow struct {
	Code, Name, Description string
	Count                   int
	Capped                  bool // Count stopped counting: there are more
	CanEnter                bool
}

type registersPage struct {
	Base
	Rows      []registerRow
	CanDefine bool // may change schemas and add registers
}

// usable says whether a register is for units of the types a scope holds
// (a register for any type is for everyone).
func usable(reg *register.Register, types map[string]bool) bool {
	if len(reg.Schema.UnitTypes) == 0 {
		return len(types) > 0
	}
	return slices.ContainsFunc(reg.Schema.UnitTypes, func(t string) bool { return types[t] })
}

// scopeTypes lists the unit types of the open units in scope.
func (s *Server) scopeTypes(r *http.Request, scope unit.Scope) (map[string]bool, error) {
	counts, err := s.app.Units.CountByType(r.Context(), scope)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(counts))
	for _, c := range counts {
		out[c.Type] = true
	}
	return out, nil
}

// pageRegisters lists the registers the caller works with: those for the
// kinds of unit in its scope, with how many records of each it can see.
func (s *Server) pageRegisters(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	acc := recordAccess(p)
	data := registersPage{Base: s.base(r, "registers.title", "registers"), CanDefine: canDefineRegisters(r)}
	regs, err := s.app.Registers.List(r.Context())
	if err != nil {
		return err
	}
	readTypes, err := s.scopeTypes(r, acc.Read)
	if err != nil {
		return err
	}
	enterTypes, err := s.scopeTypes(r, acc.Enter)
	if err != nil {
		return err
	}
	for _, reg := range regs {
		if !usable(reg, readTypes) {
			continue
		}
		_, page, err := s.app.Registers.ListRecords(r.Context(), acc.Read, reg.Code, register.Filter{PerPage: 1, CapTotal: true})
		if err != nil {
			return err
		}
		sc := reg.Schema
		data.Rows = append(data.Rows, registerRow{Code: reg.Code, Name: localName(data.Lang, sc.NameZH, sc.NameEN),
			Description: localName(data.Lang, sc.DescriptionZH, sc.DescriptionEN), Count: page.Total, Capped: page.Capped,
			CanEnter: usable(reg, enterTypes)})
	}
	return s.render(w, r, http.StatusOK, "registers", data)
}

// registerURL is the page of a register's records.
func registerURL(code string) string { return "/registers/" + url.PathEscape(code) }

// recordURL is the page of one record.
func recordURL(code string, id int64) string {
	return registerURL(code) + "/records/" + idString(id)
}

// canEnterIn says whether the caller may enter records of reg somewhere.
func (s *Server) canEnterIn(r *http.Request, p *auth.Principal, reg *register.Register) (bool, error) {
	enter := p.Scope(auth.PermDataEntry)
	if enter.Empty() {
		return false, nil
	}
	types, err := s.scopeTypes(r, enter)
	if err != nil {
		return false, err
	}
	return usable(reg, types), nil
}
