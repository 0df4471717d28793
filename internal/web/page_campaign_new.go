package web

import (
	"net/http"
	"strconv"
	"strings"

	"kexie/internal/auth"
	"kexie/internal/campaign"
	"kexie/internal/fault"
	"kexie/internal/unit"
)

type campaignNewPage struct {
	Base
	Types  []unit.Type
	Groups []unit.Group
	Form   formState
}

// pageCampaignNew shows the form of a new campaign to those who run
// campaigns somewhere.
func (s *Server) pageCampaignNew(w http.ResponseWriter, r *http.Request) error {
	unitCode := ""
	if roots := principal(r).Scope(auth.PermInspect).Roots(); len(roots) > 0 {
		codes := unit.Ancestors(roots[0])
		unitCode = codes[len(codes)-1]
	} else if principal(r).Scope(auth.PermInspect).IsEverything() {
		unitCode = topUnit(principal(r))
	}
	return s.showCampaignNew(w, r, http.StatusOK, newForm("unit", unitCode, "kind", campaign.KindInspection))
}

func (s *Server) showCampaignNew(w http.ResponseWriter, r *http.Request, status int, f formState) error {
	if !principal(r).Can(auth.PermInspect) {
		return fault.ErrForbidden
	}
	types, err := s.app.Units.Types(r.Context())
	if err != nil {
		return err
	}
	groups, err := s.app.Units.Groups(r.Context())
	if err != nil {
		return err
	}
	data := campaignNewPage{Base: s.base(r, "campaign.new", "campaigns"), Types: types, Groups: groups, Form: f}
	return s.render(w, r, status, "campaign_new", data)
}

// checklistLines reads a checklist typed one item a line: "title |
// kind | max | guidance", kind 打分/score, 是否/yesno or 文字/text (the
// default), max for a scored item.
func checklistLines(text string) []campaign.ItemSpec {
	var out []campaign.ItemSpec
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Split(strings.ReplaceAll(line, "｜", "|"), "|")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		it := campaign.ItemSpec{Title: parts[0], Kind: campaign.AnswerText}
		if len(parts) > 1 {
			switch parts[1] {
			case "打分", "score":
				it.Kind = campaign.AnswerScore
			case "是否", "yesno":
				it.Kind = campaign.AnswerYesNo
			case "文字", "text", "":
			default:
				it.Kind = parts[1]
			}
		}
		if len(parts) > 2 && parts[2] != "" {
			if n, err := strconv.ParseFloat(parts[2], 64); err == nil {
				it.MaxScore = n
			} else {
				it.MaxScore = -1
			}
		}
		if len(parts) > 3 {
			it.Guidance = strings.Join(parts[3:], "|")
		}
		out = append(out, it)
	}
	return out
}

func splitCodes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' || r == '、' })
}

// pageCampaignCreate creates a campaign from its form.
func (s *Server) pageCampaignCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	sp := campaign.Spec{Title: f.Get("title"), Kind: f.Get("kind"), Unit: f.Get("unit"),
		Scope:   campaign.ScopeSpec{Types: f["types"], Groups: f["groups"], Units: splitCodes(f.Get("units"))},
		Rect:    campaign.Phase{Start: f.Get("rect_start"), End: f.Get("rect_end")},
		Metrics: splitCodes(f.Get("metrics"))}
	if sp.Kind != campaign.KindRectification {
		sp.Self = campaign.Phase{Start: f.Get("self_start"), End: f.Get("self_end")}
		sp.Site = campaign.Phase{Start: f.Get("site_start"), End: f.Get("site_end")}
		sp.Items = checklistLines(f.Get("items"))
	}
	id, err := s.app.Campaigns.Create(r.Context(), campaignCaller(r), sp)
	if err != nil {
		fs := formState{}
		name := func(field string) string {
			switch {
			case strings.HasPrefix(field, "items"):
				return "items"
			case strings.HasPrefix(field, "scope"):
				return "scope"
			case strings.HasPrefix(field, "metrics"):
				return "metrics"
			}
			return strings.NewReplacer("self_inspection.", "self_", "on_site.", "site_", "rectification.", "rect_").Replace(field)
		}
		if status, ok := s.refuse(r, renamed(err, name), &fs, "title", "unit", "kind", "items", "scope", "metrics",
			"self_start", "self_end", "site_start", "site_end", "rect_start", "rect_end"); ok {
			return s.showCampaignNew(w, r, status, fs)
		}
		return err
	}
	return seeOther(w, r, "/campaigns/"+strconv.FormatInt(id, 10), "campaign_created")
}

// pageCampaignAddRect enters a rectification item on the dashboard
// (a finding of an outside inspection, say).
func (s *Server) pageCampaignAddRect(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	sp := campaign.RectSpec{Unit: f.Get("unit"), Problem: f.Get("problem"), Measures: f.Get("measures"), Start: f.Get("start"), Due: f.Get("due")}
	if code, err := s.app.Campaigns.UnitCode(r.Context(), campaignCaller(r), id, sp.Unit); err == nil && code != "" {
		sp.Unit = code
	}
	ids, err := s.app.Campaigns.Open(r.Context(), campaignCaller(r), id, []campaign.RectSpec{sp})
	if err != nil {
		d, derr := s.campaignPageData(r, id)
		if derr != nil {
			return derr
		}
		if status, ok := s.refuse(r, err, &d.Form, "unit", "problem", "measures", "start", "due"); ok {
			return s.render(w, r, status, "campaign", d)
		}
		return err
	}
	return seeOther(w, r, "/rectifications/"+strconv.FormatInt(ids[0], 10), "campaign_opened")
}
