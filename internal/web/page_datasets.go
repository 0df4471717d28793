package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kexie/internal/auth"
	"kexie/internal/dataset"
	"kexie/internal/period"
	"kexie/internal/unit"
)

// dsLink is a link with its label, marked when it is the current choice.
type dsLink struct {
	Label, Href string
	Current     bool
}

// dsCard is a data set on the data sets page.
type dsCard struct {
	Code, Name, Description, PeriodType string
	Metrics                             int
	Entry, Status                       []dsLink // per recent period, for the caller's unit
}

type datasetsPage struct {
	Base
	Unit   string // the caller's unit the links are for
	Cards  []dsCard
	Unread int
}

// periodTypeKeys are the relative periods of each period type: the
// current one and the one before.
var periodTypeKeys = map[string][2]string{
	"year":    {period.ThisYear, period.LastYear},
	"half":    {period.ThisHalf, period.LastHalf},
	"quarter": {period.ThisQuarter, period.LastQuarter},
	"month":   {period.ThisMonth, period.LastMonth},
}

// recentPeriods are the current period of the data set's type and the
// ones before it, newest first.
func recentPeriods(d *dataset.DataSet, n int) []period.Period {
	now := time.Now().In(chinaTime)
	p, err := period.Relative(periodTypeKeys[d.PeriodType][0], now)
	if err != nil {
		return nil
	}
	out := []period.Period{p}
	for len(out) < n {
		p = period.Previous(p)
		out = append(out, p)
	}
	return out
}

// homeUnit is the unit the caller works at: where it holds its first
// role (the widest first), for the default links.
func homeUnit(p *auth.Principal) string {
	best, depth := "", 1<<30
	for _, g := range p.Grants {
		if d := strings.Count(g.UnitPath, "/"); g.Unit != "" && d < depth {
			best, depth = g.Unit, d
		}
	}
	return best
}

func formURL(page, code, unitCode, periodID string) string {
	return "/datasets/" + url.PathEscape(code) + "/" + page + "?" + url.Values{"unit": {unitCode}, "period": {periodID}}.Encode()
}

// pageDatasets lists the data sets with links to enter and follow their
// recent periods for the caller's unit.
func (s *Server) pageDatasets(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	data := datasetsPage{Base: s.base(r, "datasets.title", "datasets"), Unit: homeUnit(p)}
	list, err := s.app.Datasets.List(r.Context())
	if err != nil {
		return err
	}
	for _, d := range list {
		c := dsCard{Code: d.Code, Name: d.Name(data.Lang), Description: localName(data.Lang, d.DescriptionZH, d.DescriptionEN),
			PeriodType: data.T("dataset.period_type." + d.PeriodType), Metrics: len(d.Metrics)}
		for _, per := range recentPeriods(d, 3) {
			label := data.periodName(per)
			c.Entry = append(c.Entry, dsLink{Label: label, Href: formURL("entry", d.Code, data.Unit, per.ID)})
			c.Status = append(c.Status, dsLink{Label: label, Href: formURL("status", d.Code, data.Unit, per.ID)})
		}
		data.Cards = append(data.Cards, c)
	}
	box, err := s.app.Datasets.Inbox(r.Context(), inboxPaths(p), dataset.InboxFilter{Limit: 1})
	if err != nil {
		return err
	}
	data.Unread = box.Unread
	return s.render(w, r, http.StatusOK, "datasets", data)
}

// dsPicker is the unit and period choice at the top of a form or status page.
type dsPicker struct {
	Action        string
	Unit, Period  string
	Units         []dsLink // the caller's units (Label: name, Href: code)
	Before, After string   // the neighbouring periods' pages
}

// picker builds the choice of unit and period for page ("entry" or
// "status"): the caller's units where the data set applies to them, and
// the periods either side.
func (s *Server) picker(r *http.Request, b Base, d *dataset.DataSet, page, unitCode string, p period.Period) dsPicker {
	pk := dsPicker{Action: "/datasets/" + url.PathEscape(d.Code) + "/" + page, Unit: unitCode, Period: p.ID}
	seen := map[string]bool{}
	for _, g := range principal(r).Grants {
		if g.Unit == "" || seen[g.Unit] {
			continue
		}
		seen[g.Unit] = true
		if u, err := s.app.Units.Get(r.Context(), unit.Everything(), g.Unit); err == nil {
			pk.Units = append(pk.Units, dsLink{Label: u.Name(b.Lang), Href: u.Code, Current: u.Code == unitCode})
		}
	}
	pk.Before = formURL(page, d.Code, unitCode, period.Previous(p).ID)
	if next, ok := nextPeriod(p); ok {
		pk.After = formURL(page, d.Code, unitCode, next.ID)
	}
	return pk
}

// nextPeriod is the period of the same kind after p.
func nextPeriod(p period.Period) (period.Period, bool) {
	for _, id := range candidatesAfter(p) {
		if n, err := period.Parse(id); err == nil && n.Kind == p.Kind && n.From.Equal(p.To.AddDate(0, 0, 1)) {
			return n, true
		}
	}
	return period.Period{}, false
}

func candidatesAfter(p period.Period) []string {
	d := p.To.AddDate(0, 0, 1)
	y := d.Format("2006")
	return []string{y, y + "S1", y + "S2", y + "Q" + string(rune('0'+(int(d.Month())-1)/3+1)), d.Format("200601")}
}

// periodName names a period of a data set for people: 2021年上半年 /
// 2021 H1.
func (b Base) periodName(p period.Period) string {
	y := p.From.Year()
	m := int(p.From.Month())
	switch p.Kind {
	case period.Year:
		return b.T("dataset.period_label.year", "year", y)
	case period.Half:
		return b.T("dataset.period_label.half"+strconv.Itoa((m+5)/6), "year", y)
	case period.Quarter:
		return b.T("dataset.period_label.quarter", "year", y, "quarter", (m+2)/3)
	case period.Month:
		return b.T("dataset.period_label.month", "year", y, "month", m)
	}
	return p.ID
}

// stateClass is the colour of a state's tag.
func stateClass(st string) string { return "state-" + st }
