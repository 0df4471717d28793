package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"kexie/internal/audit"
	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/unit"
)

// unitChildrenPerPage is how many children the unit page lists at once.
const unitChildrenPerPage = 50

type unitPage struct {
	Base
	Unit       unit.Unit
	TypeName   string
	GroupNames []string
	Trail      []unit.Unit // the ancestors the caller may see, root first
	Children   []treeNode
	ChildTotal int
	Pager      pager
	Audit      *auditView
	CanWrite   bool
	Types      []unit.Type
	Groups     []unit.Group
	// the forms of a unit writer
	Edit, Child, Move, Close, Reopen formState
}

// pageUnit shows one unit: where it sits, its facts, its children, its
// recent history and, for those who may change it, the forms to do so.
func (s *Server) pageUnit(w http.ResponseWriter, r *http.Request) error {
	data, err := s.unitPageData(r, r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "unit", data)
}

func (s *Server) unitPageData(r *http.Request, code string) (*unitPage, error) {
	ctx := r.Context()
	p := principal(r)
	read := p.Scope(auth.PermRead)
	u, err := s.app.Units.Get(ctx, read, code)
	if err != nil {
		return nil, err
	}
	d := &unitPage{Base: s.base(r, "unitpage.title", "units"), Unit: u}
	d.Title = u.Name(d.Lang)
	var names map[string]string
	if d.Types, names, err = s.typeNames(r, d.Lang); err != nil {
		return nil, err
	}
	d.TypeName = names[u.Type]
	if d.TypeName == "" {
		d.TypeName = u.Type
	}
	if d.Groups, err = s.app.Units.Groups(ctx); err != nil {
		return nil, err
	}
	for _, g := range d.Groups {
		for _, c := range u.Groups {
			if c == g.Code {
				d.GroupNames = append(d.GroupNames, localName(d.Lang, g.NameZH, g.NameEN))
			}
		}
	}
	codes := unit.Ancestors(u.Path)
	for _, c := range codes[:len(codes)-1] {
		a, err := s.app.Units.Get(ctx, read, c)
		if errors.Is(err, fault.ErrNotFound) {
			continue // above the caller's scope
		}
		if err != nil {
			return nil, err
		}
		d.Trail = append(d.Trail, a)
	}
	page, err := queryInt(r, "page", 1)
	if err != nil {
		return nil, err
	}
	kids, err := s.app.Units.List(ctx, read, unit.Filter{Parent: u.Code, Closed: true, Page: page, PerPage: unitChildrenPerPage})
	if err != nil {
		return nil, err
	}
	d.Children, d.ChildTotal = nodesOf(d.Base, kids.Items, names), kids.Total
	d.Pager = pagerOf(r, "page", kids.Page, kids.PerPage, kids.Total)
	if p.Scope(auth.PermAuditRead).Contains(u.Path) {
		f := audit.Filter{Limit: 10}
		if err := s.auditUnit(ctx, p, &f, u.Code); err != nil {
			return nil, err
		}
		entries, err := s.app.Audit.List(ctx, auditScope(p, false), f)
		if err != nil {
			return nil, err
		}
		d.Audit = &auditView{Base: d.Base, Rows: auditRows(entries), All: "/audit?unit=" + url.QueryEscape(u.Code)}
	}
	d.CanWrite = p.Scope(auth.PermUnitWrite).Contains(u.Path)
	d.Edit = newForm("type", u.Type, "name_zh", u.NameZH, "name_en", u.NameEN, "opened_on", u.OpenedOn,
		"version", strconv.Itoa(u.Version))
	for _, g := range u.Groups {
		d.Edit.values.Add("groups", g)
	}
	d.Child, d.Move, d.Close, d.Reopen = newForm(), newForm(), newForm(), newForm()
	return d, nil
}

// ParentName is the parent's name when the caller may see the parent.
func (d *unitPage) ParentName() string {
	if n := len(d.Trail); n > 0 && d.Trail[n-1].Code == d.Unit.Parent {
		return d.Trail[n-1].Name(d.Lang)
	}
	return ""
}

// localName picks the English name in English when there is one.
func localName(lang, zh, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return zh
}
