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
		fmt.Sprintf("CREATE INDEX %s_date ON %s(date, id)", t, t),
		fmt.Sprintf("CREATE INDEX %s_unit_date ON %s(unit_id, date)", t, t),
		fmt.Sprintf("CREATE INDEX %s_status ON %s(status, date)", t, t),
	}
	for _, f := range s.Fields {
		stmts = append(stmts, fieldIndexes(t, f)...)
	}
	return stmts
}

func fieldIndexes(t string, f Field) []string {
	var out []string
	if indexed(f) {
		out = append(out, fmt.Sprintf("CREATE INDEX %s_%s ON %s(%s, date)", t, Column(f.Code), t, Column(f.Code)))
	}
	if f.Unique {
		out = append(out, createUnique(t, f))
	}
	return out
}

// A unique field's values are unique across the whole register (empty
// values aside), as checkUnique reads them; the database enforces it
// with a unique index, so two writes at once cannot both store a value.

// uniqueIndex is the name of a unique field's index, kept within
// PostgreSQL's 63 bytes (longer names would be cut and could clash).
func uniqueIndex(t string, f Field) string {
	name := t + "_" + Column(f.Code) + "_uq"
	if len(name) > 63 {
		sum := sha256.Sum256([]byte(name))
		name = name[:48] + "_" + hex.EncodeToString(sum[:4]) + "_uq"
	}
	return name
}

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
