package web

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kexie/internal/campaign"
	"kexie/internal/fault"
	"kexie/internal/i18n"
)

// itemView is a checklist item with the unit's answer, as the form shows it.
type itemView struct {
	campaign.Item
	Answer   campaign.Answer
	Answered bool
	ScoreVal string
}

type campaignUnitPage struct {
	Base
	K     campaign.Campaign
	V     campaign.UnitView
	Items []itemView
	// Unrectified are the findings no rectification item came from yet.
	Unrectified map[int64]bool
	ItemTitle   map[int64]string
	Form        formState
	// SelfShut and SiteShut say why the unit's self-inspection or on-site
	// phase takes nothing today ("" when open).
	SelfShut, SiteShut string
}

func (s *Server) showCampaignUnit(w http.ResponseWriter, r *http.Request, status int, f formState) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	k, v, err := s.app.Campaigns.Unit(r.Context(), campaignCaller(r), id, r.PathValue("code"))
	if err != nil {
		return err
	}
	if reqOf(r).lang == i18n.EN {
		k.English()
		v.English()
	}
	data := campaignUnitPage{Base: s.base(r, "campaign.title", "campaigns"), K: k, V: v, Form: f,
		Unrectified: map[int64]bool{}, ItemTitle: map[int64]string{}}
	data.Title = v.UnitName + " · " + k.Title
	data.SelfShut, data.SiteShut = s.windowShut(r, v, campaign.PhaseSelf), s.windowShut(r, v, campaign.PhaseSite)
	answers := map[int64]campaign.Answer{}
	for _, a := range v.Answers {
		answers[a.Item] = a
	}
	for _, it := range k.Items {
		a, ok := answers[it.ID]
		iv := itemView{Item: it, Answer: a, Answered: ok}
		if a.Score != nil {
			iv.ScoreVal = strconv.FormatFloat(*a.Score, 'f', -1, 64)
		}
		data.Items = append(data.Items, iv)
		data.ItemTitle[it.ID] = it.Title
	}
	for _, fd := range v.Findings {
		data.Unrectified[fd.ID] = true
	}
	for _, rc := range v.Rects {
		if rc.Finding != nil {
			delete(data.Unrectified, *rc.Finding)
		}
	}
	return s.render(w, r, status, "campaign_unit", data)
}

// pageCampaignUnit shows a unit's self-inspection form (or its answers),
// the findings about it with the inspector's form, and its rectification
// items.
func (s *Server) pageCampaignUnit(w http.ResponseWriter, r *http.Request) error {
	return s.showCampaignUnit(w, r, http.StatusOK, newForm())
}

// readMultipart parses a posted form, multipart or not.
func readMultipart(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if r.MultipartForm != nil {
			return nil
		}
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return err
			}
			return &bodyError{key: "error.query"}
		}
		return nil
	}
	return parseForm(r)
}

// saveFiles stores the files posted in field and returns their ids; a
// refused file is an error on the field.
func (s *Server) saveFiles(ctx context.Context, r *http.Request, field string, ch *fault.Check) []int64 {
	var ids []int64
	if r.MultipartForm == nil {
		return nil
	}
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		id, err := s.saveOne(ctx, fh)
		if err != nil {
			fields := fault.FieldsOf(err)
			if fields == nil {
				ch.Add(field, "register.file.missing")
				continue
			}
			for _, fe := range fields {
				ch.Add(field, fe.Key, flattenArgs(fe.Args)...)
			}
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

func (s *Server) saveOne(ctx context.Context, fh *multipart.FileHeader) (int64, error) {
	file, err := fh.Open()
	if err != nil {
		return 0, err
	}
	defer file.Close()
	f, err := s.app.Files.Save(ctx, fh.Filename, file, s.opts.MaxUpload)
	return f.ID, err
}

func keepIDs(vals []string) []int64 {
	var out []int64
	for _, v := range vals {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// renamed rewrites the fields of a validation error with name, keeping
// its kind.
func renamed(err error, name func(string) string) error {
	fields := fault.FieldsOf(err)
	if fields == nil {
		return err
	}
	ch := &fault.Check{}
	for _, f := range fields {
		ch.Add(name(f.Field), f.Key, flattenArgs(f.Args)...)
	}
	if errors.Is(err, fault.ErrConflict) {
		return fault.ConflictField(name(fields[0].Field), fields[0].Key, flattenArgs(fields[0].Args)...)
	}
	return ch.Err()
}

// pageCampaignAnswers saves a unit's self-inspection from its form
// (action "save") and submits it (action "submit").
func (s *Server) pageCampaignAnswers(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	if err := readMultipart(r); err != nil {
		return err
	}
	c := campaignCaller(r)
	k, v, err := s.app.Campaigns.Unit(r.Context(), c, id, code)
	if err != nil {
		return err
	}
	shown := []string{}
	var specs []campaign.AnswerSpec
	order := []int64{}
	ch := &fault.Check{}
	if v.CanAnswer {
		have := map[int64]bool{}
		for _, a := range v.Answers {
			have[a.Item] = true
		}
		for _, it := range k.Items {
			n := strconv.FormatInt(it.ID, 10)
			shown = append(shown, "answer."+n, "score."+n, "note."+n, "file."+n)
			sp := campaign.AnswerSpec{Item: it.ID, Answer: r.FormValue("answer." + n), Note: r.FormValue("note." + n),
				Files: keepIDs(r.Form["keep."+n])}
			sp.Files = append(sp.Files, s.saveFiles(r.Context(), r, "file."+n, ch)...)
			if sv := strings.TrimSpace(r.FormValue("score." + n)); sv != "" {
				f, err := strconv.ParseFloat(sv, 64)
				if err != nil {
					f = -1
				}
				sp.Score = &f
			}
			if !have[it.ID] && sp.Answer == "" && sp.Score == nil && sp.Note == "" && len(sp.Files) == 0 {
				continue
			}
			specs = append(specs, sp)
			order = append(order, it.ID)
		}
	}
	name := func(f string) string {
		var i int
		var rest string
		if n, _ := fmt.Sscanf(f, "answers[%d].%s", &i, &rest); n == 2 && i < len(order) {
			if j := strings.Index(rest, "["); j >= 0 {
				rest = rest[:j]
			}
			if rest == "files" {
				rest = "file"
			}
			return rest + "." + strconv.FormatInt(order[i], 10)
		}
		return f
	}
	if err := ch.Err(); err != nil {
		f := formState{}
		status, _ := s.refuse(r, err, &f, shown...)
		return s.showCampaignUnit(w, r, status, f)
	}
	if len(specs) > 0 {
		if _, err := s.app.Campaigns.SaveAnswers(r.Context(), c, id, code, specs); err != nil {
			f := formState{}
			if status, ok := s.refuse(r, renamed(err, name), &f, shown...); ok {
				return s.showCampaignUnit(w, r, status, f)
			}
			return err
		}
	}
	notice := "campaign_saved"
	if r.FormValue("action") == "submit" {
		if _, err := s.app.Campaigns.Submit(r.Context(), c, id, code); err != nil {
			f := formState{}
			if status, ok := s.refuse(r, err, &f, shown...); ok {
				return s.showCampaignUnit(w, r, status, f)
			}
			return err
		}
		notice = "campaign_submitted"
	}
	return seeOther(w, r, "/campaigns/"+strconv.FormatInt(id, 10)+"/units/"+url.PathEscape(code), notice)
}

// pageCampaignFinding records a finding with photos from the inspector's
// form.
func (s *Server) pageCampaignFinding(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	if err := readMultipart(r); err != nil {
		return err
	}
	ch := &fault.Check{}
	in := campaign.FindingSpec{Unit: code, Body: r.FormValue("body")}
	if v := r.FormValue("item"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Item = &n
		}
	}
	in.Files = s.saveFiles(r.Context(), r, "files", ch)
	err = ch.Err()
	if err == nil {
		_, err = s.app.Campaigns.RecordFinding(r.Context(), campaignCaller(r), id, in)
	}
	if err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "body", "item", "files"); ok {
			return s.showCampaignUnit(w, r, status, f)
		}
		return err
	}
	return seeOther(w, r, "/campaigns/"+strconv.FormatInt(id, 10)+"/units/"+url.PathEscape(code)+"#findings", "campaign_finding")
}

// pageCampaignInspected marks a unit's on-site inspection done.
func (s *Server) pageCampaignInspected(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	if _, err := s.app.Campaigns.MarkInspected(r.Context(), campaignCaller(r), id, code); err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f); ok {
			return s.showCampaignUnit(w, r, status, f)
		}
		return err
	}
	return seeOther(w, r, "/campaigns/"+strconv.FormatInt(id, 10)+"/units/"+url.PathEscape(code), "campaign_inspected")
}

// pageCampaignOpenRect opens a rectification item from a finding.
func (s *Server) pageCampaignOpenRect(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	if err := parseForm(r); err != nil {
		return err
	}
	sp := campaign.RectSpec{Unit: code, Problem: r.PostFormValue("problem"), Measures: r.PostFormValue("measures"),
		Start: r.PostFormValue("start"), Due: r.PostFormValue("due")}
	if v := r.PostFormValue("finding"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			sp.Finding = &n
		}
	}
	ids, err := s.app.Campaigns.Open(r.Context(), campaignCaller(r), id, []campaign.RectSpec{sp})
	if err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "measures", "due", "start", "problem"); ok {
			return s.showCampaignUnit(w, r, status, f)
		}
		return err
	}
	return seeOther(w, r, "/rectifications/"+strconv.FormatInt(ids[0], 10), "campaign_opened")
}

type rectPage struct {
	Base
	R    campaign.Rect
	Form formState
}

func (s *Server) showRect(w http.ResponseWriter, r *http.Request, status int, f formState) error {
	id, err := campaignID(r, "id", "rectification")
	if err != nil {
		return err
	}
	rc, err := s.app.Campaigns.Rect(r.Context(), campaignCaller(r), id)
	if err != nil {
		return err
	}
	if reqOf(r).lang == i18n.EN {
		rc.English()
	}
	data := rectPage{Base: s.base(r, "campaign.rect", "campaigns"), R: rc, Form: f}
	data.Title = rc.Problem
	if len([]rune(data.Title)) > 40 {
		data.Title = string([]rune(data.Title)[:40]) + "…"
	}
	return s.render(w, r, status, "rectification", data)
}

// pageRect shows a rectification item: problem, measures, light,
// evidence, history and the steps the caller may take.
func (s *Server) pageRect(w http.ResponseWriter, r *http.Request) error {
	return s.showRect(w, r, http.StatusOK, newForm())
}

// pageRectStep takes a step of a rectification item from its form, with
// the evidence files uploaded.
func (s *Server) pageRectStep(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "rectification")
	if err != nil {
		return err
	}
	if err := readMultipart(r); err != nil {
		return err
	}
	ch := &fault.Check{}
	st := campaign.Step{Action: r.FormValue("action"), Note: r.FormValue("note")}
	if v := strings.TrimSpace(r.FormValue("percent")); v != "" && st.Action == campaign.Progress {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1
		}
		st.Percent = &n
	}
	st.Files = s.saveFiles(r.Context(), r, "files", ch)
	err = ch.Err()
	if err == nil {
		_, err = s.app.Campaigns.Act(r.Context(), campaignCaller(r), id, st)
	}
	if err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "note", "percent", "files"); ok {
			return s.showRect(w, r, status, f)
		}
		return err
	}
	return seeOther(w, r, "/rectifications/"+strconv.FormatInt(id, 10), "campaign_step")
}

// FindingItem names the checklist item of a finding, or says it is general.
func (p campaignUnitPage) FindingItem(f campaign.Finding) string {
	if f.Item != nil {
		if t, ok := p.ItemTitle[*f.Item]; ok {
			return t
		}
	}
	return p.T("campaign.general")
}

// pageCampaignReturnSelf sends a submitted self-inspection back to its
// unit with a reason.
func (s *Server) pageCampaignReturnSelf(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	if err := parseForm(r); err != nil {
		return err
	}
	if _, err := s.app.Campaigns.ReturnSelf(r.Context(), campaignCaller(r), id, code, r.PostFormValue("reason")); err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "reason"); ok {
			return s.showCampaignUnit(w, r, status, f)
		}
		return err
	}
	return seeOther(w, r, "/campaigns/"+strconv.FormatInt(id, 10)+"/units/"+url.PathEscape(code), "campaign_returned")
}

// windowShut is the reason a phase of the unit takes nothing today, in
// the page's language ("" when it is open).
func (s *Server) windowShut(r *http.Request, v campaign.UnitView, phase string) string {
	err := s.app.Campaigns.Window(v, phase)
	if err == nil {
		return ""
	}
	for _, e := range s.problemOf(r, err).Errors {
		return e.Message
	}
	return ""
}
