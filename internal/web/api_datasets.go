package web

import (
	"net/http"
	"slices"
	"strings"

	"kexie/internal/auth"
	"kexie/internal/dataset"
	"kexie/internal/fault"
	"kexie/internal/i18n"
)

// datasetAccess is what the caller may do with data sets' forms.
func datasetAccess(p *auth.Principal) dataset.Access {
	return dataset.Access{Read: p.Scope(auth.PermRead), Enter: p.Scope(auth.PermDataEntry),
		Approve: p.Scope(auth.PermApprove), Manage: p.Scope(auth.PermUnitWrite)}
}

func (s *Server) apiListDatasets(w http.ResponseWriter, r *http.Request) error {
	list, err := s.app.Datasets.List(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []*dataset.DataSet{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": list})
}

func (s *Server) apiGetDataset(w http.ResponseWriter, r *http.Request) error {
	d, err := s.app.Datasets.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

// apiDefineDataset creates or changes a data set and its entered
// metrics: tree-wide configuration, for the root's administrators.
func (s *Server) apiDefineDataset(w http.ResponseWriter, r *http.Request) error {
	var in dataset.Def
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if !isRootAdmin(principal(r)) {
		return fault.ErrForbidden
	}
	code := r.PathValue("code")
	switch strings.TrimSpace(in.Code) {
	case "":
		in.Code = code
	case code:
	default:
		return fault.InvalidField("code", "dataset.code.path")
	}
	d, err := s.app.Datasets.Define(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *Server) apiDeleteDataset(w http.ResponseWriter, r *http.Request) error {
	if !isRootAdmin(principal(r)) {
		if _, err := s.app.Datasets.Get(r.Context(), r.PathValue("code")); err != nil {
			return err
		}
		return fault.ErrForbidden
	}
	if err := s.app.Datasets.Delete(r.Context(), r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// datasetError names the fields of a refused form by the data set's
// labels (see datasetFault).
func (s *Server) datasetError(r *http.Request, err error) error {
	if len(fault.FieldsOf(err)) == 0 {
		return err
	}
	d, gerr := s.app.Datasets.Get(r.Context(), r.PathValue("code"))
	if gerr != nil {
		return err
	}
	return datasetFault{err, d, s.msgs}
}

// formQuery reads the unit and period of a form from the query.
func formQuery(r *http.Request) (unitCode, periodID string) {
	q := r.URL.Query()
	return q.Get("unit"), q.Get("period")
}

func (s *Server) apiGetValues(w http.ResponseWriter, r *http.Request) error {
	u, p := formQuery(r)
	f, err := s.app.Datasets.Form(r.Context(), datasetAccess(principal(r)), r.PathValue("code"), u, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

type saveValuesRequest struct {
	Values []dataset.ValueInput `json:"values"`
}

func (s *Server) apiSaveValues(w http.ResponseWriter, r *http.Request) error {
	var in saveValuesRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	u, p := formQuery(r)
	f, err := s.app.Datasets.Save(r.Context(), datasetAccess(principal(r)), r.PathValue("code"), u, p, in.Values)
	if err != nil {
		return s.datasetError(r, err)
	}
	return writeJSON(w, http.StatusOK, f)
}

type formActionRequest struct {
	Unit   string `json:"unit"`
	Period string `json:"period"`
	Reason string `json:"reason"`
}

// apiFormAction takes one step of a form's approval.
func (s *Server) apiFormAction(a dataset.Action) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in formActionRequest
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
		f, err := s.app.Datasets.Act(r.Context(), datasetAccess(principal(r)), r.PathValue("code"), in.Unit, in.Period, a, in.Reason)
		if err != nil {
			return s.datasetError(r, err)
		}
		return writeJSON(w, http.StatusOK, f)
	}
}

func (s *Server) apiCompleteness(w http.ResponseWriter, r *http.Request) error {
	u, p := formQuery(r)
	c, err := s.app.Datasets.Completeness(r.Context(), datasetAccess(principal(r)), r.PathValue("code"), u, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

type remindRequest struct {
	Unit   string `json:"unit"`
	Period string `json:"period"`
	Note   string `json:"note"`
}

type remindResponse struct {
	Reminded []string `json:"reminded"`
}

func (s *Server) apiRemind(w http.ResponseWriter, r *http.Request) error {
	var in remindRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	units, err := s.app.Datasets.Remind(r.Context(), datasetAccess(principal(r)), r.PathValue("code"), in.Unit, in.Period, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, remindResponse{Reminded: units})
}

func (s *Server) apiSetException(w http.ResponseWriter, r *http.Request) error {
	var in dataset.Exception
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	ex, err := s.app.Datasets.SetException(r.Context(), datasetAccess(principal(r)), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ex)
}

// inboxPaths are the units whose messages the caller reads: those where
// it holds a role.
func inboxPaths(p *auth.Principal) []string {
	var out []string
	for _, g := range p.Grants {
		if g.UnitPath != "" && !slices.Contains(out, g.UnitPath) {
			out = append(out, g.UnitPath)
		}
	}
	return out
}

func (s *Server) apiInbox(w http.ResponseWriter, r *http.Request) error {
	f, err := inboxFilter(r)
	if err != nil {
		return err
	}
	box, err := s.app.Datasets.Inbox(r.Context(), inboxPaths(principal(r)), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, box)
}

// inboxFilter reads ?unread=true&before=ID&limit=N.
func inboxFilter(r *http.Request) (dataset.InboxFilter, error) {
	q := r.URL.Query()
	c := &fault.Check{}
	var f dataset.InboxFilter
	switch q.Get("unread") {
	case "", "false", "0":
	case "true", "1":
		f.Unread = true
	default:
		c.Add("unread", "error.option", "value", q.Get("unread"))
	}
	before, err := queryInt(r, "before", 0)
	if err != nil {
		c.Add("before", "error.integer")
	}
	f.BeforeID = int64(before)
	if f.Limit, err = queryInt(r, "limit", 50); err != nil || f.Limit > dataset.MaxInbox {
		c.Add("limit", "error.integer")
	}
	return f, c.Err()
}

func (s *Server) apiReadMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := s.app.Datasets.MarkRead(r.Context(), inboxPaths(principal(r)), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

// datasetFault names the cells of a refused form by their metrics'
// labels ("活动场次（线上）") rather than their codes.
type datasetFault struct {
	error
	ds   *dataset.DataSet
	msgs i18n.Catalog
}

func (e datasetFault) Unwrap() error { return e.error }

// FieldName names a field of the form for people.
func (e datasetFault) FieldName(field, lang string) (string, bool) {
	metricCode, cat, _ := strings.Cut(field, ".")
	if metricCode == "rules" {
		for _, rule := range e.ds.Rules {
			if rule.Code == cat {
				return rule.Message(lang), true
			}
		}
		return "", false
	}
	it, ok := e.ds.Item(metricCode)
	if !ok {
		return "", false
	}
	name := it.Name(lang)
	for _, o := range it.Categories {
		if o.Code == cat {
			return e.msgs.T(lang, "dataset.cell_name", map[string]any{"metric": name, "category": localName(lang, o.NameZH, o.NameEN)}), true
		}
	}
	return name, true
}
