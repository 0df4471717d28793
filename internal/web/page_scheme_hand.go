package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kexie/internal/auth"
	"kexie/internal/metric"
	"kexie/internal/scheme"
	"kexie/internal/unit"
)

// handLeafView is a hand-scored leaf with the most its value may be.
type handLeafView struct {
	Code, Name, RuleT string
}

// handClaim is one unit's self-score on one leaf, with its forms.
type handClaim struct {
	Unit, UnitName string
	Leaf           handLeafView
	Claim          *scheme.HandScore
	ClaimedT       string
	VerifiedT      string
}

type handPage struct {
	Base
	Scheme    scheme.Scheme
	Number    int
	Period    string
	Leaves    []handLeafView
	Mine      []handClaim // the caller's own units: the self-score forms
	Verify    []handClaim // claims the caller verifies
	Form      formState
	FormUnit  string
	FormLeaf  string
	CanVerify bool
}

// pageHandScores shows the self-score forms of the caller's units and,
// to the evaluator, every claim with its verification form.
func (s *Server) pageHandScores(w http.ResponseWriter, r *http.Request) error {
	return s.showHandScores(w, r, http.StatusOK, newForm(), "", "")
}

func (s *Server) showHandScores(w http.ResponseWriter, r *http.Request, status int, f formState, formUnit, formLeaf string) error {
	code, n, err := versionOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	sc, err := s.app.Schemes.Get(ctx, code)
	if err != nil {
		return err
	}
	v, err := s.app.Schemes.Version(ctx, code, n)
	if err != nil {
		return err
	}
	period := r.URL.Query().Get("period")
	if period == "" {
		period = "2021S1"
	}
	p, err := metric.ParsePeriod(period)
	if err != nil {
		return err
	}
	data := handPage{Base: s.base(r, "scheme.page.hand_scores", "schemes"), Scheme: sc, Number: n, Period: p.ID, Form: f, FormUnit: formUnit, FormLeaf: formLeaf}
	d, err := v.Derive()
	if err != nil {
		return err
	}
	names := nodeNames(v, data.Lang)
	for _, x := range d.Nodes {
		if x.Leaf && x.Manual {
			data.Leaves = append(data.Leaves, handLeafView{Code: x.Code, Name: names[x.Code], RuleT: ruleText(data.Base, x)})
		}
	}
	claims, err := s.app.Schemes.HandScores(ctx, readScope(r), code, n, p.ID)
	if err != nil {
		return err
	}
	byKey := map[string]*scheme.HandScore{}
	for i := range claims {
		byKey[claims[i].Unit+"/"+claims[i].Node] = &claims[i]
	}
	view := func(u, name string, l handLeafView) handClaim {
		c := handClaim{Unit: u, UnitName: name, Leaf: l, Claim: byKey[u+"/"+l.Code]}
		if c.Claim != nil {
			c.ClaimedT = pts(c.Claim.Claimed, data.Lang)
			if c.Claim.Verified != nil {
				c.VerifiedT = pts(*c.Claim.Verified, data.Lang)
			}
		}
		return c
	}
	pr := principal(r)
	if write := pr.Scope(auth.PermDataEntry); !write.Empty() && len(data.Leaves) > 0 {
		mine, err := s.app.Units.List(ctx, write, unit.Filter{Type: sc.UnitType, PerPage: 50})
		if err != nil {
			return err
		}
		// an evaluator verifies rather than claims for the units it evaluates
		eval := pr.Scope(auth.PermInspect)
		for _, u := range mine.Items {
			if eval.Contains(u.Path) {
				continue
			}
			for _, l := range data.Leaves {
				data.Mine = append(data.Mine, view(u.Code, u.Name(data.Lang), l))
			}
		}
	}
	eval := pr.Scope(auth.PermInspect)
	data.CanVerify = !eval.Empty()
	if data.CanVerify {
		leaf := map[string]handLeafView{}
		for _, l := range data.Leaves {
			leaf[l.Code] = l
		}
		for _, c := range claims {
			u, err := s.app.Units.Get(ctx, eval, c.Unit)
			if err != nil {
				continue
			}
			data.Verify = append(data.Verify, view(c.Unit, u.Name(data.Lang), leaf[c.Node]))
		}
	}
	data.Title = fmt.Sprintf("%s · %s", data.T("scheme.page.hand_scores"), sc.NameZH)
	return s.render(w, r, status, "scheme_hand", data)
}

func formFloat(r *http.Request, name string) float64 {
	x, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue(name)), 64)
	if err != nil {
		return -1 // refused as out of range
	}
	return x
}

// pageSelfScore submits a unit's self-score.
func (s *Server) pageSelfScore(w http.ResponseWriter, r *http.Request) error {
	code, n, err := versionOf(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	period := r.PostFormValue("period")
	h := scheme.HandScore{Unit: r.PostFormValue("unit"), Node: r.PostFormValue("node"), Claimed: formFloat(r, "claimed"), Evidence: r.PostFormValue("evidence")}
	back := fmt.Sprintf("/schemes/%s/versions/%d/hand-scores?period=%s", code, n, url.QueryEscape(period))
	if err := s.app.Schemes.SelfScore(r.Context(), principal(r).Scope(auth.PermDataEntry), code, n, period, h); err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "claimed", "evidence"); ok {
			r.URL.RawQuery = "period=" + url.QueryEscape(period)
			return s.showHandScores(w, r, status, f, h.Unit, h.Node)
		}
		return err
	}
	return seeOther(w, r, back, "scheme_self_scored")
}

// pageVerifyScore keeps or adjusts a self-score.
func (s *Server) pageVerifyScore(w http.ResponseWriter, r *http.Request) error {
	code, n, err := versionOf(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	period, u, node := r.PostFormValue("period"), r.PostFormValue("unit"), r.PostFormValue("node")
	back := fmt.Sprintf("/schemes/%s/versions/%d/hand-scores?period=%s", code, n, url.QueryEscape(period))
	if err := s.app.Schemes.Verify(r.Context(), evaluates(r), code, n, period, u, node, formFloat(r, "score"), r.PostFormValue("reason")); err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "verified", "reason"); ok {
			r.URL.RawQuery = "period=" + url.QueryEscape(period)
			return s.showHandScores(w, r, status, f, u, node)
		}
		return err
	}
	return seeOther(w, r, back, "scheme_verified")
}
