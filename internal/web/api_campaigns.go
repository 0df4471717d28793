package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"kexie/internal/auth"
	"kexie/internal/campaign"
	"kexie/internal/fault"
)

// campaignCaller is the caller as the campaign service knows it: it reads
// its read scope, answers and rectifies where it enters data, and runs
// campaigns where it inspects.
func campaignCaller(r *http.Request) campaign.Caller {
	p := principal(r)
	return campaign.Caller{UserID: p.UserID, Read: p.Scope(auth.PermRead), Report: p.Scope(auth.PermDataEntry), Supervise: p.Scope(auth.PermInspect)}
}

func campaignID(r *http.Request, name, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.NotFound(what, r.PathValue(name))
	}
	return id, nil
}

// noBody is the body of an endpoint that reads none.
type noBody struct{}

// campaignAPI serves an endpoint of a campaign (what "campaign") or of a
// rectification item ("rectification") the way they all go: the id in
// the path (not found unless a positive number), the JSON body of type In
// unless it is noBody, the service's answer for the caller, written with
// status; code is the path's unit code, if any.
func campaignAPI[In, Out any](s *Server, what string, status int,
	call func(ctx context.Context, c campaign.Caller, id int64, code string, in *In) (Out, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := campaignID(r, "id", what)
		if err != nil {
			return err
		}
		var in In
		if _, none := any(in).(noBody); !none {
			if err := s.decode(w, r, &in); err != nil {
				return err
			}
		}
		out, err := call(r.Context(), campaignCaller(r), id, r.PathValue("code"), &in)
		if err != nil {
			return err
		}
		return writeJSON(w, status, out)
	}
}

func (s *Server) apiListCampaigns(w http.ResponseWriter, r *http.Request) error {
	ks, err := s.app.Campaigns.List(r.Context(), campaignCaller(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": ks})
}

func (s *Server) apiCreateCampaign(w http.ResponseWriter, r *http.Request) error {
	var in campaign.Spec
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	c := campaignCaller(r)
	id, err := s.app.Campaigns.Create(r.Context(), c, in)
	if err != nil {
		return err
	}
	k, err := s.app.Campaigns.Get(r.Context(), c, id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/campaigns/"+strconv.FormatInt(id, 10))
	return writeJSON(w, http.StatusCreated, k)
}

func (s *Server) apiGetCampaign(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "campaign", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *noBody) (campaign.Campaign, error) {
		return s.app.Campaigns.Get(ctx, c, id)
	})(w, r)
}

func (s *Server) apiAssignInspector(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "campaign", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *campaign.Assignment) (campaign.Campaign, error) {
		return s.app.Campaigns.Assign(ctx, c, id, *in)
	})(w, r)
}

func (s *Server) apiCampaignUnit(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "campaign", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *noBody) (campaign.UnitView, error) {
		_, v, err := s.app.Campaigns.Unit(ctx, c, id, code)
		return v, err
	})(w, r)
}

// answersBody is the body of a self-inspection save.
type answersBody struct {
	Answers []campaign.AnswerSpec `json:"answers"`
}

func (s *Server) apiSaveAnswers(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "campaign", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *answersBody) (campaign.UnitView, error) {
		return s.app.Campaigns.SaveAnswers(ctx, c, id, code, in.Answers)
	})(w, r)
}

func (s *Server) apiSubmitSelf(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "campaign", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *noBody) (campaign.UnitView, error) {
		return s.app.Campaigns.Submit(ctx, c, id, code)
	})(w, r)
}

func (s *Server) apiMarkInspected(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "campaign", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *noBody) (campaign.UnitView, error) {
		return s.app.Campaigns.MarkInspected(ctx, c, id, code)
	})(w, r)
}

func (s *Server) apiRecordFinding(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "campaign", http.StatusCreated, func(ctx context.Context, c campaign.Caller, id int64, code string, in *campaign.FindingSpec) (campaign.Finding, error) {
		return s.app.Campaigns.RecordFinding(ctx, c, id, *in)
	})(w, r)
}

func (s *Server) apiListRects(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "campaign", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *noBody) (map[string]any, error) {
		rs, err := s.app.Campaigns.Rects(ctx, c, id)
		return map[string]any{"items": rs}, err
	})(w, r)
}

func (s *Server) apiOpenRect(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	var in campaign.RectSpec
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	c := campaignCaller(r)
	ids, err := s.app.Campaigns.Open(r.Context(), c, id, []campaign.RectSpec{in})
	if err != nil {
		return err
	}
	rc, err := s.app.Campaigns.Rect(r.Context(), c, ids[0])
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/rectifications/"+strconv.FormatInt(rc.ID, 10))
	return writeJSON(w, http.StatusCreated, rc)
}

// apiImportRects opens the rectification items of an uploaded sheet
// (field "file") in a campaign, all or none.
func (s *Server) apiImportRects(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	data, name, err := s.uploaded(w, r, "file")
	if err != nil {
		return err
	}
	c := campaignCaller(r)
	ids, err := s.app.Campaigns.Import(r.Context(), c, id, data, name)
	if err != nil {
		return err
	}
	out := make([]campaign.Rect, 0, len(ids))
	for _, rid := range ids {
		rc, err := s.app.Campaigns.Rect(r.Context(), c, rid)
		if err != nil {
			return err
		}
		out = append(out, rc)
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"items": out})
}

func (s *Server) apiGetRect(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "rectification", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *noBody) (campaign.Rect, error) {
		return s.app.Campaigns.Rect(ctx, c, id)
	})(w, r)
}

func (s *Server) apiRectStep(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "rectification", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *campaign.Step) (campaign.Rect, error) {
		return s.app.Campaigns.Act(ctx, c, id, *in)
	})(w, r)
}

// apiCampaignUpload takes one attachment (multipart field "file") for a
// campaign the caller sees — evidence, photos — streamed to the files
// store with its size and kind checked; answers, findings and steps then
// refer to it by id.
func (s *Server) apiCampaignUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	if _, err := s.app.Campaigns.Get(r.Context(), campaignCaller(r), id); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return fault.InvalidField("file", "register.file.missing")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return fault.InvalidField("file", "register.file.missing")
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		if err != nil {
			return fault.InvalidField("file", "register.file.missing")
		}
		if part.FormName() != "file" {
			continue
		}
		f, err := s.app.Files.Save(r.Context(), part.FileName(), part, s.opts.MaxUpload)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, f)
	}
}

// apiCampaignFile sends an attachment of a campaign to a caller who sees
// what it is attached to, or who uploaded it.
func (s *Server) apiCampaignFile(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	fid, err := campaignID(r, "file", "file")
	if err != nil {
		return err
	}
	if err := s.app.Campaigns.FileFor(r.Context(), campaignCaller(r), id, fid); err != nil {
		return err
	}
	f, err := s.app.Files.Get(r.Context(), fid)
	if err != nil {
		return err
	}
	fh, err := s.app.Files.Open(f)
	if err != nil {
		return err
	}
	defer fh.Close()
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename*=UTF-8''%s", url.PathEscape(f.Name)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", f.CreatedAt, fh)
	return nil
}

func (s *Server) apiCampaignReport(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "campaign", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *noBody) (campaign.Report, error) {
		return s.app.Campaigns.Summary(ctx, c, id)
	})(w, r)
}

func (s *Server) apiExportCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := campaignID(r, "id", "campaign")
	if err != nil {
		return err
	}
	rep, err := s.app.Campaigns.Summary(r.Context(), campaignCaller(r), id)
	if err != nil {
		return err
	}
	b := s.base(r, "campaign.title", "campaigns")
	var buf bytes.Buffer
	if err := rep.WriteXLSX(&buf, func(st string) string { return b.T("campaign.state." + st) }); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="campaign-%d.xlsx"`, id))
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) apiCampaignRemind(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "campaign", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *campaign.Remind) (map[string]any, error) {
		n, err := s.app.Campaigns.Remind(ctx, c, id, *in)
		return map[string]any{"sent": n}, err
	})(w, r)
}

// returnBody is the reason a self-inspection is sent back.
type returnBody struct {
	Reason string `json:"reason"`
}

func (s *Server) apiReturnSelf(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "campaign", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *returnBody) (campaign.UnitView, error) {
		return s.app.Campaigns.ReturnSelf(ctx, c, id, code, in.Reason)
	})(w, r)
}

func (s *Server) apiExtendPhase(w http.ResponseWriter, r *http.Request) error {
	return campaignAPI(s, "campaign", http.StatusOK, func(ctx context.Context, c campaign.Caller, id int64, code string, in *campaign.Extension) (campaign.Campaign, error) {
		return s.app.Campaigns.Extend(ctx, c, id, *in)
	})(w, r)
}
