package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"kexie/internal/auth"
	"kexie/internal/scheme"
	"kexie/internal/unit"
)

// leagueRow is a line of the league table as the page prints it.
type leagueRow struct {
	scheme.Row
	Name   string
	TotalT string
	Topsis string
	// Moved since published: today's total and rank when they differ.
	NowT    string
	RankNow int
	Up      bool
	// Corrected: points of the unit changed on upheld objections.
	Corrected bool
}

type runPage struct {
	Base
	Run        scheme.Run
	SchemeName string
	Rows       []leagueRow
	Moved      int
	Published  bool
	Open       bool // objections window open
	CanEval    bool
	Objections []objectionView
	Others     []scheme.RunSummary
	Form       formState
}

type objectionView struct {
	scheme.Objection
	Node string
	// Correction made on the objection, when upheld with one.
	Correction *correctionView
}

func (s *Server) schemeName(r *http.Request, code string) string {
	sc, err := s.app.Schemes.Get(r.Context(), code)
	if err != nil {
		return code
	}
	if reqOf(r).lang == "en" && sc.NameEN != "" {
		return sc.NameEN
	}
	return sc.NameZH
}

func rowName(r scheme.Row, lang string) string {
	if lang == "en" && r.NameEN != "" {
		return r.NameEN
	}
	return r.NameZH
}

// nodeNames maps the codes of a version's nodes, bonuses and vetoes to
// their names in lang.
func nodeNames(v scheme.Version, lang string) map[string]string {
	out := map[string]string{}
	pick := func(zh, en string) string {
		if lang == "en" && en != "" {
			return en
		}
		return zh
	}
	for _, n := range v.Nodes {
		out[n.Code] = pick(n.NameZH, n.NameEN)
	}
	for _, a := range v.Bonuses {
		out[a.Code] = pick(a.NameZH, a.NameEN)
	}
	for _, x := range v.Vetoes {
		out[x.Code] = pick(x.NameZH, x.NameEN)
	}
	return out
}

// pageRun shows a run's league table: rank, total, grade, TOPSIS and,
// once published, what moved since on today's data; the evaluator's
// actions and the objections.
func (s *Server) pageRun(w http.ResponseWriter, r *http.Request) error {
	return s.showRun(w, r, http.StatusOK, newForm())
}

func (s *Server) showRun(w http.ResponseWriter, r *http.Request, status int, f formState) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	ctx := r.Context()
	rows, err := s.app.Schemes.Rows(ctx, readScope(r), id, false)
	if err != nil {
		return err
	}
	run, err := s.app.Schemes.Run(ctx, unit.Everything(), id)
	if err != nil {
		return err
	}
	data := runPage{Base: s.base(r, "scheme.page.run", "schemes"), Run: run, Form: f, Published: run.State == scheme.Published,
		SchemeName: s.schemeName(r, run.Scheme)}
	data.Title = fmt.Sprintf("%s · %s", data.SchemeName, run.Period)
	data.Open = data.Published && run.ObjectionsUntil != nil && time.Now().Before(*run.ObjectionsUntil)
	if _, err := s.app.Schemes.Run(ctx, evaluates(r), id); err == nil {
		data.CanEval = true
	}
	moved := map[string]scheme.Moved{}
	if data.Published {
		ms, err := s.app.Schemes.Moved(ctx, readScope(r), id)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Node == "" {
				moved[m.Unit] = m
			}
		}
		data.Moved = len(moved)
	}
	for _, x := range rows {
		lr := leagueRow{Row: x, Name: rowName(x, data.Lang), TotalT: pts(x.Total, data.Lang), Topsis: fmt.Sprintf("%.3f", x.Topsis)}
		if m, ok := moved[x.Unit]; ok {
			lr.NowT, lr.RankNow, lr.Up = pts(m.Now, data.Lang), m.RankNow, m.RankNow < m.RankWas
		}
		data.Rows = append(data.Rows, lr)
	}
	v, err := s.app.Schemes.Version(ctx, run.Scheme, run.Version)
	if err != nil {
		return err
	}
	names := nodeNames(v, data.Lang)
	os, err := s.app.Schemes.Objections(ctx, readScope(r), id)
	if err != nil {
		return err
	}
	cs, err := s.app.Schemes.Corrections(ctx, readScope(r), id, "")
	if err != nil {
		return err
	}
	byObjection := map[int64]*correctionView{}
	corrected := map[string]bool{}
	for _, c := range cs {
		cv := viewCorrection(data.Base, c, names)
		byObjection[c.Objection] = &cv
		corrected[c.Unit] = true
	}
	for i := range data.Rows {
		data.Rows[i].Corrected = corrected[data.Rows[i].Unit]
	}
	for _, o := range os {
		data.Objections = append(data.Objections, objectionView{Objection: o, Node: names[o.Node], Correction: byObjection[o.ID]})
	}
	others, err := s.app.Schemes.Runs(ctx, readScope(r), scheme.RunFilter{Scheme: run.Scheme})
	if err != nil {
		return err
	}
	for _, o := range others {
		if o.ID != id {
			data.Others = append(data.Others, o)
		}
	}
	return s.render(w, r, status, "scheme_run", data)
}

// pageRunAct publishes or rescores a run.
func (s *Server) pageRunAct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := s.mayEvaluate(r, id); err != nil {
		return err
	}
	switch r.PostFormValue("action") {
	case "publish":
		days, perr := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
		if perr != nil {
			days = -1
		}
		err = s.app.Schemes.Publish(r.Context(), evaluates(r), id, days)
	case "rescore":
		err = s.app.Schemes.Rescore(r.Context(), evaluates(r), id)
	default:
		return &bodyError{field: "action", key: "error.query"}
	}
	if err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "days"); ok {
			return s.showRun(w, r, status, f)
		}
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/scheme-runs/%d", id), "scheme_run_"+r.PostFormValue("action"))
}

// pageObjectionAnswer answers an objection from the run page.
func (s *Server) pageObjectionAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "objection")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	o, err := s.app.Schemes.Objection(r.Context(), readScope(r), id)
	if err != nil {
		return err
	}
	rp := scheme.Reply{Answer: r.PostFormValue("answer"), Upheld: r.PostFormValue("upheld") == "yes",
		Value: formNumber(r, "value"), Points: formNumber(r, "points")}
	if err := s.app.Schemes.Answer(r.Context(), evaluates(r), id, rp); err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "answer", "value", "points"); ok {
			r.SetPathValue("id", strconv.FormatInt(o.Run, 10))
			return s.showRun(w, r, status, f)
		}
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/scheme-runs/%d", o.Run), "scheme_answered")
}

// formNumber reads an optional number from a form: nil when blank, NaN
// (refused by the service as not a number) when unreadable.
func formNumber(r *http.Request, name string) *float64 {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		x = math.NaN()
	}
	return &x
}

// correctionView is a point corrected on an upheld objection as printed:
// Text says value and points before and after.
type correctionView struct {
	scheme.Correction
	Name string
	Text string
}

func viewCorrection(b Base, c scheme.Correction, names map[string]string) correctionView {
	v := correctionView{Correction: c, Name: names[c.Node]}
	if c.ByPoints || c.Value == nil {
		v.Text = b.T("scheme.page.correction_points", "was", pts(c.PointsWas, b.Lang), "now", pts(c.Points, b.Lang))
		return v
	}
	was := "—"
	if c.ValueWas != nil {
		was = pts(*c.ValueWas, b.Lang)
	}
	v.Text = b.T("scheme.page.correction_value", "value_was", was, "value", pts(*c.Value, b.Lang),
		"was", pts(c.PointsWas, b.Lang), "now", pts(c.Points, b.Lang))
	return v
}

// cardNode is a node of a scorecard as printed: its points and where
// they came from.
type cardNode struct {
	scheme.NodeScore
	Name    string
	Level   int
	Leaf    bool
	Adjust  bool
	ValueT  string
	PointsT string
	MaxT    string
	WeightT string
	RuleT   string
	// Corrected: the corrections of this point on upheld objections.
	Corrected []correctionView
}

type scorecardPage struct {
	Base
	Run        scheme.Run
	SchemeName string
	Row        scheme.Row
	UnitName   string
	TotalT     string
	Nodes      []cardNode
	VetoName   string
	// Corrections counts the points changed on upheld objections.
	Corrections int
	CanObject   bool
	Objections  []objectionView
	Form        formState
}

// pageScorecard shows one unit's scorecard: its tree with the points of
// every node and, for each leaf, the value, the rule and the weight that
// made them; printable; with the objection form while the window is open.
func (s *Server) pageScorecard(w http.ResponseWriter, r *http.Request) error {
	return s.showScorecard(w, r, http.StatusOK, newForm())
}

func (s *Server) showScorecard(w http.ResponseWriter, r *http.Request, status int, f formState) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	ctx := r.Context()
	row, err := s.app.Schemes.Scorecard(ctx, readScope(r), id, r.PathValue("unit"))
	if err != nil {
		return err
	}
	run, err := s.app.Schemes.Run(ctx, unit.Everything(), id)
	if err != nil {
		return err
	}
	v, err := s.app.Schemes.Version(ctx, run.Scheme, run.Version)
	if err != nil {
		return err
	}
	d, err := v.Derive()
	if err != nil {
		return err
	}
	data := scorecardPage{Base: s.base(r, "scheme.page.scorecard", "schemes"), Run: run, Row: row, Form: f,
		SchemeName: s.schemeName(r, run.Scheme), UnitName: rowName(row, reqOf(r).lang)}
	data.TotalT = pts(row.Total, data.Lang)
	data.Title = data.UnitName + " · " + data.SchemeName
	names := nodeNames(v, data.Lang)
	if row.Vetoed {
		for _, x := range v.Vetoes {
			data.VetoName = names[x.Code]
			break
		}
	}
	level := map[string]scheme.Derived{}
	for _, x := range d.Nodes {
		level[x.Code] = x
	}
	// the scorecard in tree order (depth first), then bonuses and penalties
	byCode := map[string]scheme.NodeScore{}
	for _, n := range row.Nodes {
		byCode[n.Code] = n
	}
	corrected := map[string][]correctionView{}
	byObjection := map[int64]*correctionView{}
	for _, c := range row.Corrections {
		cv := viewCorrection(data.Base, c, names)
		corrected[c.Node] = append(corrected[c.Node], cv)
		byObjection[c.Objection] = &cv
	}
	data.Corrections = len(row.Corrections)
	add := func(n scheme.NodeScore, lv int, leaf, adjust bool) {
		c := cardNode{NodeScore: n, Name: names[n.Code], Level: lv, Leaf: leaf, Adjust: adjust, PointsT: pts(n.Points, data.Lang),
			MaxT: pts(n.Max, data.Lang), WeightT: fmt.Sprintf("%.2f%%", n.Weight*100), Corrected: corrected[n.Code]}
		if n.Value != nil {
			c.ValueT = pts(*n.Value, data.Lang)
		} else if leaf {
			c.ValueT = "—"
		}
		if leaf && !adjust {
			c.RuleT = ruleText(data.Base, level[n.Code])
			if n.Value == nil {
				c.RuleT += " · " + data.T("scheme.page.no_value")
			}
		}
		if adjust {
			for _, a := range v.Bonuses {
				if a.Code == n.Code {
					key := "scheme.page.bonus_text"
					if a.Penalty {
						key = "scheme.page.penalty_text"
					}
					c.RuleT = data.T(key, "per", a.PerUnit, "cap", a.Cap)
				}
			}
		}
		data.Nodes = append(data.Nodes, c)
	}
	for _, x := range d.Nodes {
		if n, ok := byCode[x.Code]; ok {
			add(n, x.Level, x.Leaf, false)
		}
	}
	for _, a := range v.Bonuses {
		if n, ok := byCode[a.Code]; ok {
			add(n, 1, true, true)
		}
	}
	p := principal(r)
	u, err := s.app.Units.Get(ctx, unit.Everything(), row.Unit)
	if err != nil {
		return err
	}
	data.CanObject = run.State == scheme.Published && run.ObjectionsUntil != nil && time.Now().Before(*run.ObjectionsUntil) &&
		p.Scope(auth.PermDataEntry).Contains(u.Path)
	os, err := s.app.Schemes.Objections(ctx, unit.Subtrees(u.Path), id)
	if err != nil {
		return err
	}
	for _, o := range os {
		if readScope(r).Contains(u.Path) {
			data.Objections = append(data.Objections, objectionView{Objection: o, Node: names[o.Node], Correction: byObjection[o.ID]})
		}
	}
	return s.render(w, r, status, "scheme_scorecard", data)
}

// pageObject files the unit's objection from its scorecard.
func (s *Server) pageObject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	code := r.PathValue("unit")
	if _, err := s.app.Schemes.Object(r.Context(), principal(r).Scope(auth.PermDataEntry), id, code, r.PostFormValue("node"), r.PostFormValue("reason")); err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "node", "reason"); ok {
			return s.showScorecard(w, r, status, f)
		}
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/scheme-runs/%d/units/%s", id, code), "scheme_objected")
}

type comparePage struct {
	Base
	A, B     scheme.Run
	NameA    string
	NameB    string
	Spearman string
	Moves    []moveView
	Topsis   bool
}

type moveView struct {
	scheme.Move
	Name string
}

// pageRunCompare compares a run's ranks with another run's (two versions
// on the same data) or with its own TOPSIS ranking.
func (s *Server) pageRunCompare(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	other := id
	if v := r.URL.Query().Get("with"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return &bodyError{field: "with", key: "error.query"}
		}
		other = n
	}
	ctx := r.Context()
	c, err := s.app.Schemes.CompareRuns(ctx, readScope(r), id, other)
	if err != nil {
		return err
	}
	a, err := s.app.Schemes.Run(ctx, unit.Everything(), id)
	if err != nil {
		return err
	}
	b, err := s.app.Schemes.Run(ctx, unit.Everything(), other)
	if err != nil {
		return err
	}
	data := comparePage{Base: s.base(r, "scheme.page.compare", "schemes"), A: a, B: b, Topsis: id == other, Spearman: fmt.Sprintf("%.3f", c.Spearman),
		NameA: s.schemeName(r, a.Scheme), NameB: s.schemeName(r, b.Scheme)}
	rows, err := s.app.Schemes.Rows(ctx, readScope(r), id, false)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, x := range rows {
		names[x.Unit] = rowName(x, data.Lang)
	}
	for _, m := range c.Moves {
		data.Moves = append(data.Moves, moveView{Move: m, Name: names[m.Unit]})
	}
	return s.render(w, r, http.StatusOK, "scheme_compare", data)
}
