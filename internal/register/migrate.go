package register

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"kexie/internal/fault"
)

// MaxConflicts is how many conflicting records a refused change lists.
const MaxConflicts = 50

// migrate applies the table changes from old to next, refusing what the
// existing records cannot satisfy. Fields that disappear keep their
// column (and data) so a later version can bring them back. rewrote says
// whether it changed stored values (fills, option mappings, rescaled
// numbers), which no record observer saw.
func (s *Service) migrate(ctx context.Context, old *Register, next *Schema, m Migration) (rewrote bool, err error) {
	t := Table(old.Code)
	q := s.db.Q(ctx)
	var count int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&count); err != nil {
		return false, err
	}
	c := &fault.Check{}
	if count > 0 && (old.Schema.DateField != next.DateField || !slices.Equal(old.Schema.NaturalKey, next.NaturalKey)) {
		c.Add("natural_key", "register.schema.key_change", "count", count)
	}
	var stmts []string
	for i, nf := range next.Fields {
		at := fmt.Sprintf("fields[%d]", i)
		of, existed := old.Schema.Field(nf.Code)
		kept := false // a column kept from a field removed before
		if !existed {
			var err error
			if kept, err = s.hasColumn(ctx, t, Column(nf.Code)); err != nil {
				return false, err
			}
			if !kept {
				stmts = append(stmts, addColumn(s.db.Dialect, old.Code, nf)...)
			}
		} else if of.Type != nf.Type || of.ScaleOf() != nf.ScaleOf() {
			stmt, ok := widen(t, of, nf)
			if !ok {
				c.Add(at+".type", "register.schema.type_change", "from", string(of.Type), "to", string(nf.Type))
				continue
			}
			if stmt != "" {
				stmts = append(stmts, stmt)
				rewrote = true
			}
		}
		// a field that becomes unique gets its unique index, unless records
		// already share a value (a column kept from a removed field may)
		if nf.Unique && (!existed || !of.Unique) {
			col := Column(nf.Code)
			if existed || kept {
				ids, err := s.idsWhere(ctx, t, col+" IN (SELECT "+col+" FROM "+t+" WHERE "+col+" IS NOT NULL GROUP BY "+col+" HAVING COUNT(*) > 1)")
				if err != nil {
					return false, err
				}
				if len(ids) > 0 {
					c.Add(at+".unique", "register.schema.unique_conflict", "records", joinIDs(ids))
				}
			}
			stmts = append(stmts, createUnique(t, nf))
		}
		if existed && of.Unique && !nf.Unique {
			stmts = append(stmts, dropUnique(t, of))
		}
		// a field flagged sortable gets its sort index; one unflagged loses it
		if nf.Sortable && (!existed || !of.Sortable) {
			stmts = append(stmts, sortIndex(nf).create(t))
		}
		if existed && of.Sortable && !nf.Sortable {
			stmts = append(stmts, dropSortIndex(t, of))
		}
		// a field that is new or newly required must be filled in every record
		if nf.Required && nf.Compute == "" && count > 0 && (!existed || !of.Required) {
			fill, ok := m.Fill[nf.Code]
			if !ok && nf.Default != "" {
				fill, ok = nf.Default, true
			}
			if ok {
				v, err := nf.Parse(fill, false)
				if err != nil || v == nil {
					c.Add("migration.fill."+nf.Code, "register.schema.fill_invalid", "value", fill)
					continue
				}
				stmts = append(stmts, fmt.Sprintf("UPDATE %s SET %s = %s WHERE %s IS NULL", t, Column(nf.Code), sqlLiteral(v), Column(nf.Code)))
				rewrote = rewrote || existed
				continue
			}
			if existed {
				ids, err := s.idsWhere(ctx, t, Column(nf.Code)+" IS NULL")
				if err != nil {
					return false, err
				}
				if len(ids) > 0 {
					c.Add(at+".required", "register.schema.required_conflict", "records", joinIDs(ids))
				}
			} else {
				c.Add(at+".required", "register.schema.required_new", "count", count)
			}
		}
		if existed && (nf.Type == TypeOption || nf.Type == TypeOptions) {
			for _, o := range of.Options {
				if _, still := nf.option(o.Code); still {
					continue
				}
				cond := Column(nf.Code) + " = '" + o.Code + "'"
				if nf.Type == TypeOptions {
					cond = Column(nf.Code) + ` LIKE '%"` + o.Code + `"%'`
				}
				if to, ok := m.MapOptions[nf.Code][o.Code]; ok {
					if _, valid := nf.option(to); !valid {
						c.Add("migration.map_options."+nf.Code, "register.value.option", "value", to)
						continue
					}
					rewrote = true
					if nf.Type == TypeOption {
						stmts = append(stmts, fmt.Sprintf("UPDATE %s SET %s = '%s' WHERE %s", t, Column(nf.Code), to, cond))
					} else {
						stmts = append(stmts, fmt.Sprintf(`UPDATE %s SET %s = REPLACE(%s, '"%s"', '"%s"') WHERE %s`, t, Column(nf.Code), Column(nf.Code), o.Code, to, cond))
					}
					continue
				}
				ids, err := s.idsWhere(ctx, t, cond)
				if err != nil {
					return false, err
				}
				if len(ids) > 0 {
					c.Add(at+".options", "register.schema.option_in_use", "code", o.Code, "records", joinIDs(ids))
				}
			}
		}
	}
	// a field that goes keeps its column, but no longer its uniqueness
	for _, of := range old.Schema.Fields {
		if _, still := next.Field(of.Code); !still && of.Unique {
			stmts = append(stmts, dropUnique(t, of))
		}
		if _, still := next.Field(of.Code); !still && of.Sortable {
			stmts = append(stmts, dropSortIndex(t, of))
		}
	}
	if err := c.Err(); err != nil {
		return false, err
	}
	for _, stmt := range stmts {
		if _, err := q.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("migrate register %s: %w", old.Code, err)
		}
	}
	return rewrote, nil
}

// widen returns the statement that converts a column to a wider type, or
// false when the change could lose data.
func widen(table string, from, to Field) (string, bool) {
	col := Column(to.Code)
	switch {
	case (from.Type == TypeText || from.Type == TypeLongText) && (to.Type == TypeText || to.Type == TypeLongText):
		return "", true
	case from.Type == TypeOption && to.Type == TypeText:
		return "", true
	case from.Numeric() && to.Numeric() && to.Type != TypeInteger && to.ScaleOf() >= from.ScaleOf():
		if d := to.ScaleOf() - from.ScaleOf(); d > 0 {
			return fmt.Sprintf("UPDATE %s SET %s = %s * 1%s", table, col, col, strings.Repeat("0", d)), true
		}
		return "", true
	}
	return "", false
}

func (s *Service) hasColumn(ctx context.Context, table, col string) (bool, error) {
	// The catalogue, not the column names of a "SELECT *": PostgreSQL's
	// driver caches that statement's plan, and once a column is added the
	// cached plan fails ("cached plan must not change result type") and
	// aborts the transaction.
	q := `SELECT COUNT(*) FROM pragma_table_info($1) WHERE name = $2`
	if s.db.Dialect.Name == "postgres" {
		q = `SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`
	}
	var n int
	if err := s.db.Q(ctx).QueryRowContext(ctx, q, table, col).Scan(&n); err != nil {
		return false, fmt.Errorf("columns of %s: %w", table, err)
	}
	return n > 0, nil
}

func (s *Service) idsWhere(ctx context.Context, table, cond string) ([]int64, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, fmt.Sprintf(`SELECT id FROM %s WHERE %s ORDER BY id LIMIT %d`, table, cond, MaxConflicts))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ", ")
}

// sqlLiteral writes a parsed value as a SQL literal for a migration
// statement (values come from Parse, so strings are escaped here).
func sqlLiteral(v any) string {
	switch x := v.(type) {
	case int64:
		return fmt.Sprint(x)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	case []string:
		return "'" + strings.ReplaceAll(string(mustJSON(x)), "'", "''") + "'"
	}
	return "'" + strings.ReplaceAll(fmt.Sprint(v), "'", "''") + "'"
}
