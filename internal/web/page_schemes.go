package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/figure"
	"kexie/internal/scheme"
)

// pts prints points the Chinese way, to two decimals at most.
func pts(x float64, lang string) string { return figure.Format(x, "", 2, false, lang) }

type schemesPage struct {
	Base
	Schemes   []scheme.Scheme
	Runs      []scheme.RunSummary
	CanDefine bool
	Form      formState
}

// pageSchemes lists the schemes with their versions, and the runs the
// caller sees; an evaluator may add a scheme.
func (s *Server) pageSchemes(w http.ResponseWriter, r *http.Request) error {
	return s.showSchemes(w, r, http.StatusOK, newForm())
}

func (s *Server) showSchemes(w http.ResponseWriter, r *http.Request, status int, f formState) error {
	ss, err := s.app.Schemes.List(r.Context())
	if err != nil {
		return err
	}
	runs, err := s.app.Schemes.Runs(r.Context(), readScope(r), scheme.RunFilter{})
	if err != nil {
		return err
	}
	return s.render(w, r, status, "schemes", schemesPage{Base: s.base(r, "scheme.page.title", "schemes"), Schemes: ss, Runs: runs,
		CanDefine: canDefineSchemes(r), Form: f})
}

func (s *Server) pageSchemeCreate(w http.ResponseWriter, r *http.Request) error {
	if !canDefineSchemes(r) {
		return fault.ErrForbidden
	}
	if err := parseForm(r); err != nil {
		return err
	}
	sc := scheme.Scheme{Code: strings.TrimSpace(r.PostFormValue("code")), NameZH: strings.TrimSpace(r.PostFormValue("name_zh")),
		NameEN: strings.TrimSpace(r.PostFormValue("name_en")), UnitType: r.PostFormValue("unit_type")}
	if err := s.app.Schemes.Create(r.Context(), sc); err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "code", "name_zh", "unit_type"); ok {
			return s.showSchemes(w, r, status, f)
		}
		return err
	}
	return seeOther(w, r, "/schemes/"+sc.Code, "scheme_created")
}

// pageScheme shows a scheme's latest version, or sends one without
// versions to the editor of its first.
func (s *Server) pageScheme(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.app.Schemes.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	if len(sc.Versions) == 0 {
		return s.showVersion(w, r, http.StatusOK, sc, 0, newForm())
	}
	http.Redirect(w, r, fmt.Sprintf("/schemes/%s/versions/%d", sc.Code, sc.Versions[len(sc.Versions)-1]), http.StatusSeeOther)
	return nil
}

// nodeRow is one node of the tree editor.
type nodeRow struct {
	scheme.Derived
	Indent  int
	Share   string // the value edited: weight among siblings or points
	Source  string // the metric, or "hand"
	RuleTxt string
	WeightT string // share of the total, as a percentage
	MaxT    string
}

type ahpView struct {
	Node     string
	Children []string
	Matrix   [][]string
	Weights  []string
	Lambda   string
	CI, CR   string
	OK       bool
}

type versionPage struct {
	Base
	Scheme    scheme.Scheme
	Number    int
	Note      string
	History   []scheme.VersionInfo
	Version   scheme.Version
	Rows      []nodeRow
	AHP       []ahpView
	Runs      []scheme.RunSummary
	CanDefine bool
	CanRun    bool
	JSON      string
	Form      formState
	Check     *checkResult
	Period    string
}

func (s *Server) pageSchemeVersion(w http.ResponseWriter, r *http.Request) error {
	code, n, err := versionOf(r)
	if err != nil {
		return err
	}
	sc, err := s.app.Schemes.Get(r.Context(), code)
	if err != nil {
		return err
	}
	return s.showVersion(w, r, http.StatusOK, sc, n, newForm())
}

func ruleText(b Base, n scheme.Derived) string {
	if n.Rule == nil {
		return ""
	}
	r := n.Rule
	switch r.Kind {
	case scheme.Linear:
		return b.T("scheme.rule.text.linear", "floor", r.Floor, "target", r.Target)
	case scheme.Ratio:
		return b.T("scheme.rule.text.ratio", "target", r.Target)
	case scheme.Bands:
		var parts []string
		for _, x := range r.Bands {
			parts = append(parts, fmt.Sprintf("≥%g→%g%%", x.Min, x.Share*100))
		}
		return b.T("scheme.rule.text.bands", "bands", strings.Join(parts, " "))
	}
	return b.T("scheme.rule.text." + r.Kind)
}

func (s *Server) showVersion(w http.ResponseWriter, r *http.Request, status int, sc scheme.Scheme, n int, f formState) error {
	data := versionPage{Base: s.base(r, "scheme.page.title", "schemes"), Scheme: sc, Number: n, Form: f,
		CanDefine: canDefineSchemes(r), CanRun: principal(r).Can(auth.PermInspect), Period: "2021S1"}
	data.Title = sc.NameZH
	if data.Lang == "en" && sc.NameEN != "" {
		data.Title = sc.NameEN
	}
	h, err := s.app.Schemes.Versions(r.Context(), sc.Code)
	if err != nil {
		return err
	}
	data.History = h
	if n == 0 {
		// a new scheme: start from a one-leaf tree to edit as JSON
		data.Version = scheme.Version{Mode: scheme.ByWeights, Total: 100, Nodes: []scheme.Node{{Code: "A", NameZH: "指标", Weight: 1, Manual: true, Rule: &scheme.Rule{Kind: scheme.YesNo}}},
			Grades: scheme.Grading{Method: scheme.ByThreshold, Levels: []scheme.GradeLevel{{Name: "合格", Min: 60}, {Name: "不合格"}}}}
	} else {
		v, err := s.app.Schemes.Version(r.Context(), sc.Code, n)
		if err != nil {
			return err
		}
		data.Version = v
		for _, x := range h {
			if x.Number == n {
				data.Note = x.Note
			}
		}
	}
	d, err := data.Version.Derive()
	if err != nil {
		return err
	}
	shareOf := map[string]float64{}
	for _, x := range data.Version.Nodes {
		shareOf[x.Code] = x.Weight
		if data.Version.Mode == scheme.ByPoints {
			shareOf[x.Code] = x.Points
		}
	}
	for _, x := range d.Nodes {
		row := nodeRow{Derived: x, Indent: x.Level - 1, Share: strconv.FormatFloat(shareOf[x.Code], 'f', -1, 64), RuleTxt: ruleText(data.Base, x),
			WeightT: figure.Format(x.Weight*100, "%", 2, true, data.Lang), MaxT: pts(x.Max, data.Lang)}
		if v := f.V("share." + x.Code); v != "" {
			row.Share = v
		}
		switch {
		case x.Manual:
			row.Source = data.T("scheme.page.hand")
		case x.Metric != "":
			row.Source = x.Metric
		}
		data.Rows = append(data.Rows, row)
	}
	for _, a := range d.AHP {
		av := ahpView{Node: a.Node, Children: a.Children, Lambda: fmt.Sprintf("%.4f", a.Lambda), CI: fmt.Sprintf("%.4f", a.CI), CR: fmt.Sprintf("%.4f", a.CR), OK: a.CR < 0.1}
		if av.Node == "" {
			av.Node = "—"
		}
		for _, row := range a.Matrix {
			var cells []string
			for _, x := range row {
				cells = append(cells, strconv.FormatFloat(round(x, 3), 'f', -1, 64))
			}
			av.Matrix = append(av.Matrix, cells)
		}
		for _, x := range a.Weights {
			av.Weights = append(av.Weights, fmt.Sprintf("%.4f", x))
		}
		data.AHP = append(data.AHP, av)
	}
	if n > 0 {
		runs, err := s.app.Schemes.Runs(r.Context(), readScope(r), scheme.RunFilter{Scheme: sc.Code, Version: n})
		if err != nil {
			return err
		}
		data.Runs = runs
	}
	js := f.V("json")
	if js == "" {
		b, _ := json.MarshalIndent(data.Version, "", "  ")
		js = string(b)
	}
	data.JSON = js
	return s.render(w, r, status, "scheme_version", data)
}

func round(x float64, d int) float64 {
	p := 1.0
	for range d {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}

// editedVersion is the version the editor submitted: the JSON of the
// whole version (advanced), or the shown version with the shares typed
// in the tree.
func (s *Server) editedVersion(r *http.Request, code string, n int) (scheme.Version, error) {
	if js := strings.TrimSpace(r.PostFormValue("json")); js != "" && r.PostFormValue("from") == "json" {
		var v scheme.Version
		if err := decodeJSON(strings.NewReader(js), &v); err != nil {
			return v, err
		}
		return v, nil
	}
	v, err := s.app.Schemes.Version(r.Context(), code, n)
	if err != nil {
		return v, err
	}
	for i, x := range v.Nodes {
		raw := strings.TrimSpace(r.PostFormValue("share." + x.Code))
		if raw == "" {
			continue
		}
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			f = -1 // refused below as not above zero
		}
		if v.Mode == scheme.ByPoints {
			v.Nodes[i].Points = f
		} else {
			v.Nodes[i].Weight = f
		}
		v.Nodes[i].AHP = nil // the weights are typed now
	}
	v.RootAHP = nil
	return v, nil
}

// checkResult is the answer of the editor's check: the version's sums
// per parent, and the refusals.
type checkResult struct {
	OK       bool
	Messages []string
}

// pageSchemeCheck checks the edited tree without saving it (htmx): the
// messages of every fault, or that it would save.
func (s *Server) pageSchemeCheck(w http.ResponseWriter, r *http.Request) error {
	code, n, err := versionOf(r)
	if err != nil && r.PathValue("n") != "0" {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	res := checkResult{OK: true}
	v, err := s.editedVersion(r, code, n)
	if err == nil {
		err = v.ApplyAHP()
	}
	if err == nil {
		err = v.Validate()
	}
	if err != nil {
		p := s.problemOf(r, err)
		if p.Status >= 500 {
			return err
		}
		res.OK = false
		for _, e := range p.Errors {
			res.Messages = append(res.Messages, e.Message)
		}
		if len(p.Errors) == 0 {
			res.Messages = append(res.Messages, p.Title)
		}
	}
	data := struct {
		Base
		Check *checkResult
	}{s.base(r, "scheme.page.title", "schemes"), &res}
	return s.renderFragment(w, "scheme_version", "scheme-check", data)
}

// pageSchemeSave saves the edited tree as the scheme's next version.
func (s *Server) pageSchemeSave(w http.ResponseWriter, r *http.Request) error {
	if !canDefineSchemes(r) {
		return fault.ErrForbidden
	}
	code := r.PathValue("code")
	n, _ := strconv.Atoi(r.PathValue("n"))
	if err := parseForm(r); err != nil {
		return err
	}
	sc, err := s.app.Schemes.Get(r.Context(), code)
	if err != nil {
		return err
	}
	v, err := s.editedVersion(r, code, n)
	if err == nil {
		var m int
		m, err = s.app.Schemes.AddVersion(r.Context(), code, r.PostFormValue("note"), v)
		if err == nil {
			return seeOther(w, r, fmt.Sprintf("/schemes/%s/versions/%d", code, m), "scheme_version_saved")
		}
	}
	f := formState{}
	if status, ok := s.refuse(r, err, &f, "note"); ok {
		return s.showVersion(w, r, status, sc, n, f)
	}
	return err
}

// pageRunStart starts a run from the version page.
func (s *Server) pageRunStart(w http.ResponseWriter, r *http.Request) error {
	code, n, err := versionOf(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	run, err := s.app.Schemes.Start(r.Context(), evaluates(r), code, n, strings.TrimSpace(r.PostFormValue("unit")), strings.TrimSpace(r.PostFormValue("period")))
	if err != nil {
		sc, gerr := s.app.Schemes.Get(r.Context(), code)
		if gerr != nil {
			return gerr
		}
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "unit", "period"); ok {
			return s.showVersion(w, r, status, sc, n, f)
		}
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/scheme-runs/%d", run.ID), "scheme_run_started")
}
