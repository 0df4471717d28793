package metric

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"kexie/internal/fault"
	"kexie/internal/register"
)

// SchemaChanging refuses a new version of a register that a metric over
// it could no longer be defined on: a field it sums, counts or breaks
// down by, or names in its filter, removed or retyped, or an option its
// filter compares with removed. Each metric (and the changed definition
// of one being built) is checked by checkDef, the check of a definition
// when it is saved, against the new schema; a metric that already failed
// it against the old one is left out, as the change does not break it.
// The refusal names the metrics at the schema's field: "fields" for a
// field removed, "fields[i].type" or "fields[i].options" for one changed.
func (s *Service) SchemaChanging(ctx context.Context, old *register.Register, next *register.Schema) error {
	// the definitions of the database, held (on PostgreSQL) against a
	// metric's change until this transaction ends
	if err := s.current(ctx); err != nil {
		return err
	}
	var defs []*Def
	s.mu.RLock()
	for _, m := range s.all {
		for _, d := range []*Def{&m.Def, m.Pending} {
			if d != nil && d.Source == FromRegister && d.Register == old.Code {
				defs = append(defs, d)
			}
		}
	}
	s.mu.RUnlock()
	if len(defs) == 0 {
		return nil
	}
	slices.SortStableFunc(defs, func(a, b *Def) int { return strings.Compare(a.Code, b.Code) })
	holds := func(d *Def, sc *register.Schema) bool {
		return s.checkDef(ctx, d, &register.Register{ID: old.ID, Code: old.Code, Version: old.Version, Builtin: old.Builtin, Schema: *sc}, s.defined) == nil
	}
	changes := fieldChanges(&old.Schema, next)
	users := make([][]string, len(changes)) // change → the metrics it breaks
	var together []string                   // metrics only the changes together break
	for _, d := range defs {
		if holds(d, next) || !holds(d, &old.Schema) {
			continue
		}
		// which change breaks it: each made alone to the old schema
		found := false
		for i, ch := range changes {
			if !holds(d, ch.alone) {
				users[i] = appendOnce(users[i], d.name())
				found = true
			}
		}
		if !found {
			together = appendOnce(together, d.name())
		}
	}
	c := &fault.Check{}
	for i, ch := range changes {
		if len(users[i]) > 0 {
			c.Add(ch.path, ch.key, "field", ch.field, "option", ch.options, "metrics", strings.Join(users[i], ", "))
		}
	}
	if len(together) > 0 {
		c.Add("fields", "metric.schema.fields_in_use", "metrics", strings.Join(together, ", "))
	}
	return c.Err()
}

// fieldChange is one field's change between two versions of a schema:
// the old schema with only that change made, and where and how a refusal
// over it is said.
type fieldChange struct {
	path, key, field, options string
	alone                     *register.Schema
}

// fieldChanges lists the fields of old that next removes or changes.
func fieldChanges(old, next *register.Schema) []*fieldChange {
	var out []*fieldChange
	for _, of := range old.Fields {
		alone := *old
		alone.Fields = slices.Clone(old.Fields)
		i := slices.IndexFunc(next.Fields, func(f register.Field) bool { return f.Code == of.Code })
		j := slices.IndexFunc(alone.Fields, func(f register.Field) bool { return f.Code == of.Code })
		if i < 0 {
			alone.Fields = slices.Delete(alone.Fields, j, j+1)
			out = append(out, &fieldChange{path: "fields", key: "metric.schema.field_removed", field: of.Code, alone: &alone})
			continue
		}
		nf := next.Fields[i]
		if reflect.DeepEqual(of, nf) {
			continue
		}
		alone.Fields[j] = nf
		ch := &fieldChange{path: fmt.Sprintf("fields[%d].type", i), key: "metric.schema.field_changed", field: of.Code, alone: &alone}
		if of.Type == nf.Type {
			var gone []string
			for _, o := range of.Options {
				if !slices.ContainsFunc(nf.Options, func(x register.Option) bool { return x.Code == o.Code }) {
					gone = append(gone, o.Code)
				}
			}
			if len(gone) > 0 {
				sort.Strings(gone)
				ch.path, ch.key, ch.options = fmt.Sprintf("fields[%d].options", i), "metric.schema.option_removed", strings.Join(gone, ", ")
			}
		}
		out = append(out, ch)
	}
	return out
}

// name is how a refusal names the metric: its Chinese name and its code.
func (d *Def) name() string { return d.NameZH + " (" + d.Code + ")" }

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
