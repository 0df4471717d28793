package register

import (
	"context"
	"embed"
	"encoding/json"
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
// differs from the shipped file, and gives every unique field of every
// register its unique index where a table made before the database
// enforced uniqueness lacks it.
func (s *Service) EnsureBuiltin(ctx context.Context) error {
	schemas, err := BuiltinSchemas()
	if err != nil {
		return err
	}
	for _, sc := range schemas {
		if _, err := s.Define(ctx, sc, Migration{}, true); err != nil {
			return fmt.Errorf("built-in register %s: %w", sc.Code, err)
		}
	}
	return s.ensureUnique(ctx)
}

// ensureUnique creates the unique indexes that are missing. Records that
// already share a value keep the index from being made: the register
// then goes on as before (uniqueness checked on every write, not by the
// database) and the start says so in the log.
func (s *Service) ensureUnique(ctx context.Context) error {
	regs, err := s.List(ctx)
	if err != nil {
		return err
	}
	for _, r := range regs {
		for _, f := range r.Schema.Fields {
			if !f.Unique {
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
