package unit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/store"
)

// lockForWrite reads the unit for a change: outside a.Read it does not
// exist for the caller; inside Read but outside Write it is forbidden.
func (svc *Service) lockForWrite(ctx context.Context, a Access, code string) (Unit, error) {
	u, err := svc.Get(ctx, a.Read, code)
	if err != nil {
		return Unit{}, err
	}
	if !a.Write.Contains(u.Path) {
		return Unit{}, fmt.Errorf("unit %s: %w", code, fault.ErrForbidden)
	}
	return u, nil
}

// parentFor resolves a parent code the caller may write under; a parent
// outside the write scope is reported as unknown, never as existing.
func (svc *Service) parentFor(ctx context.Context, a Access, code string) (Unit, error) {
	p, err := svc.Get(ctx, a.Write, code)
	if errors.Is(err, fault.ErrNotFound) {
		return Unit{}, fault.InvalidField("parent", "unit.parent.unknown", "code", code)
	}
	if err != nil {
		return Unit{}, err
	}
	if p.Closed() {
		return Unit{}, fault.InvalidField("parent", "unit.parent.closed", "code", code)
	}
	return p, nil
}

func (svc *Service) checkType(ctx context.Context, c *fault.Check, typ string) error {
	if typ == "" {
		return nil
	}
	var n int
	if err := svc.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM unit_types WHERE code = $1`, typ).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		c.Add("type", "unit.type.unknown", "value", typ)
	}
	return nil
}

// Create adds a unit under a parent in the caller's write scope. Only the
// system may create a root (a unit without a parent), and only one.
func (svc *Service) Create(ctx context.Context, a Access, in Create) (Unit, error) {
	in.normalize()
	isRoot := in.Parent == "" && a.Write.IsEverything()
	c := in.check(!isRoot)
	if err := svc.checkType(ctx, c, in.Type); err != nil {
		return Unit{}, err
	}
	if err := c.Err(); err != nil {
		return Unit{}, err
	}
	var created Unit
	err := svc.db.WithTx(ctx, func(ctx context.Context) error {
		var parentID any
		path, depth := "/"+in.Code+"/", 0
		if isRoot {
			if _, err := svc.Root(ctx); err == nil {
				return fault.InvalidField("parent", "error.required")
			}
		} else {
			p, err := svc.parentFor(ctx, a, in.Parent)
			if err != nil {
				return err
			}
			parentID, path, depth = p.ID, p.Path+in.Code+"/", p.Depth+1
		}
		t := now()
		_, err := svc.db.Q(ctx).ExecContext(ctx, `INSERT INTO units
			(code, type, parent_id, path, depth, name_zh, name_en, opened_on, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
			in.Code, in.Type, parentID, path, depth, in.NameZH, in.NameEN, nullable(in.OpenedOn), t)
		if svc.db.Dialect.IsUniqueViolation(err) {
			return fault.ConflictField("code", "unit.code.taken", "code", in.Code)
		}
		if err != nil {
			return fmt.Errorf("insert unit: %w", err)
		}
		u, err := svc.Get(ctx, Everything(), in.Code)
		if err != nil {
			return err
		}
		if err := svc.setGroups(ctx, u, in.Groups, "groups"); err != nil {
			return err
		}
		created, err = svc.Get(ctx, Everything(), in.Code)
		if err != nil {
			return err
		}
		return svc.audit.Record(ctx, audit.Change{Action: "create", Entity: "unit", EntityID: u.Code, UnitPath: u.Path, After: created})
	})
	return created, err
}

// setGroups makes the unit's groups exactly codes.
func (svc *Service) setGroups(ctx context.Context, u Unit, codes []string, field string) error {
	want := map[int64]bool{}
	for _, code := range codes {
		var id int64
		err := svc.db.Q(ctx).QueryRowContext(ctx, `SELECT id FROM unit_groups WHERE code = $1`, strings.TrimSpace(code)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.InvalidField(field, "unit.group.unknown", "code", code)
		}
		if err != nil {
			return err
		}
		want[id] = true
	}
	q := svc.db.Q(ctx)
	if _, err := q.ExecContext(ctx, `DELETE FROM unit_group_members WHERE unit_id = $1`, u.ID); err != nil {
		return err
	}
	for id := range want {
		if _, err := q.ExecContext(ctx, `INSERT INTO unit_group_members(group_id, unit_id) VALUES ($1, $2)`, id, u.ID); err != nil {
			return fmt.Errorf("add group member: %w", err)
		}
	}
	return nil
}

// Update changes the given fields of a unit.
func (svc *Service) Update(ctx context.Context, a Access, code string, in Update) (Unit, error) {
	c := in.check()
	if in.Type != nil {
		if err := svc.checkType(ctx, c, strings.TrimSpace(*in.Type)); err != nil {
			return Unit{}, err
		}
	}
	if err := c.Err(); err != nil {
		return Unit{}, err
	}
	var updated Unit
	err := svc.db.WithTx(ctx, func(ctx context.Context) error {
		before, err := svc.lockForWrite(ctx, a, code)
		if err != nil {
			return err
		}
		if in.Version != nil && *in.Version != before.Version {
			return fault.ConflictField("version", "error.stale", "version", before.Version)
		}
		after := before
		if in.Type != nil {
			after.Type = strings.TrimSpace(*in.Type)
		}
		if in.NameZH != nil {
			after.NameZH = strings.TrimSpace(*in.NameZH)
		}
		if in.NameEN != nil {
			after.NameEN = strings.TrimSpace(*in.NameEN)
		}
		if in.OpenedOn != nil {
			after.OpenedOn = strings.TrimSpace(*in.OpenedOn)
		}
		var args store.Args
		q := `UPDATE units SET type = ` + args.Add(after.Type) + `, name_zh = ` + args.Add(after.NameZH) +
			`, name_en = ` + args.Add(after.NameEN) + `, opened_on = ` + args.Add(nullable(after.OpenedOn)) +
			`, version = version + 1, updated_at = ` + args.Add(now()) +
			` WHERE id = ` + args.Add(before.ID) + ` AND ` + a.Write.Cond("path", &args)
		res, err := svc.db.Q(ctx).ExecContext(ctx, q, args.Values()...)
		if err != nil {
			return fmt.Errorf("update unit: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fault.NotFound("unit", code)
		}
		if in.Groups != nil {
			if err := svc.setGroups(ctx, before, *in.Groups, "groups"); err != nil {
				return err
			}
		}
		updated, err = svc.Get(ctx, Everything(), code)
		if err != nil {
			return err
		}
		return svc.audit.Record(ctx, audit.Change{Action: "update", Entity: "unit", EntityID: code, UnitPath: updated.Path, Before: before, After: updated})
	})
	return updated, err
}

// Move re-parents a unit and its whole subtree in one transaction. A move
// under the unit itself or one of its descendants is refused.
func (svc *Service) Move(ctx context.Context, a Access, code string, in Move) (Unit, error) {
	in.Parent = strings.TrimSpace(in.Parent)
	if in.Parent == "" {
		return Unit{}, fault.InvalidField("parent", "error.required")
	}
	var moved Unit
	err := svc.db.WithTx(ctx, func(ctx context.Context) error {
		before, err := svc.lockForWrite(ctx, a, code)
		if err != nil {
			return err
		}
		if before.Parent == "" {
			return fault.InvalidField("parent", "unit.move.root")
		}
		p, err := svc.parentFor(ctx, a, in.Parent)
		if err != nil {
			return err
		}
		if strings.HasPrefix(p.Path, before.Path) {
			return fault.InvalidField("parent", "unit.move.cycle", "code", in.Parent)
		}
		if p.Code == before.Parent {
			moved = before
			return nil
		}
		newPath := p.Path + before.Code + "/"
		delta := p.Depth + 1 - before.Depth
		from, to := PathRange(before.Path)
		_, err = svc.db.Q(ctx).ExecContext(ctx, `UPDATE units SET path = $1 || substr(path, $2), depth = depth + $3,
			updated_at = $4 WHERE path >= $5 AND path < $6`,
			newPath, len(before.Path)+1, delta, now(), from, to)
		if err != nil {
			return fmt.Errorf("move subtree: %w", err)
		}
		if _, err := svc.db.Q(ctx).ExecContext(ctx, `UPDATE units SET parent_id = $1, version = version + 1 WHERE id = $2`, p.ID, before.ID); err != nil {
			return fmt.Errorf("move unit: %w", err)
		}
		moved, err = svc.Get(ctx, Everything(), code)
		if err != nil {
			return err
		}
		for _, hook := range svc.moveHooks {
			if err := hook(ctx, moved, before.Path); err != nil {
				return err
			}
		}
		return svc.audit.Record(ctx, audit.Change{Action: "move", Entity: "unit", EntityID: code, UnitPath: moved.Path,
			Before: map[string]any{"parent": before.Parent, "path": before.Path},
			After:  map[string]any{"parent": moved.Parent, "path": moved.Path}})
	})
	return moved, err
}

// Close closes a unit on a date. Its records and history stay; a unit
// with open children cannot close until they are closed or moved.
func (svc *Service) Close(ctx context.Context, a Access, code string, in CloseReq) (Unit, error) {
	in.ClosedOn = strings.TrimSpace(in.ClosedOn)
	c := &fault.Check{}
	if in.ClosedOn == "" {
		c.Add("closed_on", "error.required")
	}
	checkDate(c, "closed_on", in.ClosedOn)
	if err := c.Err(); err != nil {
		return Unit{}, err
	}
	var closed Unit
	err := svc.db.WithTx(ctx, func(ctx context.Context) error {
		before, err := svc.lockForWrite(ctx, a, code)
		if err != nil {
			return err
		}
		if before.Closed() {
			return fault.ConflictField("closed_on", "unit.close.already", "date", before.ClosedOn)
		}
		if before.OpenedOn != "" && in.ClosedOn < before.OpenedOn {
			return fault.InvalidField("closed_on", "unit.close.before_open", "date", before.OpenedOn)
		}
		var open int
		if err := svc.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE parent_id = $1 AND closed_on IS NULL`, before.ID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return fault.ConflictField("closed_on", "unit.close.open_children", "count", open)
		}
		if _, err := svc.db.Q(ctx).ExecContext(ctx, `UPDATE units SET closed_on = $1, version = version + 1, updated_at = $2 WHERE id = $3`,
			in.ClosedOn, now(), before.ID); err != nil {
			return fmt.Errorf("close unit: %w", err)
		}
		closed, err = svc.Get(ctx, Everything(), code)
		if err != nil {
			return err
		}
		return svc.audit.Record(ctx, audit.Change{Action: "close", Entity: "unit", EntityID: code, UnitPath: closed.Path, Before: before, After: closed})
	})
	return closed, err
}

// Reopen clears a unit's closing date.
func (svc *Service) Reopen(ctx context.Context, a Access, code string) (Unit, error) {
	var opened Unit
	err := svc.db.WithTx(ctx, func(ctx context.Context) error {
		before, err := svc.lockForWrite(ctx, a, code)
		if err != nil {
			return err
		}
		if !before.Closed() {
			return fault.ConflictField("closed_on", "unit.reopen.not_closed")
		}
		if _, err := svc.db.Q(ctx).ExecContext(ctx, `UPDATE units SET closed_on = NULL, version = version + 1, updated_at = $1 WHERE id = $2`, now(), before.ID); err != nil {
			return err
		}
		opened, err = svc.Get(ctx, Everything(), code)
		if err != nil {
			return err
		}
		return svc.audit.Record(ctx, audit.Change{Action: "reopen", Entity: "unit", EntityID: code, UnitPath: opened.Path, Before: before, After: opened})
	})
	return opened, err
}

// Ancestors returns the codes on the path from the root to code, both included.
func Ancestors(path string) []string {
	return slices.DeleteFunc(strings.Split(path, "/"), func(s string) bool { return s == "" })
}

// MoveHook is told of a unit moved to a new parent, inside the move's
// transaction, with the unit's old path; figures kept per subtree use it
// to move the unit's totals from its old ancestors to its new ones.
type MoveHook func(ctx context.Context, moved Unit, oldPath string) error

// OnMove adds a hook run by every move.
func (svc *Service) OnMove(h MoveHook) { svc.moveHooks = append(svc.moveHooks, h) }
