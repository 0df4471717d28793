package register

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"kexie/internal/store"
)

// Each register has a table of its own, rec_<code>, with the columns
// every record has and one column f_<field> per field, so filters, sorts
// and sums are plain indexed SQL on both databases.

// Table is the name of a register's table.
func Table(code string) string { return "rec_" + code }

// Column is the name of a field's column.
func Column(field string) string { return "f_" + field }

// storage is how a field's values are kept: "int", "bool", "time" or "text".
func storage(t FieldType) string {
	switch t {
	case TypeInteger, TypeDecimal, TypeMoney, TypePercent, TypeRecord, TypePerson:
		return "int"
	case TypeBoolean:
		return "bool"
	case TypeDateTime:
		return "time"
	}
	return "text"
}

// sqlType is the column type of a field.
func sqlType(d store.Dialect, t FieldType) string {
	switch storage(t) {
	case "int":
		return "BIGINT"
	case "bool":
		return "BOOLEAN"
	case "time":
		return d.Time
	}
	return d.Text
}

// indexed says whether a field gets an index of its own: the fields
// lists filter by most. A unique field has its unique index besides.
func indexed(f Field) bool {
	switch f.Type {
	case TypeOption, TypeUnit, TypeRecord, TypePerson, TypeDate, TypeBoolean:
		return true
	}
	return false
}

// createTable returns the statements that create a register's table.
func createTable(d store.Dialect, s *Schema) []string {
	t := Table(s.Code)
	cols := []string{
		"id " + d.ID,
		"unit_id BIGINT NOT NULL REFERENCES units(id)",
		"date TEXT NOT NULL",
		"nkey TEXT NOT NULL",
		"status TEXT NOT NULL DEFAULT 'draft'",
		"status_reason TEXT NOT NULL DEFAULT ''",
		"version INTEGER NOT NULL DEFAULT 1",
		"search TEXT NOT NULL DEFAULT ''",
		"created_at " + d.Time + " NOT NULL",
		"created_by BIGINT",
		"updated_at " + d.Time + " NOT NULL",
		"updated_by BIGINT",
	}
	for _, f := range s.Fields {
		cols = append(cols, Column(f.Code)+" "+sqlType(d, f.Type))
	}
	stmts := []string{
		fmt.Sprintf("CREATE TABLE %s (\n  %s\n)", t, strings.Join(cols, ",\n  ")),
		fmt.Sprintf("CREATE UNIQUE INDEX %s_nkey ON %s(unit_id, nkey)", t, t),
		fmt.Sprintf("CREATE INDEX %s_unit_date ON %s(unit_id, date)", t, t),
	}
	for _, ix := range listIndexes(s) {
		stmts = append(stmts, ix.create(t))
	}
	stmts = append(stmts, createSearchIndex(d, s.Code)...)
	for _, f := range s.Fields {
		if f.Unique {
			stmts = append(stmts, createUnique(t, f))
		}
	}
	return stmts
}

// listIndex is an index the records list pages through: a filter's
// columns, then the list's order (date, id), then the unit, so that a
// filter, its order and the caller's scope are all read from the index
// and only the records of the page from the table (a million records
// list in milliseconds, docs/performance.md). It replaces an index of
// the filter and date alone that tables made before had.
type listIndex struct{ suffix, old, cols string }

func listIndexes(s *Schema) []listIndex {
	out := []listIndex{{"date_list", "date", "date, id, unit_id"}, {"status_list", "status", "status, date, id, unit_id"}}
	for _, f := range s.Fields {
		if indexed(f) {
			out = append(out, fieldIndex(f))
		}
		if f.Sortable {
			out = append(out, sortIndex(f))
		}
	}
	return out
}

// sortIndex is the index of a sortable field: the list sorted by it
// orders by (field, id), and the date and unit beside them let a period
// and the caller's scope be checked in the index, so a page sorted by the
// field reads the index from one end instead of sorting every record.
func sortIndex(f Field) listIndex {
	return listIndex{Column(f.Code) + "_sort", "", Column(f.Code) + ", id, date, unit_id"}
}

func dropSortIndex(t string, f Field) string {
	return "DROP INDEX IF EXISTS " + indexName(t, sortIndex(f).suffix)
}

func fieldIndex(f Field) listIndex {
	return listIndex{Column(f.Code) + "_list", Column(f.Code), Column(f.Code) + ", date, id, unit_id"}
}

func (ix listIndex) create(t string) string {
	return fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s(%s)", indexName(t, ix.suffix), t, ix.cols)
}

// indexName is t_suffix kept within PostgreSQL's 63 bytes (a longer
// name would be cut and could clash with another).
func indexName(t, suffix string) string {
	name := t + "_" + suffix
	if len(name) > 63 {
		sum := sha256.Sum256([]byte(name))
		name = name[:50] + "_" + hex.EncodeToString(sum[:4])
	}
	return name
}

func fieldIndexes(t string, f Field) []string {
	var out []string
	if indexed(f) {
		out = append(out, fieldIndex(f).create(t))
	}
	if f.Sortable {
		out = append(out, sortIndex(f).create(t))
	}
	if f.Unique {
		out = append(out, createUnique(t, f))
	}
	return out
}

// A unique field's values are unique across the whole register (empty
// values aside), as checkUnique reads them; the database enforces it
// with a unique index, so two writes at once cannot both store a value.

// uniqueIndex is the name of a unique field's index.
func uniqueIndex(t string, f Field) string { return indexName(t, Column(f.Code)+"_uq") }

func createUnique(t string, f Field) string {
	return fmt.Sprintf("CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s(%s)", uniqueIndex(t, f), t, Column(f.Code))
}

func dropUnique(t string, f Field) string {
	return "DROP INDEX IF EXISTS " + uniqueIndex(t, f)
}

// addColumn returns the statements that add a field to an existing table.
func addColumn(d store.Dialect, code string, f Field) []string {
	t := Table(code)
	return append([]string{fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", t, Column(f.Code), sqlType(d, f.Type))},
		fieldIndexes(t, f)...)
}
