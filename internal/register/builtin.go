package register

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
)

// The built-in registers ship as JSON schema files in builtin/ and are
// defined at start: a file changed in a release becomes a new version.
//
//go:embed builtin/*.json
var builtinFiles embed.FS

// BuiltinSchemas returns the schemas shipped with kexie, ordered so that
// a register comes after those its fields refer to.
func BuiltinSchemas() ([]Schema, error) {
	names, err := fs.Glob(builtinFiles, "builtin/*.json")
	if err != nil {
		return nil, err
	}
	var out []Schema
	for _, n := range names {
		b, err := fs.ReadFile(builtinFiles, n)
		if err != nil {
			return nil, err
		}
		var sc Schema
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&sc); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		out = append(out, sc)
	}
	return orderByRefs(out)
}

// orderByRefs sorts schemas so references point backwards, refusing cycles.
func orderByRefs(in []Schema) ([]Schema, error) {
	sort.Slice(in, func(i, j int) bool { return in[i].Code < in[j].Code })
	byCode := map[string]Schema{}
	for _, s := range in {
		byCode[s.Code] = s
	}
	var out []Schema
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(code string) error
	visit = func(code string) error {
		switch state[code] {
		case 1:
			return fmt.Errorf("register %s: its references form a cycle", code)
		case 2:
			return nil
		}
		state[code] = 1
		s := byCode[code]
		for _, f := range s.Fields {
			target := f.Register
			if f.Type == TypePerson {
				target = PeopleRegister
			}
			if (f.Type == TypeRecord || f.Type == TypePerson) && target != code {
				if _, ok := byCode[target]; ok {
					if err := visit(target); err != nil {
						return err
					}
				}
			}
		}
		state[code] = 2
		out = append(out, s)
		return nil
	}
	for _, s := range in {
		if err := visit(s.Code); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EnsureBuiltin defines every built-in register whose stored schema
// differs from the shipped file, and gives every register's table the
// indexes that tables made by earlier versions lack: the list's indexes
// and the unique fields' unique indexes.
func (s *Service) EnsureBuiltin(ctx context.Context) error {
	schemas, err := BuiltinSchemas()
	if err != nil {
		return err
	}
	for _, sc := range schemas {
		edited, err := s.editedByPerson(ctx, sc.Code)
		if err != nil {
			return err
		}
		if edited {
			// an administrator changed this register's schema: a shipped
			// change would undo theirs (and could refuse to start over the
			// records they entered since), so their version stands
			if old, err := s.Get(ctx, sc.Code); err == nil && string(mustJSON(old.Schema)) != string(mustJSON(sc)) {
				slog.Info("built-in register edited locally: its shipped schema is not applied", "register", sc.Code, "version", old.Version)
			}
			continue
		}
		if _, err := s.Define(ctx, sc, Migration{}, true); err != nil {
			return fmt.Errorf("built-in register %s: %w", sc.Code, err)
		}
	}
	return s.ensureIndexes(ctx)
}

// editedByPerson says whether the current version of register code was
// defined by a user (on the pages or through the API) rather than shipped.
func (s *Service) editedByPerson(ctx context.Context, code string) (bool, error) {
	var by sql.NullInt64
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT v.created_by FROM register_versions v JOIN registers r ON r.id = v.register_id
		WHERE r.code = $1 AND v.version = r.version`, code).Scan(&by)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("built-in register %s: %w", code, err)
	}
	return by.Valid, nil
}

// ensureIndexes creates the indexes that are missing, once (each is made
// only if absent). Records that already share a value keep a unique
// index from being made: the register then goes on as before
// (uniqueness checked on every write, not by the database) and the start
// says so in the log.
func (s *Service) ensureIndexes(ctx context.Context) error {
	regs, err := s.List(ctx)
	if err != nil {
		return err
	}
	have, err := s.indexNames(ctx)
	if err != nil {
		return err
	}
	for _, r := range regs {
		t := Table(r.Code)
		for _, ix := range listIndexes(&r.Schema) {
			if have[indexName(t, ix.suffix)] {
				continue
			}
			err := s.db.WithTx(ctx, func(ctx context.Context) error {
				if _, err := s.db.Q(ctx).ExecContext(ctx, ix.create(t)); err != nil {
					return err
				}
				if ix.old == "" {
					return nil
				}
				_, err := s.db.Q(ctx).ExecContext(ctx, "DROP INDEX IF EXISTS "+t+"_"+ix.old)
				return err
			})
			if err != nil {
				return fmt.Errorf("list index of %s: %w", r.Code, err)
			}
		}
		if err := s.ensureSearchIndex(ctx, r.Code, have); err != nil {
			return err
		}
		for _, f := range r.Schema.Fields {
			if !f.Unique || have[uniqueIndex(t, f)] {
				continue
			}
			err := s.db.WithTx(ctx, func(ctx context.Context) error {
				_, err := s.db.Q(ctx).ExecContext(ctx, createUnique(Table(r.Code), f))
				return err
			})
			if s.db.Dialect.IsUniqueViolation(err) {
				slog.Warn("unique field without its unique index: records share values", "register", r.Code, "field", f.Code)
				continue
			}
			if err != nil {
				return fmt.Errorf("unique index of %s.%s: %w", r.Code, f.Code, err)
			}
		}
	}
	return nil
}

// indexNames are the names of the indexes of the register tables, so
// that a start makes only those missing (without a write, when none is).
func (s *Service) indexNames(ctx context.Context) (map[string]bool, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'rec\_%' ESCAPE '\'`
	if s.db.Dialect.Name == "postgres" {
		q = `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename LIKE 'rec\_%' ESCAPE '\'`
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("index names: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}
