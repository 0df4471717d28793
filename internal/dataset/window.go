package dataset

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/period"
	"kexie/internal/unit"
)

// chinaTime is the zone entry windows are counted in: a window that
// closes on 2021-07-15 closes at midnight in China.
var chinaTime = time.FixedZone("UTC+8", 8*3600)

// today is the day in China.
func today() string { return time.Now().In(chinaTime).Format(time.DateOnly) }

// WindowState is when a unit may enter a period, and whether it may now.
type WindowState struct {
	Opens  string `json:"opens"`
	Closes string `json:"closes,omitempty"` // "" never closes
	// Until is the last day of the unit's exception, if it has one.
	Until string `json:"until,omitempty"`
	Open  bool   `json:"open"`
	// Reason says why it is not open: dataset.window.not_open or dataset.window.closed.
	Reason string `json:"reason,omitempty"`
}

// window computes the entry window of a unit's period: the data set's
// explicit window of the period, else from the period's first day until
// LockAfterDays after its last; an exception of the unit keeps it open
// until its day.
func (s *Service) window(ctx context.Context, d *DataSet, unitID int64, p period.Period) (WindowState, error) {
	w := WindowState{Opens: p.FromDate()}
	if d.LockAfterDays > 0 {
		w.Closes = p.To.AddDate(0, 0, d.LockAfterDays).Format(time.DateOnly)
	}
	for _, x := range d.Windows {
		if x.Period == p.ID {
			w.Opens, w.Closes = x.Opens, x.Closes
		}
	}
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT until_day FROM dataset_exceptions WHERE dataset_id = $1 AND unit_id = $2 AND period = $3`,
		d.ID, unitID, p.ID).Scan(&w.Until)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return w, err
	}
	day := today()
	switch {
	case w.Until != "" && day <= w.Until:
		w.Open = true
	case day < w.Opens:
		w.Reason = "dataset.window.not_open"
	case w.Closes != "" && day > w.Closes:
		w.Reason = "dataset.window.closed"
	default:
		w.Open = true
	}
	return w, nil
}

// refusal is the error of a closed window.
func (w WindowState) refusal() error {
	if w.Reason == "dataset.window.closed" {
		return fault.ConflictField("period", w.Reason, "closes", w.Closes)
	}
	return fault.InvalidField("period", w.Reason, "opens", w.Opens)
}

// SetException lets a unit enter a period until a day (Until "" removes
// it). The caller must approve or manage above the unit: its parent (the
// root itself for the root) lies in the caller's approve or manage scope.
func (s *Service) SetException(ctx context.Context, acc Access, code string, ex Exception) (Exception, error) {
	d, err := s.Get(ctx, code)
	if err != nil {
		return Exception{}, err
	}
	u, err := s.units.Get(ctx, acc.Read, strings.TrimSpace(ex.Unit))
	if err != nil {
		return Exception{}, err
	}
	above := parentPath(u.Path)
	if above == "" {
		above = u.Path
	}
	if !acc.Approve.Contains(above) && !acc.Manage.Contains(above) {
		return Exception{}, forbid("unit", "dataset.exception.forbidden")
	}
	p, err := d.Period(ex.Period)
	if err != nil {
		return Exception{}, err
	}
	ex.Unit, ex.Period, ex.Until = u.Code, p.ID, strings.TrimSpace(ex.Until)
	if ex.Until != "" {
		if t, err := time.Parse(time.DateOnly, ex.Until); err != nil || t.Year() > 2200 {
			return Exception{}, fault.InvalidField("until", "error.date", "value", ex.Until)
		}
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		var before string
		err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT until_day FROM dataset_exceptions WHERE dataset_id = $1 AND unit_id = $2 AND period = $3`,
			d.ID, u.ID, p.ID).Scan(&before)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if ex.Until == "" {
			_, err = s.db.Q(ctx).ExecContext(ctx, `DELETE FROM dataset_exceptions WHERE dataset_id = $1 AND unit_id = $2 AND period = $3`, d.ID, u.ID, p.ID)
		} else {
			_, err = s.db.Q(ctx).ExecContext(ctx, `INSERT INTO dataset_exceptions(dataset_id, unit_id, period, until_day, created_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (dataset_id, unit_id, period) DO UPDATE SET until_day = excluded.until_day`, d.ID, u.ID, p.ID, ex.Until, time.Now().UTC())
		}
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "form_exception", Entity: "dataset_form", EntityID: formID(d.Code, u.Code, p.ID),
			UnitPath: u.Path, Before: map[string]string{"until": before}, After: map[string]string{"until": ex.Until}})
	})
	return ex, err
}

// parentPath is the path of the unit's parent, "" for the root.
func parentPath(path string) string {
	codes := unit.Ancestors(path)
	if len(codes) < 2 {
		return ""
	}
	return pathOf(codes[:len(codes)-1])
}

// pathOf is the materialised path of the codes from the root down.
func pathOf(codes []string) string { return "/" + strings.Join(codes, "/") + "/" }

// lastCode is the code of the unit at path.
func lastCode(path string) string {
	codes := unit.Ancestors(path)
	if len(codes) == 0 {
		return ""
	}
	return codes[len(codes)-1]
}

// formID names a form in the audit log: data set / unit / period.
func formID(code, unitCode, periodID string) string { return code + "/" + unitCode + "/" + periodID }
