package register

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"kexie/internal/store"
)

// A record's search text is written with the record; a new schema
// version can change it without any record being written: an option's
// label changes, a field becomes searchable or stops being so, a
// migration fills or maps values. Define then writes the text anew for
// the records whose text the change alters, in its transaction, so a
// search by the new label finds them and the old label no longer does.

// searchStale returns the condition (on the register's table, alias r)
// of the records whose search text the change from old to next with m
// alters, or "" when no record's text changes.
func searchStale(old, next *Schema, m Migration) string {
	var conds []string
	for _, nf := range next.Fields {
		col := "r." + Column(nf.Code)
		of, existed := old.Field(nf.Code)
		now, was := nf.searched(), existed && of.searched()
		switch {
		case !now && !was:
			continue
		case now != was, of.Type != nf.Type:
			conds = append(conds, col+" IS NOT NULL")
			continue
		}
		// searched before and now, with the same type
		if nf.Required && !of.Required {
			conds = append(conds, col+" IS NOT NULL") // filled by the migration
			continue
		}
		if nf.Type != TypeOption && nf.Type != TypeOptions {
			continue
		}
		var codes []string
		for _, o := range nf.Options {
			i := slices.IndexFunc(of.Options, func(p Option) bool { return p.Code == o.Code })
			if i >= 0 && (of.Options[i].NameZH != o.NameZH || of.Options[i].NameEN != o.NameEN) {
				codes = append(codes, o.Code)
			}
		}
		// records mapped from a removed option now hold its replacement
		for _, to := range m.MapOptions[nf.Code] {
			if !slices.Contains(codes, to) {
				codes = append(codes, to)
			}
		}
		sort.Strings(codes)
		for _, c := range codes {
			// option codes are checked (letters, digits, '_', '.', '-'),
			// so they are safe inside a literal; a '_' matching any
			// character rewrites a record too many, never one too few
			if nf.Type == TypeOption {
				conds = append(conds, col+" = '"+c+"'")
			} else {
				conds = append(conds, col+` LIKE '%"`+c+`"%'`)
			}
		}
	}
	// a field that goes keeps its column and data, but leaves the text
	for _, of := range old.Fields {
		if _, still := next.Field(of.Code); !still && of.searched() {
			conds = append(conds, "r."+Column(of.Code)+" IS NOT NULL")
		}
	}
	return strings.Join(conds, " OR ")
}

// rewriteSearch writes anew the search text (and, on SQLite, its pairs)
// of reg's records matching cond, a batch at a time, inside the caller's
// transaction.
func (s *Service) rewriteSearch(ctx context.Context, reg *Register, cond string) error {
	const per = 1000
	q := s.db.Q(ctx)
	var last int64
	for {
		rows, err := q.QueryContext(ctx, `SELECT `+selectCols(reg)+` FROM `+Table(reg.Code)+` r WHERE r.id > $1 AND (`+cond+`) ORDER BY r.id LIMIT `+fmt.Sprint(per), last)
		if err != nil {
			return fmt.Errorf("search text of %s: %w", reg.Code, err)
		}
		var ids []int64
		var texts []string
		for rows.Next() {
			rec, err := scanRecord(reg, rows)
			if err != nil {
				rows.Close()
				return err
			}
			ids, texts = append(ids, rec.ID), append(texts, reg.searchText(rec.Values))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		for i, id := range ids {
			var args store.Args
			if _, err := q.ExecContext(ctx, `UPDATE `+Table(reg.Code)+` SET search = `+args.Add(texts[i])+` WHERE id = `+args.Add(id), args.Values()...); err != nil {
				return fmt.Errorf("search text of %s: %w", reg.Code, err)
			}
			if err := s.unindexSearch(ctx, reg.Code, id); err != nil {
				return err
			}
		}
		if err := s.indexSearch(ctx, reg.Code, ids, texts); err != nil {
			return err
		}
		last = ids[len(ids)-1]
		if len(ids) < per {
			return nil
		}
	}
}
