package unit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/store"
)

// bulkChunk is how many units one INSERT carries: 10 arguments each stays
// far below both databases' limits on a statement's parameters.
const bulkChunk = 500

// bulkArgs collects the arguments of a statement built for many rows,
// with the dialect's positional placeholders (store.Dialect.Param): each
// placeholder is written in the order of its argument, and used once.
type bulkArgs struct {
	d    store.Dialect
	vals []any
}

func (a *bulkArgs) add(v any) string {
	a.vals = append(a.vals, v)
	return a.d.Param(len(a.vals))
}

// CreateMany adds many units in one transaction, for loaders that bring a
// whole tree at once (large imports, the benchmark's synthetic province).
// Each unit is checked as Create checks it and audited as Create audits
// it, but rows go in by hundreds per statement instead of one by one.
// A parent is either stored already, open and in a.Write, or earlier in
// in. Roots cannot be created this way. Field errors name the unit by its
// index: "[3].code". Nothing is written unless every unit is.
func (svc *Service) CreateMany(ctx context.Context, a Access, in []Create) (int, error) {
	if len(in) == 0 {
		return 0, nil
	}
	known, err := svc.typeSet(ctx)
	if err != nil {
		return 0, err
	}
	groupIDs, err := svc.groupIDs(ctx)
	if err != nil {
		return 0, err
	}
	in = slices.Clone(in) // normalize must not change the caller's requests
	c := &fault.Check{}
	seen := make(map[string]int, len(in))
	for i := range in {
		in[i].normalize()
		item := in[i].check(true)
		if in[i].Type != "" && !known[in[i].Type] {
			item.Add("type", "unit.type.unknown", "value", in[i].Type)
		}
		for _, g := range in[i].Groups {
			if _, ok := groupIDs[strings.TrimSpace(g)]; !ok {
				item.Add("groups", "unit.group.unknown", "code", g)
			}
		}
		for _, f := range fault.FieldsOf(item.Err()) {
			c.Add(fmt.Sprintf("[%d].%s", i, f.Field), f.Key, flatten(f.Args)...)
		}
		if j, dup := seen[in[i].Code]; dup && in[i].Code != "" {
			c.Add(fmt.Sprintf("[%d].code", i), "unit.code.taken", "code", in[i].Code, "index", j)
		}
		seen[in[i].Code] = i
	}
	if err := c.Err(); err != nil {
		return 0, err
	}
	err = svc.db.WithTx(ctx, func(ctx context.Context) error {
		b, order, err := svc.place(ctx, a, in)
		if err != nil {
			return err
		}
		// a statement holds units of one depth, whose parents have ids
		for start := 0; start < len(order); {
			end := start + 1
			for end < len(order) && end-start < bulkChunk && b.at[order[end]].depth == b.at[order[start]].depth {
				end++
			}
			if err := svc.insertChunk(ctx, b, order[start:end]); err != nil {
				return err
			}
			start = end
		}
		return svc.insertMembers(ctx, b, groupIDs)
	})
	if err != nil {
		return 0, err
	}
	return len(in), nil
}

// batch is a CreateMany in progress: the requests and where each goes.
type batch struct {
	in    []Create
	at    []placed
	index map[string]int // code → position in in
}

// placed is where a unit of a batch goes in the tree.
type placed struct {
	id       int64 // set once inserted
	parent   int   // position of the parent in the batch, or -1
	parentID int64 // id of a stored parent
	path     string
	depth    int
}

// place resolves every unit's parent, path and depth, and returns the
// order of insertion: by depth, so that every parent has its id before a
// statement names it.
func (svc *Service) place(ctx context.Context, a Access, in []Create) (*batch, []int, error) {
	out := make([]placed, len(in))
	index := make(map[string]int, len(in))
	stored := map[string]Unit{}
	for i, u := range in {
		if j, ok := index[u.Parent]; ok {
			out[i] = placed{parent: j, path: out[j].path + u.Code + "/", depth: out[j].depth + 1}
			index[u.Code] = i
			continue
		}
		p, ok := stored[u.Parent]
		if !ok {
			var err error
			p, err = svc.parentFor(ctx, a, u.Parent)
			if err != nil {
				if fs := fault.FieldsOf(err); len(fs) == 1 {
					return nil, nil, fault.InvalidField(fmt.Sprintf("[%d].parent", i), fs[0].Key, flatten(fs[0].Args)...)
				}
				return nil, nil, err
			}
			stored[u.Parent] = p
		}
		out[i] = placed{parent: -1, parentID: p.ID, path: p.Path + u.Code + "/", depth: p.Depth + 1}
		index[u.Code] = i
	}
	if err := svc.checkFree(ctx, in); err != nil {
		return nil, nil, err
	}
	order := make([]int, len(in))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return out[x].depth - out[y].depth })
	return &batch{in: in, at: out, index: index}, order, nil
}

// checkFree reports the first code of the batch that is stored already,
// before an INSERT fails on it (PostgreSQL would abort the transaction
// and leave no way to say which code clashed).
func (svc *Service) checkFree(ctx context.Context, in []Create) error {
	at := make(map[string]int, len(in))
	for start := 0; start < len(in); start += bulkChunk {
		args := bulkArgs{d: svc.db.Dialect}
		ph := make([]string, 0, bulkChunk)
		for i := start; i < min(start+bulkChunk, len(in)); i++ {
			at[in[i].Code] = i
			ph = append(ph, args.add(in[i].Code))
		}
		var taken string
		err := svc.db.Q(ctx).QueryRowContext(ctx, `SELECT code FROM units WHERE code IN (`+strings.Join(ph, ",")+`) ORDER BY code LIMIT 1`,
			args.vals...).Scan(&taken)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check unit codes: %w", err)
		}
		return fault.ConflictField(fmt.Sprintf("[%d].code", at[taken]), "unit.code.taken", "code", taken)
	}
	return nil
}

// insertChunk inserts the units at the given indexes, whose parents all
// have ids, and records their ids and audit entries.
func (svc *Service) insertChunk(ctx context.Context, b *batch, chunk []int) error {
	in, pl := b.in, b.at
	t := now()
	args := bulkArgs{d: svc.db.Dialect}
	rows := make([]string, 0, len(chunk))
	for _, i := range chunk {
		u := in[i]
		if j := pl[i].parent; j >= 0 {
			pl[i].parentID = pl[j].id
		}
		parentID := pl[i].parentID
		if parentID == 0 {
			return fmt.Errorf("unit %s: parent %s has no id yet", u.Code, u.Parent)
		}
		rows = append(rows, "("+args.add(u.Code)+", "+args.add(u.Type)+", "+args.add(parentID)+", "+args.add(pl[i].path)+", "+
			args.add(pl[i].depth)+", "+args.add(u.NameZH)+", "+args.add(u.NameEN)+", "+args.add(nullable(u.OpenedOn))+", "+
			args.add(t)+", "+args.add(t)+")")
	}
	q := `INSERT INTO units (code, type, parent_id, path, depth, name_zh, name_en, opened_on, created_at, updated_at) VALUES ` +
		strings.Join(rows, ", ") + ` RETURNING id, code`
	res, err := svc.db.Q(ctx).QueryContext(ctx, q, args.vals...)
	if err != nil {
		if svc.db.Dialect.IsUniqueViolation(err) {
			return fmt.Errorf("insert units: %w", fault.ErrConflict)
		}
		return fmt.Errorf("insert units: %w", err)
	}
	defer res.Close()
	for res.Next() {
		var id int64
		var code string
		if err := res.Scan(&id, &code); err != nil {
			return err
		}
		pl[b.index[code]].id = id
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("insert units: %w", err)
	}
	res.Close()
	for _, i := range chunk {
		u := in[i]
		groups := uniqueSorted(u.Groups)
		created := Unit{ID: pl[i].id, Code: u.Code, Type: u.Type, Parent: u.Parent, Path: pl[i].path, Depth: pl[i].depth,
			NameZH: u.NameZH, NameEN: u.NameEN, OpenedOn: u.OpenedOn, Groups: groups, Version: 1}
		if err := svc.audit.Record(ctx, audit.Change{Action: "create", Entity: "unit", EntityID: u.Code, UnitPath: created.Path, After: created}); err != nil {
			return err
		}
	}
	return nil
}

// insertMembers puts the batch's units in their groups.
func (svc *Service) insertMembers(ctx context.Context, b *batch, groupIDs map[string]int64) error {
	type member struct{ group, unit int64 }
	var ms []member
	for i, u := range b.in {
		for _, g := range uniqueSorted(u.Groups) {
			ms = append(ms, member{groupIDs[g], b.at[i].id})
		}
	}
	for start := 0; start < len(ms); start += bulkChunk {
		args := bulkArgs{d: svc.db.Dialect}
		rows := make([]string, 0, bulkChunk)
		for _, m := range ms[start:min(start+bulkChunk, len(ms))] {
			rows = append(rows, "("+args.add(m.group)+", "+args.add(m.unit)+")")
		}
		if _, err := svc.db.Q(ctx).ExecContext(ctx, `INSERT INTO unit_group_members(group_id, unit_id) VALUES `+strings.Join(rows, ", "),
			args.vals...); err != nil {
			return fmt.Errorf("add group members: %w", err)
		}
	}
	return nil
}

// typeSet returns the codes of the unit types.
func (svc *Service) typeSet(ctx context.Context) (map[string]bool, error) {
	ts, err := svc.Types(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ts))
	for _, t := range ts {
		out[t.Code] = true
	}
	return out, nil
}

// groupIDs returns the ids of the unit groups by code.
func (svc *Service) groupIDs(ctx context.Context) (map[string]int64, error) {
	rows, err := svc.db.Q(ctx).QueryContext(ctx, `SELECT id, code FROM unit_groups`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		out[code] = id
	}
	return out, rows.Err()
}

// uniqueSorted returns the trimmed codes without repeats, in the order
// Get lists a unit's groups.
func uniqueSorted(codes []string) []string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		out = append(out, strings.TrimSpace(c))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// flatten turns a field error's arguments back into key, value pairs.
func flatten(m map[string]any) []any {
	out := make([]any, 0, 2*len(m))
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}
