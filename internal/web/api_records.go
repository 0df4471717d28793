package web

import (
	"net/http"
	"strconv"
	"strings"

	"kexie/internal/audit"
	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/register"
	"kexie/internal/store"
)

// recordAccess is what the caller may do with records.
func recordAccess(p *auth.Principal) register.Access {
	return register.Access{Read: p.Scope(auth.PermRead), Enter: p.Scope(auth.PermDataEntry), Approve: p.Scope(auth.PermApprove)}
}

// recordJSON is a record as the API answers it; sensitive values are
// masked (reveal them one at a time through the reveal endpoint).
type recordJSON struct {
	ID           int64          `json:"id"`
	Register     string         `json:"register"`
	Unit         string         `json:"unit"`
	Date         string         `json:"date"`
	Status       string         `json:"status"`
	StatusReason string         `json:"status_reason,omitempty"`
	Version      int            `json:"version"`
	CreatedAt    string         `json:"created_at"`
	UpdatedAt    string         `json:"updated_at"`
	Values       map[string]any `json:"values"`
}

func toRecordJSON(reg *register.Register, r *register.Record) recordJSON {
	vals := reg.MarshalValues(r.Values)
	for _, f := range reg.Schema.Fields {
		if f.Sensitive && vals[f.Code] != nil {
			vals[f.Code] = register.Mask(f.Format(r.Values[f.Code], ""))
		}
	}
	return recordJSON{ID: r.ID, Register: r.Register, Unit: r.Unit, Date: r.Date, Status: r.Status, StatusReason: r.StatusReason,
		Version: r.Version, CreatedAt: r.CreatedAt.Format(timeLayout), UpdatedAt: r.UpdatedAt.Format(timeLayout), Values: vals}
}

const timeLayout = "2006-01-02T15:04:05Z07:00"

type recordPageJSON struct {
	Items   []recordJSON `json:"items"`
	Total   int          `json:"total"`
	Capped  bool         `json:"total_capped,omitempty"`
	Page    int          `json:"page"`
	PerPage int          `json:"per_page"`
}

// recordFilter reads a records query: unit, period, status, q, sort,
// paging, and field conditions as f.FIELD=value or f.FIELD.OP=value.
func recordFilter(r *http.Request) (register.Filter, error) {
	q := r.URL.Query()
	f := register.Filter{Under: q.Get("unit"), Period: q.Get("period"), Status: q.Get("status"), Q: q.Get("q"), Sort: q.Get("sort"), CapTotal: true}
	c := &fault.Check{}
	var err error
	if f.Page, err = queryInt(r, "page", 1); err != nil {
		c.Add("page", "error.integer")
	}
	if f.PerPage, err = queryInt(r, "per_page", 50); err != nil {
		c.Add("per_page", "error.integer")
	}
	for key, vals := range q {
		if !strings.HasPrefix(key, "f.") {
			continue
		}
		name, op, _ := strings.Cut(strings.TrimPrefix(key, "f."), ".")
		if op == "" {
			op = "eq"
		}
		for _, v := range vals {
			f.Conds = append(f.Conds, register.Cond{Field: name, Op: op, Value: v})
		}
	}
	return f, c.Err()
}

func (s *Server) apiListRecords(w http.ResponseWriter, r *http.Request) error {
	f, err := recordFilter(r)
	if err != nil {
		return err
	}
	reg, page, err := s.app.Registers.ListRecords(r.Context(), principal(r).Scope(auth.PermRead), r.PathValue("code"), f)
	if err != nil {
		return s.named(r, r.PathValue("code"), err)
	}
	out := recordPageJSON{Total: page.Total, Capped: page.Capped, Page: page.Page, PerPage: page.PerPage, Items: make([]recordJSON, 0, len(page.Items))}
	for _, rec := range page.Items {
		out.Items = append(out.Items, toRecordJSON(reg, rec))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiCreateRecord(w http.ResponseWriter, r *http.Request) error {
	var in register.Input
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	p := principal(r)
	if !p.Can(auth.PermDataEntry) {
		return fault.ErrForbidden
	}
	code := r.PathValue("code")
	rec, err := s.app.Registers.Create(r.Context(), recordAccess(p), code, in)
	if err != nil {
		return s.named(r, code, err)
	}
	reg, err := s.app.Registers.Get(r.Context(), code)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/registers/"+code+"/records/"+idString(rec.ID))
	return writeJSON(w, http.StatusCreated, toRecordJSON(reg, rec))
}

func (s *Server) apiGetRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	reg, rec, err := s.app.Registers.GetRecord(r.Context(), principal(r).Scope(auth.PermRead), r.PathValue("code"), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRecordJSON(reg, rec))
}

func (s *Server) apiUpdateRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in register.Patch
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	code := r.PathValue("code")
	rec, err := s.app.Registers.Update(r.Context(), recordAccess(principal(r)), code, id, in)
	if err != nil {
		return s.named(r, code, err)
	}
	reg, err := s.app.Registers.Get(r.Context(), code)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRecordJSON(reg, rec))
}

func (s *Server) apiDeleteRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.app.Registers.Delete(r.Context(), recordAccess(principal(r)), r.PathValue("code"), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type statusRequest struct {
	Action string `json:"action"`
	Reason string `json:"reason"`
}

func (s *Server) apiRecordStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in statusRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	code := r.PathValue("code")
	rec, err := s.app.Registers.SetStatus(r.Context(), recordAccess(principal(r)), code, id, register.Transition(in.Action), in.Reason)
	if err != nil {
		return err
	}
	reg, err := s.app.Registers.Get(r.Context(), code)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRecordJSON(reg, rec))
}

type revealRequest struct {
	Field string `json:"field"`
}

type revealResponse struct {
	Field string `json:"field"`
	Value any    `json:"value"`
}

// apiRevealRecord shows one sensitive value in clear to a caller who may
// enter or approve the record's data; every reveal is audited.
func (s *Server) apiRevealRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in revealRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	v, err := s.app.Registers.Reveal(r.Context(), recordAccess(principal(r)), r.PathValue("code"), id, in.Field)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, revealResponse{Field: in.Field, Value: v})
}

func (s *Server) apiRecordAudit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	p := principal(r)
	code := r.PathValue("code")
	if _, _, err := s.app.Registers.GetRecord(r.Context(), p.Scope(auth.PermRead), code, id); err != nil {
		return err
	}
	f.Entity, f.EntityID = "record:"+code, idString(id)
	// whoever may read the record may read its history
	return s.listAudit(w, r, recordHistoryScope(p), f)
}

func recordHistoryScope(p *auth.Principal) audit.ScopeCond {
	scope := p.Scope(auth.PermRead)
	return func(col string, args *store.Args) string { return scope.Cond(col, args) }
}

func idString(n int64) string { return strconv.FormatInt(n, 10) }

// registerFault is a refused record request whose fields are named, in
// the problem's messages, by the register's own field names ("上级活动"),
// not by the locale's generic labels for the same codes.
type registerFault struct {
	error
	reg *register.Register
}

func (e registerFault) Unwrap() error { return e.error }

// FieldName names a field code, or a filter on one (f.CODE).
func (e registerFault) FieldName(field, lang string) (string, bool) {
	f, ok := e.reg.Schema.Field(strings.TrimPrefix(field, "f."))
	if !ok {
		return "", false
	}
	return f.Name(lang), true
}

// named labels the fields of a refused request about register code.
func (s *Server) named(r *http.Request, code string, err error) error {
	if len(fault.FieldsOf(err)) == 0 {
		return err
	}
	reg, gerr := s.app.Registers.Get(r.Context(), code)
	if gerr != nil {
		return err
	}
	return registerFault{err, reg}
}
