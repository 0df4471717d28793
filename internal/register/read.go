package register

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// selectCols is the column list of a record query; the unit's code and
// path come from a correlated read of the units table through unit.PathOf.
func selectCols(reg *Register) string {
	cols := []string{"r.id", "r.unit_id", "r.date", "r.status", "r.status_reason", "r.version", "r.created_at", "r.updated_at",
		unit.PathOf("r.unit_id")}
	for _, f := range reg.Schema.Fields {
		cols = append(cols, "r."+Column(f.Code))
	}
	return strings.Join(cols, ", ")
}

// scanRecord reads one row of selectCols.
func scanRecord(reg *Register, sc interface{ Scan(...any) error }) (*Record, error) {
	r := &Record{Register: reg.Code, Values: make(map[string]any, len(reg.Schema.Fields))}
	dest := []any{&r.ID, &r.UnitID, &r.Date, &r.Status, &r.StatusReason, &r.Version, &r.CreatedAt, &r.UpdatedAt, &r.UnitPath}
	holders := make([]any, len(reg.Schema.Fields))
	for i, f := range reg.Schema.Fields {
		switch storage(f.Type) {
		case "int":
			holders[i] = new(sql.NullInt64)
		case "bool":
			holders[i] = new(sql.NullBool)
		case "text":
			holders[i] = new(sql.NullString)
		default:
			holders[i] = new(sql.NullTime)
		}
	}
	if err := sc.Scan(append(dest, holders...)...); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if codes := unit.Ancestors(r.UnitPath); len(codes) > 0 {
		r.Unit = codes[len(codes)-1]
	}
	for i, f := range reg.Schema.Fields {
		var v any
		switch h := holders[i].(type) {
		case *sql.NullInt64:
			if h.Valid {
				v = h.Int64
			}
		case *sql.NullBool:
			if h.Valid {
				v = h.Bool
			}
		case *sql.NullTime:
			if h.Valid {
				v = h.Time.UTC()
			}
		case *sql.NullString:
			if h.Valid {
				if f.Type == TypeOptions || f.Type == TypeAttachment {
					var list []string
					if err := json.Unmarshal([]byte(h.String), &list); err == nil {
						v = list
					}
				} else {
					v = h.String
				}
			}
		}
		r.Values[f.Code] = v
	}
	return r, nil
}

// GetRecord returns a record if its unit lies in read.
func (s *Service) GetRecord(ctx context.Context, read unit.Scope, code string, id int64) (*Register, *Record, error) {
	reg, err := s.Get(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	var args store.Args
	q := `SELECT ` + selectCols(reg) + ` FROM ` + Table(reg.Code) + ` r WHERE r.id = ` + args.Add(id) + ` AND ` + read.IDCond("r.unit_id", &args)
	r, err := scanRecord(reg, s.db.Q(ctx).QueryRowContext(ctx, q, args.Values()...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fault.NotFound("record", id)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get record: %w", err)
	}
	return reg, r, nil
}

// forChange reads a record for a change: outside read it is not found;
// outside scope it is forbidden.
func (s *Service) forChange(ctx context.Context, read, scope unit.Scope, code string, id int64) (*Register, *Record, error) {
	reg, r, err := s.GetRecord(ctx, read, code, id)
	if err != nil {
		return nil, nil, err
	}
	if !scope.Contains(r.UnitPath) {
		return nil, nil, fmt.Errorf("record %d: %w", id, fault.ErrForbidden)
	}
	return reg, r, nil
}

// Update changes a record's values. Approved records are locked until
// their approval is withdrawn.
func (s *Service) Update(ctx context.Context, acc Access, code string, id int64, p Patch) (*Record, error) {
	var out *Record
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		reg, before, err := s.forChange(ctx, acc.Read, acc.Enter, code, id)
		if err != nil {
			return err
		}
		if p.Version != nil && *p.Version != before.Version {
			return fault.ConflictField("version", "error.stale", "version", before.Version)
		}
		out, err = s.rewrite(ctx, reg, acc, before, p.Values)
		return err
	})
	return out, err
}

// rewrite stores new values for a record inside the caller's transaction.
func (s *Service) rewrite(ctx context.Context, reg *Register, acc Access, before *Record, in map[string]any) (*Record, error) {
	if before.Status == StatusApproved || before.Status == StatusSubmitted {
		return nil, fault.ConflictField("status", "register.record.locked", "status", before.Status)
	}
	vals, err := s.values(ctx, reg, acc.Read, before.Values, in)
	if err != nil {
		return nil, err
	}
	if err := s.checkUnique(ctx, reg, vals, before.ID); err != nil {
		return nil, err
	}
	after := *before
	after.Values, after.Date, after.Version, after.UpdatedAt = vals, reg.recordDate(vals), before.Version+1, time.Now().UTC()
	var args store.Args
	search := reg.searchText(vals)
	sets := []string{"date = " + args.Add(after.Date), "nkey = " + args.Add(reg.NaturalKey(vals)), "search = " + args.Add(search),
		"version = version + 1", "updated_at = " + args.Add(after.UpdatedAt), "updated_by = " + args.Add(actorID(ctx))}
	for _, f := range reg.Schema.Fields {
		sets = append(sets, Column(f.Code)+" = "+args.Add(sqlValue(vals[f.Code])))
	}
	res, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE `+Table(reg.Code)+` SET `+strings.Join(sets, ", ")+
		` WHERE id = `+args.Add(before.ID)+` AND version = `+args.Add(before.Version)+` AND `+acc.Enter.IDCond("unit_id", &args), args.Values()...)
	if ferr := s.uniqueFault(reg, err); ferr != nil {
		return nil, ferr
	}
	if err != nil {
		return nil, fmt.Errorf("update record: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, fault.ConflictField("version", "error.stale", "version", before.Version)
	}
	// the pairs follow the text stored, whatever it was before
	if err := s.unindexSearch(ctx, reg.Code, before.ID); err != nil {
		return nil, err
	}
	if err := s.indexSearch(ctx, reg.Code, []int64{before.ID}, []string{search}); err != nil {
		return nil, err
	}
	if err := s.changed(ctx, reg, before, &after, "update"); err != nil {
		return nil, err
	}
	return &after, nil
}

// Delete removes a record that is not submitted or approved and that no
// record of any register refers to.
func (s *Service) Delete(ctx context.Context, acc Access, code string, id int64) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		reg, before, err := s.forChange(ctx, acc.Read, acc.Enter, code, id)
		if err != nil {
			return err
		}
		if before.Status == StatusApproved || before.Status == StatusSubmitted {
			return fault.ConflictField("status", "register.record.locked", "status", before.Status)
		}
		// the record is locked before its referrers are counted: a write
		// that refers to it holds it (checkRef) until that write commits,
		// so its reference is counted here, or it waits for this delete
		// and then finds no record to refer to
		if lock := s.db.Dialect.UpdateLock; lock != "" {
			var args store.Args
			var got int64
			if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id FROM `+Table(reg.Code)+` WHERE id = `+args.Add(id)+lock, args.Values()...).Scan(&got); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return fault.ConflictField("version", "error.stale", "version", before.Version)
				}
				return fmt.Errorf("delete record: %w", err)
			}
		}
		if err := s.checkUnreferenced(ctx, acc.Read, reg, id); err != nil {
			return err
		}
		var args store.Args
		res, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM `+Table(reg.Code)+` WHERE id = `+args.Add(id)+` AND version = `+
			args.Add(before.Version)+` AND `+acc.Enter.IDCond("unit_id", &args), args.Values()...)
		if err != nil {
			return fmt.Errorf("delete record: %w", err)
		}
		// a concurrent change or delete got there first: audit and
		// observe only what happened
		if n, _ := res.RowsAffected(); n != 1 {
			return fault.ConflictField("version", "error.stale", "version", before.Version)
		}
		if err := s.unindexSearch(ctx, reg.Code, id); err != nil {
			return err
		}
		return s.changed(ctx, reg, before, nil, "delete")
	})
}

// Transition is a change of a record's status.
type Transition string

// The transitions of the approval workflow.
const (
	Submit   Transition = "submit"   // draft or returned → submitted (data entry)
	Approve  Transition = "approve"  // submitted → approved (approver)
	Return   Transition = "return"   // submitted → returned with a reason (approver)
	Withdraw Transition = "withdraw" // approved → submitted (approver), so it can be returned and changed
)

var transitions = map[Transition]struct {
	from []string
	to   string
}{
	Submit:   {[]string{StatusDraft, StatusReturned}, StatusSubmitted},
	Approve:  {[]string{StatusSubmitted}, StatusApproved},
	Return:   {[]string{StatusSubmitted}, StatusReturned},
	Withdraw: {[]string{StatusApproved}, StatusSubmitted},
}

// SetStatus moves a record through the workflow: data entry submits;
// approvers approve, return with a reason, or withdraw an approval.
func (s *Service) SetStatus(ctx context.Context, acc Access, code string, id int64, t Transition, reason string) (*Record, error) {
	tr, ok := transitions[t]
	if !ok {
		return nil, fault.InvalidField("action", "error.option", "value", string(t))
	}
	reason = strings.TrimSpace(reason)
	if t == Return && reason == "" {
		return nil, fault.InvalidField("reason", "error.required")
	}
	if len([]rune(reason)) > 500 {
		return nil, fault.InvalidField("reason", "error.too_long", "max", 500)
	}
	scope := acc.Approve
	if t == Submit {
		scope = acc.Enter
	}
	var out *Record
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		reg, before, err := s.forChange(ctx, acc.Read, scope, code, id)
		if err != nil {
			return err
		}
		if !containsStr(tr.from, before.Status) {
			return fault.ConflictField("status", "register.record.transition", "from", before.Status, "action", string(t))
		}
		after := *before
		after.Status, after.StatusReason, after.Version, after.UpdatedAt = tr.to, reason, before.Version+1, time.Now().UTC()
		res, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE `+Table(reg.Code)+` SET status = $1, status_reason = $2, version = version + 1,
			updated_at = $3, updated_by = $4 WHERE id = $5 AND version = $6`, after.Status, reason, after.UpdatedAt, actorID(ctx), id, before.Version)
		if err != nil {
			return err
		}
		// a concurrent step got there first (PostgreSQL re-reads the row
		// after waiting for it): this one did not happen
		if n, _ := res.RowsAffected(); n != 1 {
			return fault.ConflictField("status", "error.stale", "version", before.Version)
		}
		out = &after
		return s.changed(ctx, reg, before, &after, string(t))
	})
	return out, err
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
