package web

import (
	"net/http"
	"strconv"
	"time"

	"kexie/internal/auth"
	"kexie/internal/campaign"
	"kexie/internal/figure"
	"kexie/internal/i18n"
)

type campaignsPage struct {
	Base
	Items     []campaign.Campaign
	CanCreate bool
}

// pageCampaigns lists the campaigns the caller sees.
func (s *Server) pageCampaigns(w http.ResponseWriter, r *http.Request) error {
	ks, err := s.app.Campaigns.List(r.Context(), campaignCaller(r))
	if err != nil {
		return err
	}
	english := reqOf(r).lang == i18n.EN
	for i := range ks {
		if k, err := s.app.Campaigns.Get(r.Context(), campaignCaller(r), ks[i].ID); err == nil {
			ks[i] = k
		}
		if english {
			ks[i].English()
		}
	}
	return s.render(w, r, http.StatusOK, "campaigns", campaignsPage{Base: s.base(r, "campaign.title", "campaigns"), Items: ks,
		CanCreate: principal(r).Can(auth.PermInspect)})
}

// phaseView is a phase's progress as the dashboard draws it.
type phaseView struct {
	Key        string
	Start, End string
	Done, Of   int
	Percent    int
}

func phaseOf(key string, p campaign.Phase, done, of int) phaseView {
	v := phaseView{Key: key, Start: p.Start, End: p.End, Done: done, Of: of}
	if of > 0 {
		v.Percent = done * 100 / of
	}
	return v
}

// figureView is a report figure as printed.
type figureView struct {
	campaign.Figure
	Name, Text string
	Href       string
}

type campaignPage struct {
	Base
	K        campaign.Campaign
	Phases   []phaseView
	Open     []campaign.Rect
	Figures  []figureView
	Assigned int
	Form     formState
}

func (s *Server) campaignPageData(r *http.Request, id int64) (campaignPage, error) {
	c := campaignCaller(r)
	rep, err := s.app.Campaigns.Summary(r.Context(), c, id)
	if err != nil {
		return campaignPage{}, err
	}
	k := rep.Campaign
	if reqOf(r).lang == i18n.EN {
		k.English()
		for i := range rep.Rects {
			rep.Rects[i].English()
		}
	}
	data := campaignPage{Base: s.base(r, "campaign.title", "campaigns"), K: k, Form: newForm()}
	data.Title = k.Title
	if k.Kind == campaign.KindInspection {
		data.Phases = append(data.Phases, phaseOf("self", k.Self, k.Counts.Submitted, k.Counts.Units), phaseOf("site", k.Site, k.Counts.Inspected, k.Counts.Units))
	}
	data.Phases = append(data.Phases, phaseOf("rect", k.Rect, k.Counts.Closed, k.Counts.Rects))
	for _, rc := range rep.Rects {
		if rc.State != campaign.Closed {
			data.Open = append(data.Open, rc)
		}
	}
	for _, f := range rep.Figures {
		fv := figureView{Figure: f, Name: f.NameZH, Href: drillHref(f.Metric, k.Unit, f.Period)}
		if data.Lang == "en" && f.NameEN != "" {
			fv.Name = f.NameEN
		}
		if f.Value != nil {
			fv.Text = figure.Format(*f.Value, f.Measure, 0, false, data.Lang)
		}
		data.Figures = append(data.Figures, fv)
	}
	if mine, err := s.app.Campaigns.Assigned(r.Context(), c, id); err == nil {
		data.Assigned = len(mine)
	}
	return data, nil
}

// pageCampaign is a campaign's dashboard: each phase's progress, each
// unit's, the open rectification items with their lights, and the
// figures of the report.
func (s *Server) pageCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	data, err := s.campaignPageData(r, id)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "campaign", data)
}

// pageCampaignReport is the campaign's summary report, to print.
func (s *Server) pageCampaignReport(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	data, err := s.campaignPageData(r, id)
	if err != nil {
		return err
	}
	rep, err := s.app.Campaigns.Summary(r.Context(), campaignCaller(r), id)
	if err != nil {
		return err
	}
	if data.Lang == i18n.EN {
		for i := range rep.Rects {
			rep.Rects[i].English()
		}
		for i := range rep.Findings {
			if rep.Findings[i].UnitNameEN != "" {
				rep.Findings[i].UnitName = rep.Findings[i].UnitNameEN
			}
		}
	}
	return s.render(w, r, http.StatusOK, "campaign_report", campaignReportPage{campaignPage: data, Findings: rep.Findings, Rects: rep.Rects,
		Today: time.Now().Format(time.DateOnly)})
}

type campaignReportPage struct {
	campaignPage
	Findings []campaign.Finding
	Rects    []campaign.Rect
	Today    string
}

type campaignInspectPage struct {
	Base
	K     campaign.Campaign
	Units []campaign.UnitStatus
}

// pageCampaignInspect is an inspector's page: the units it is assigned to
// in a campaign, with their progress.
func (s *Server) pageCampaignInspect(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	c := campaignCaller(r)
	k, err := s.app.Campaigns.Get(r.Context(), c, id)
	if err != nil {
		return err
	}
	us, err := s.app.Campaigns.Assigned(r.Context(), c, id)
	if err != nil {
		return err
	}
	if reqOf(r).lang == i18n.EN {
		k.English()
		for i := range us {
			if us[i].UnitNameEN != "" {
				us[i].UnitName = us[i].UnitNameEN
			}
		}
	}
	data := campaignInspectPage{Base: s.base(r, "campaign.inspect", "campaigns"), K: k, Units: us}
	return s.render(w, r, http.StatusOK, "campaign_inspect", data)
}

// pageCampaignImport opens the rectification items of an uploaded sheet
// in a campaign.
func (s *Server) pageCampaignImport(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	data, name, err := s.uploaded(w, r, "file")
	if err == nil {
		_, err = s.app.Campaigns.Import(r.Context(), campaignCaller(r), id, data, name)
	}
	if err != nil {
		d, derr := s.campaignPageData(r, id)
		if derr != nil {
			return derr
		}
		if status, ok := s.refuse(r, err, &d.Form); ok {
			return s.render(w, r, status, "campaign", d)
		}
		return err
	}
	return seeOther(w, r, "/campaigns/"+strconv.FormatInt(id, 10), "campaign_import")
}

// pageCampaignAssign assigns an inspector to units from the dashboard.
func (s *Server) pageCampaignAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	a := campaign.Assignment{User: r.PostFormValue("user"), Units: r.PostForm["units"]}
	if _, err := s.app.Campaigns.Assign(r.Context(), campaignCaller(r), id, a); err != nil {
		d, derr := s.campaignPageData(r, id)
		if derr != nil {
			return derr
		}
		if status, ok := s.refuse(r, err, &d.Form, "user", "units"); ok {
			return s.render(w, r, status, "campaign", d)
		}
		return err
	}
	return seeOther(w, r, "/campaigns/"+strconv.FormatInt(id, 10), "campaign_assign")
}

// pageCampaignRemind reminds the responsible units of the yellow and red
// items from the dashboard.
func (s *Server) pageCampaignRemind(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if _, err := s.app.Campaigns.Remind(r.Context(), campaignCaller(r), id, campaign.Remind{Note: r.PostFormValue("note")}); err != nil {
		d, derr := s.campaignPageData(r, id)
		if derr != nil {
			return derr
		}
		if status, ok := s.refuse(r, err, &d.Form); ok {
			return s.render(w, r, status, "campaign", d)
		}
		return err
	}
	return seeOther(w, r, "/campaigns/"+strconv.FormatInt(id, 10), "campaign_reminded")
}

// pageCampaignExtend extends or reopens a phase from the dashboard, for
// every unit or the one chosen.
func (s *Server) pageCampaignExtend(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	e := campaign.Extension{Phase: r.PostFormValue("phase"), Until: r.PostFormValue("until"), Unit: r.PostFormValue("unit"), Reason: r.PostFormValue("reason")}
	if _, err := s.app.Campaigns.Extend(r.Context(), campaignCaller(r), id, e); err != nil {
		d, derr := s.campaignPageData(r, id)
		if derr != nil {
			return derr
		}
		if status, ok := s.refuse(r, err, &d.Form, "phase", "until", "unit", "reason"); ok {
			return s.render(w, r, status, "campaign", d)
		}
		return err
	}
	return seeOther(w, r, "/campaigns/"+strconv.FormatInt(id, 10), "campaign_extended")
}
