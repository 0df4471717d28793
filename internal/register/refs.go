package register

import (
	"context"
	"fmt"
	"strings"

	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// MaxReferences is how many referring records a refused delete names.
const MaxReferences = 10

// refField is a field of some register that refers to records of another.
type refField struct {
	reg   *Register
	field Field
}

// referrers lists the fields, in every register, whose values are ids of
// records of register code: record fields naming it, and person fields
// when it is the people register.
func (s *Service) referrers(ctx context.Context, code string) ([]refField, error) {
	all, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []refField
	for _, r := range all {
		for _, f := range r.Schema.Fields {
			if (f.Type == TypeRecord && f.Register == code) || (f.Type == TypePerson && code == PeopleRegister) {
				out = append(out, refField{reg: r, field: f})
			}
		}
	}
	return out, nil
}

// checkUnreferenced refuses to delete record id of reg while records of
// any register refer to it: deleting it would leave their references
// dangling. The refusal names up to MaxReferences of the referring
// records that read lets the caller see, with their registers, and
// counts the others without naming them (naming a record outside the
// caller's scope would reveal it).
func (s *Service) checkUnreferenced(ctx context.Context, read unit.Scope, reg *Register, id int64) error {
	fields, err := s.referrers(ctx, reg.Code)
	if err != nil {
		return err
	}
	var zh, en []string
	named, hidden := 0, 0
	for _, rf := range fields {
		var args store.Args
		t := Table(rf.reg.Code)
		col := Column(rf.field.Code)
		target := args.Add(id)
		var all int
		if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t+` WHERE `+col+` = `+target, args.Values()...).Scan(&all); err != nil {
			return fmt.Errorf("references to record %d: %w", id, err)
		}
		if all == 0 {
			continue
		}
		var ids []int64
		if named < MaxReferences {
			q := `SELECT id FROM ` + t + ` WHERE ` + col + ` = ` + target + ` AND ` + read.IDCond("unit_id", &args) +
				` ORDER BY id LIMIT ` + args.Add(MaxReferences-named)
			rows, err := s.db.Q(ctx).QueryContext(ctx, q, args.Values()...)
			if err != nil {
				return fmt.Errorf("references to record %d: %w", id, err)
			}
			for rows.Next() {
				var rid int64
				if err := rows.Scan(&rid); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, rid)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		named += len(ids)
		hidden += all - len(ids)
		if len(ids) > 0 {
			list := make([]string, len(ids))
			for i, rid := range ids {
				list[i] = fmt.Sprintf("#%d", rid)
			}
			sc := rf.reg.Schema
			nameEN := sc.NameEN
			if nameEN == "" {
				nameEN = sc.NameZH
			}
			zh = append(zh, fmt.Sprintf("%s（%s）%s", sc.NameZH, rf.field.NameZH, strings.Join(list, "、")))
			en = append(en, fmt.Sprintf("%s (%s) %s", nameEN, rf.field.Name("en"), strings.Join(list, ", ")))
		}
	}
	if named == 0 && hidden == 0 {
		return nil
	}
	if hidden > 0 {
		zh = append(zh, fmt.Sprintf("另有 %d 条未列出", hidden))
		en = append(en, fmt.Sprintf("%d more not listed", hidden))
	}
	return fault.ConflictField("record", "register.record.referenced", "count", named+hidden,
		"refs_zh", strings.Join(zh, "；"), "refs_en", strings.Join(en, "; "))
}
