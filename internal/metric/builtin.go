package metric

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/register"
)

// The built-in metrics ship as JSON files in builtin/, one per area of the
// work report (cohesion, reform, innovation, popularisation,
// organisation): every figure of the half-year review that a register or
// the unit tree holds, and the measures of the second half's targets.
// They are defined at start when missing or changed. Defining a metric
// rebuilds its facts, so one whose stored definition is the shipped one is
// left alone: a start with nothing changed reads the definitions once and
// writes nothing.
//
//go:embed builtin/*.json
var builtinFiles embed.FS

// BuiltinDefs returns the metrics shipped with kexie, file by file, each
// formula after the metrics it reads.
func BuiltinDefs() ([]Def, error) {
	names, err := fs.Glob(builtinFiles, "builtin/*.json")
	if err != nil {
		return nil, err
	}
	var all []Def
	seen := map[string]string{}
	for _, n := range names {
		b, err := fs.ReadFile(builtinFiles, n)
		if err != nil {
			return nil, err
		}
		defs, err := decodeDefs(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		for _, d := range defs {
			if other, ok := seen[d.Code]; ok {
				return nil, fmt.Errorf("%s: metric %s is already defined in %s", n, d.Code, other)
			}
			seen[d.Code] = n
		}
		all = append(all, defs...)
	}
	return orderByDeps(all)
}

// decodeDefs reads a file of definitions strictly: a key Def does not
// know is a mistake in the file, not a setting to ignore.
func decodeDefs(b []byte) ([]Def, error) {
	var defs []Def
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&defs); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one JSON value")
	}
	return defs, nil
}

// orderByDeps keeps the order of defs but moves each metric after the
// built-in metrics it reads, refusing a cycle.
func orderByDeps(defs []Def) ([]Def, error) {
	byCode := make(map[string]Def, len(defs))
	for _, d := range defs {
		byCode[d.Code] = d
	}
	out := make([]Def, 0, len(defs))
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(d Def) error
	visit = func(d Def) error {
		switch state[d.Code] {
		case 1:
			return fmt.Errorf("built-in metric %s: its formula refers back to itself", d.Code)
		case 2:
			return nil
		}
		state[d.Code] = 1
		for _, dep := range d.deps() {
			if x, ok := byCode[dep]; ok {
				if err := visit(x); err != nil {
					return err
				}
			}
		}
		state[d.Code] = 2
		out = append(out, d)
		return nil
	}
	for _, d := range defs {
		if err := visit(d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EnsureBuiltin defines every built-in metric that is missing, differs
// from the shipped definition or is not yet marked built-in, all in one
// transaction; the others are left as they are.
func (s *Service) EnsureBuiltin(ctx context.Context) error {
	defs, err := BuiltinDefs()
	if err != nil {
		return err
	}
	err = s.ensureBuiltin(ctx, defs)
	if err != nil && s.db.Dialect.IsUniqueViolation(err) {
		// another server started at the same moment and defined them
		err = s.ensureBuiltin(ctx, defs)
	}
	return err
}

// storedMetric is what EnsureBuiltin compares with a shipped definition.
type storedMetric struct {
	builtin bool
	def     []byte // the stored definition, as this version writes it
}

func (s *Service) ensureBuiltin(ctx context.Context, defs []Def) error {
	stored, err := s.storedDefs(ctx)
	if err != nil {
		return err
	}
	var changed []Def
	var flagOnly []string
	for _, d := range defs {
		body, err := json.Marshal(d)
		if err != nil {
			return err
		}
		st, ok := stored[d.Code]
		switch {
		case !ok || !bytes.Equal(st.def, body):
			changed = append(changed, d)
		case !st.builtin:
			flagOnly = append(flagOnly, d.Code)
		}
	}
	if len(changed) == 0 && len(flagOnly) == 0 {
		return nil
	}
	if err := s.load(ctx); err != nil {
		return err
	}
	if changed, err = s.checkAll(ctx, changed); err != nil {
		return err
	}
	if len(changed) == 0 && len(flagOnly) == 0 {
		return nil
	}
	var staged []string
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.bumpGeneration(ctx); err != nil {
			return err
		}
		now := time.Now().UTC()
		for _, code := range flagOnly {
			if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE metrics SET builtin = $1 WHERE code = $2`, true, code); err != nil {
				return err
			}
		}
		builtin := true
		var created []string
		for _, d := range changed {
			saved, err := s.save(ctx, d, &builtin, now)
			if err != nil {
				return fmt.Errorf("built-in metric %s: %w", d.Code, err)
			}
			switch saved {
			case saveCreated:
				created = append(created, d.Code)
			case saveStaged:
				staged = append(staged, d.Code)
			}
		}
		if err := s.load(ctx); err != nil {
			return err
		}
		for _, code := range created {
			if err := s.rebuild(ctx, code); err != nil {
				return fmt.Errorf("built-in metric %s: %w", code, err)
			}
		}
		for _, d := range changed {
			if err := s.audit.Record(ctx, audit.Change{Action: "define", Entity: "metric", EntityID: d.Code, After: d}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = s.load(context.WithoutCancel(ctx))
		return err
	}
	for _, code := range staged {
		s.kick(code)
	}
	return nil
}

// storedDefs reads every stored definition (the pending one of a metric
// being built), normalised by this version's
// Def so that a field added since it was written does not count as a
// change.
func (s *Service) storedDefs(ctx context.Context) (map[string]storedMetric, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT code, builtin, COALESCE(pending_json, def_json) FROM metrics`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]storedMetric{}
	for rows.Next() {
		var st storedMetric
		var code, body string
		if err := rows.Scan(&code, &st.builtin, &body); err != nil {
			return nil, err
		}
		var d Def
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			return nil, fmt.Errorf("metric %s: %w", code, err)
		}
		if st.def, err = json.Marshal(d); err != nil {
			return nil, err
		}
		out[code] = st
	}
	return out, rows.Err()
}

// defined returns the stored definition of the metric code, as checkDef
// looks up the metrics a definition refers to.
func (s *Service) defined(code string) (*Def, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.all[code]
	if !ok {
		return nil, false
	}
	return &m.Def, true
}

// checkAll validates the definitions as Define does, each seeing the
// others (a formula may read a metric of the same batch, which comes
// first), and returns those that pass. A shipped definition the database
// refuses — it reads a field of a built-in register that an administrator
// has changed, so the shipped register change was not applied — is left
// out with a warning in the log, and so is a formula reading it: the
// metric keeps its stored definition, if it has one, and the server
// starts.
func (s *Service) checkAll(ctx context.Context, defs []Def) ([]Def, error) {
	batch := map[string]*Def{}
	lookup := func(code string) (*Def, bool) {
		if d, ok := batch[code]; ok {
			return d, true
		}
		return s.defined(code)
	}
	for i := range defs {
		d := &defs[i]
		var reg *register.Register
		if d.Source == FromRegister {
			r, err := s.regs.Get(ctx, d.Register)
			if err != nil && !errors.Is(err, fault.ErrNotFound) {
				return nil, err
			}
			reg = r
		}
		if err := s.checkDef(ctx, d, reg, lookup); err != nil {
			if !errors.Is(err, fault.ErrInvalid) {
				return nil, fmt.Errorf("built-in metric %s: %w", d.Code, err)
			}
			slog.Warn("built-in metric not applied: its shipped definition does not fit this database (a built-in register edited here?)",
				"metric", d.Code, "register", d.Register, "reason", err.Error())
			continue
		}
		batch[d.Code] = d
	}
	ok := make([]Def, 0, len(batch))
	for _, d := range defs {
		if batch[d.Code] != nil {
			ok = append(ok, d)
		}
	}
	return ok, nil
}
