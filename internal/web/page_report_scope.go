package web

import (
	"errors"
	"net/http"
	"net/url"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/unit"
)

// reportScopePage says that a report belongs to a unit outside the
// caller's scope and offers the same report for the caller's own unit.
type reportScopePage struct {
	Base
	Asked    string // the unit asked for; empty for a report kept for the record
	Report   string // the template's name
	OwnName  string
	OwnHref  string
	Snapshot bool
}

// outOfScope answers a report asked for a unit (or a snapshot of a
// unit) that exists but lies outside the caller's scope: a 404, as for
// anything out of scope, but a page that says so and links the report of
// the caller's own unit for the same period. A unit that does not exist
// gets the ordinary answer (ok false).
func (s *Server) outOfScope(w http.ResponseWriter, r *http.Request, code, unitCode, periodID string, snapshot bool) (ok bool, err error) {
	ctx := r.Context()
	if !snapshot {
		if _, err := s.app.Units.Get(ctx, unit.Everything(), unitCode); err != nil {
			return false, nil
		}
	}
	data := reportScopePage{Base: s.base(r, "report.scope.title", "reports"), Asked: unitCode, Report: code, Snapshot: snapshot}
	if snapshot {
		data.Asked = ""
	}
	if t, err := s.app.Reports.Template(ctx, code); err == nil {
		data.Report = t.Name
	}
	if own := defaultUnit(r); own != "" {
		if u, err := s.app.Units.Get(ctx, principal(r).Scope(auth.PermRead), own); err == nil {
			data.OwnName = u.Name(data.Lang)
			v := url.Values{"unit": {u.Code}}
			if periodID != "" {
				v.Set("period", periodID)
			}
			data.OwnHref = "/reports/" + url.PathEscape(code) + "?" + v.Encode()
		}
	}
	return true, s.render(w, r, http.StatusNotFound, "report_scope", data)
}

func isNotFound(err error) bool { return errors.Is(err, fault.ErrNotFound) }
