package unit

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"kexie/internal/audit"
	"kexie/internal/fault"
)

// Type is a kind of unit (province, city, society …), configuration rather
// than code.
type Type struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	Sort   int    `json:"sort"`
}

// Group is a named set of units (pilot cities, say).
type Group struct {
	Code    string `json:"code"`
	NameZH  string `json:"name_zh"`
	NameEN  string `json:"name_en"`
	Members int    `json:"members"`
}

// MaxSort bounds a type's sort order either way.
const MaxSort = 1_000_000

//go:embed types.json
var builtinTypes []byte

// BuiltinTypes returns the unit types kexie ships with.
func BuiltinTypes() ([]Type, error) {
	var ts []Type
	if err := json.Unmarshal(builtinTypes, &ts); err != nil {
		return nil, fmt.Errorf("builtin unit types: %w", err)
	}
	return ts, nil
}

// EnsureBuiltinTypes adds the built-in types that are missing; types an
// administrator has renamed keep their names.
func (svc *Service) EnsureBuiltinTypes(ctx context.Context) error {
	ts, err := BuiltinTypes()
	if err != nil {
		return err
	}
	return svc.db.WithTx(ctx, func(ctx context.Context) error {
		for _, t := range ts {
			if _, err := svc.db.Q(ctx).ExecContext(ctx, `INSERT INTO unit_types(code, name_zh, name_en, sort)
				VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING`, t.Code, t.NameZH, t.NameEN, t.Sort); err != nil {
				return fmt.Errorf("unit type %s: %w", t.Code, err)
			}
		}
		return nil
	})
}

// Types lists the unit types.
func (svc *Service) Types(ctx context.Context) ([]Type, error) {
	rows, err := svc.db.Q(ctx).QueryContext(ctx, `SELECT code, name_zh, name_en, sort FROM unit_types ORDER BY sort, code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Type{}
	for rows.Next() {
		var t Type
		if err := rows.Scan(&t.Code, &t.NameZH, &t.NameEN, &t.Sort); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SaveType creates or renames a unit type (administrators only: the caller checks).
func (svc *Service) SaveType(ctx context.Context, t Type) (Type, error) {
	t.Code, t.NameZH, t.NameEN = strings.TrimSpace(t.Code), strings.TrimSpace(t.NameZH), strings.TrimSpace(t.NameEN)
	c := &fault.Check{}
	if !ValidCode(t.Code) {
		c.Add("code", "unit.code.invalid")
	}
	checkName(c, "name_zh", t.NameZH, MaxNameZH, true)
	checkName(c, "name_en", t.NameEN, MaxNameEN, false)
	if t.Sort < -MaxSort || t.Sort > MaxSort {
		c.Add("sort", "error.integer") // the column is a 32-bit integer
	}
	if err := c.Err(); err != nil {
		return Type{}, err
	}
	err := svc.db.WithTx(ctx, func(ctx context.Context) error {
		_, err := svc.db.Q(ctx).ExecContext(ctx, `INSERT INTO unit_types(code, name_zh, name_en, sort) VALUES ($1, $2, $3, $4)
			ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, sort = excluded.sort`,
			t.Code, t.NameZH, t.NameEN, t.Sort)
		if err != nil {
			return err
		}
		return svc.audit.Record(ctx, audit.Change{Action: "save", Entity: "unit_type", EntityID: t.Code, After: t})
	})
	return t, err
}

// Groups lists the unit groups with their member counts.
func (svc *Service) Groups(ctx context.Context) ([]Group, error) {
	rows, err := svc.db.Q(ctx).QueryContext(ctx, `SELECT g.code, g.name_zh, g.name_en,
		(SELECT COUNT(*) FROM unit_group_members m WHERE m.group_id = g.id) FROM unit_groups g ORDER BY g.code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Group{}
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.Code, &g.NameZH, &g.NameEN, &g.Members); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// SaveGroup creates or renames a unit group.
func (svc *Service) SaveGroup(ctx context.Context, g Group) (Group, error) {
	g.Code, g.NameZH, g.NameEN = strings.TrimSpace(g.Code), strings.TrimSpace(g.NameZH), strings.TrimSpace(g.NameEN)
	c := &fault.Check{}
	if !ValidCode(g.Code) {
		c.Add("code", "unit.code.invalid")
	}
	checkName(c, "name_zh", g.NameZH, MaxNameZH, true)
	checkName(c, "name_en", g.NameEN, MaxNameEN, false)
	if err := c.Err(); err != nil {
		return Group{}, err
	}
	err := svc.db.WithTx(ctx, func(ctx context.Context) error {
		_, err := svc.db.Q(ctx).ExecContext(ctx, `INSERT INTO unit_groups(code, name_zh, name_en) VALUES ($1, $2, $3)
			ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en`, g.Code, g.NameZH, g.NameEN)
		if err != nil {
			return err
		}
		return svc.audit.Record(ctx, audit.Change{Action: "save", Entity: "unit_group", EntityID: g.Code, After: g})
	})
	return g, err
}
