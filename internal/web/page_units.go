package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kexie/internal/auth"
	"kexie/internal/unit"
)

// treePerPage is how many children one expansion of a tree node shows.
const treePerPage = 100

// treeNodes is a list of tree nodes: the top of the tree, or the children
// of a node fetched by htmx.
type treeNodes struct {
	Base
	Items  []treeNode
	More   string // link to the next page of the same children
	Closed bool   // closed units are shown too
}

// treeNode is one unit in the tree; Kids holds its children when they
// were loaded with the page.
type treeNode struct {
	unit.Unit
	TypeName string
	Kids     *treeNodes
	b        Base
}

// T translates in the page's language.
func (n treeNode) T(key string, args ...any) string { return n.b.T(key, args...) }

// Label is the unit's name in the page's language.
func (n treeNode) Label() string { return n.Name(n.b.Lang) }

type unitsPage struct {
	Base
	Q, Type, Group string
	Closed         bool
	Types          []unit.Type
	Groups         []unit.Group
	Searching      bool
	Tree           *treeNodes
	Results        []treeNode
	Total          int
	Pager          pager
	Form           formState
}

// typeNames maps unit type codes to their names in lang.
func (s *Server) typeNames(r *http.Request, lang string) ([]unit.Type, map[string]string, error) {
	types, err := s.app.Units.Types(r.Context())
	if err != nil {
		return nil, nil, err
	}
	names := make(map[string]string, len(types))
	for _, t := range types {
		names[t.Code] = t.NameZH
		if lang == "en" && t.NameEN != "" {
			names[t.Code] = t.NameEN
		}
	}
	return types, names, nil
}

func nodesOf(b Base, items []unit.Unit, typeNames map[string]string) []treeNode {
	out := make([]treeNode, len(items))
	for i, u := range items {
		out[i] = treeNode{Unit: u, TypeName: typeNames[u.Type], b: b}
		if out[i].TypeName == "" {
			out[i].TypeName = u.Type
		}
	}
	return out
}

// pageUnits is the unit tree: the caller's top units, unfolded one level
// when there are few of them, or a flat list of the units matching a search.
func (s *Server) pageUnits(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	data := unitsPage{Base: s.base(r, "units.title", "units")}
	types, names, err := s.typeNames(r, data.Lang)
	if err != nil {
		return err
	}
	data.Types = types
	if data.Groups, err = s.app.Units.Groups(r.Context()); err != nil {
		return err
	}
	f, err := unitFilter(r)
	if err != nil {
		status, ok := s.refuse(r, err, &data.Form, "q")
		if !ok {
			return err
		}
		data.Q = r.URL.Query().Get("q")
		return s.render(w, r, status, "units", data)
	}
	data.Q, data.Type, data.Group, data.Closed = f.Q, f.Type, f.Group, f.Closed
	scope := p.Scope(auth.PermRead)
	data.Searching = f.Q != "" || f.Type != "" || f.Group != ""
	if data.Searching {
		f.Parent, f.Under, f.PerPage = "", "", 50
		page, err := s.app.Units.List(r.Context(), scope, f)
		if err != nil {
			return err
		}
		data.Results, data.Total = nodesOf(data.Base, page.Items, names), page.Total
		data.Pager = pagerOf(r, "page", page.Page, page.PerPage, page.Total)
		return s.render(w, r, http.StatusOK, "units", data)
	}
	data.Tree = &treeNodes{Base: data.Base, Closed: f.Closed}
	for _, root := range scope.Roots() {
		codes := unit.Ancestors(root)
		u, err := s.app.Units.Get(r.Context(), scope, codes[len(codes)-1])
		if err != nil {
			return err
		}
		data.Tree.Items = append(data.Tree.Items, nodesOf(data.Base, []unit.Unit{u}, names)...)
	}
	if len(data.Tree.Items) <= 3 {
		for i := range data.Tree.Items {
			n := &data.Tree.Items[i]
			if n.Children == 0 {
				continue
			}
			if n.Kids, err = s.treeChildren(r, data.Base, scope, n.Code, 1, f.Closed, names); err != nil {
				return err
			}
		}
	}
	return s.render(w, r, http.StatusOK, "units", data)
}

func (s *Server) treeChildren(r *http.Request, b Base, scope unit.Scope, code string, page int, closed bool, names map[string]string) (*treeNodes, error) {
	res, err := s.app.Units.List(r.Context(), scope, unit.Filter{Parent: code, Page: page, PerPage: treePerPage, Closed: closed})
	if err != nil {
		return nil, err
	}
	out := &treeNodes{Base: b, Items: nodesOf(b, res.Items, names), Closed: closed}
	if page*treePerPage < res.Total {
		q := url.Values{"page": {strconv.Itoa(page + 1)}}
		if closed {
			q.Set("closed", "true")
		}
		out.More = "/units/" + url.PathEscape(code) + "/children?" + q.Encode()
	}
	return out, nil
}

// pageUnitChildren is the fragment htmx swaps in when a tree node opens.
// Without htmx (a bookmark, a browser without scripts) it sends the
// browser to the unit's page, which lists the same children.
func (s *Server) pageUnitChildren(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	scope := principal(r).Scope(auth.PermRead)
	if _, err := s.app.Units.Get(r.Context(), scope, code); err != nil {
		return err
	}
	if !isHTMX(r) {
		http.Redirect(w, r, "/units/"+url.PathEscape(code)+"#children", http.StatusSeeOther)
		return nil
	}
	f, err := unitFilter(r)
	if err != nil {
		return err
	}
	b := s.base(r, "units.title", "units")
	_, names, err := s.typeNames(r, b.Lang)
	if err != nil {
		return err
	}
	nodes, err := s.treeChildren(r, b, scope, code, f.Page, f.Closed, names)
	if err != nil {
		return err
	}
	return s.renderFragment(w, "units", "unit-nodes", nodes)
}
