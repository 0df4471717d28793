package register

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"kexie/internal/fault"
	"kexie/internal/sheet"
)

// row checks the cells of one data row and queues it for its batch.
func (im *importer) row(ctx context.Context, r sheet.Row) error {
	n := len(im.cols)
	p := &pending{num: r.Num, raw: make([]string, n), bad: make([]bool, n), in: make(map[string]any, n)}
	kinds := make([]sheet.Kind, n)
	blank := true
	for c := range im.cols {
		if !im.lay.Has(c) {
			continue
		}
		i := im.lay.Index[c]
		p.raw[c], kinds[c] = r.Cell(i), r.Kind(i)
		if strings.TrimSpace(p.raw[c]) != "" || kinds[c] == sheet.KindNoValue {
			blank = false
		}
	}
	if blank {
		return nil // a note beside the table, or an empty row
	}
	im.rows++
	if im.rows > im.opts.MaxRows {
		return nil
	}
	// the unit
	if code := unitCode(p.raw[idxUnit], kinds[idxUnit]); code == "" {
		im.cellProblem(p, idxUnit, "error.required")
	} else if ref, err := im.unit(ctx, code); err != nil {
		return err
	} else if ref.key != "" {
		im.cellProblem(p, idxUnit, ref.key, ref.args...)
	} else {
		p.unit, p.ok.unit = ref.u, true
	}
	// the fields, as text for the service to parse
	for c := idxFields; c < n; c++ {
		col := im.cols[c]
		if !im.lay.Has(c) || col.readOnly() {
			continue
		}
		v, key, args := im.wire(col.field, p.raw[c], kinds[c])
		if key != "" {
			im.cellProblem(p, c, key, args...)
			continue
		}
		p.in[col.field.Code] = v
	}
	// the natural key, to find the stored record and repeats in the file
	p.nkey, p.ok.key = im.naturalKey(p)
	if p.ok.unit && p.ok.key {
		h := keyHash(p.unit.ID, p.nkey)
		if first, seen := im.keys[h]; seen {
			c := im.fieldCol[im.reg.Schema.NaturalKey[0]]
			im.cellProblem(p, c, "regsheet.key.duplicate", "row", first)
		} else {
			im.keys[h] = int32(p.num)
			p.ok.fresh = true
		}
	}
	im.batch = append(im.batch, p)
	im.progress(PhaseChecking, false)
	if len(im.batch) >= checkBatch {
		return im.flush(ctx)
	}
	return nil
}

// unit resolves a unit code once per import.
func (im *importer) unit(ctx context.Context, code string) (unitRef, error) {
	if ref, ok := im.units[code]; ok {
		return ref, nil
	}
	var ref unitRef
	u, err := im.s.units.Get(ctx, im.scope, code)
	switch {
	case errors.Is(err, fault.ErrNotFound):
		ref = unitRef{key: "regsheet.unit.unknown", args: []any{"code", code}}
	case err != nil:
		return ref, err
	case u.Closed():
		ref = unitRef{key: "regsheet.unit.closed", args: []any{"code", code}}
	case len(im.reg.Schema.UnitTypes) > 0 && !slices.Contains(im.reg.Schema.UnitTypes, u.Type):
		ref = unitRef{key: "register.unit_type", args: []any{"type", u.Type}}
	default:
		ref = unitRef{u: u}
		im.unitsByID[u.ID] = u
	}
	if len(im.units) < 100_000 { // a file naming more units than that pays a query per row
		im.units[code] = ref
	}
	return ref, nil
}

// naturalKey computes a row's natural key from its key cells, as the
// service would store it; false when a key cell does not read.
func (im *importer) naturalKey(p *pending) (string, bool) {
	vals := make(map[string]any, len(im.reg.Schema.NaturalKey))
	for _, k := range im.reg.Schema.NaturalKey {
		f, _ := im.reg.Schema.Field(k)
		text, _ := p.in[k].(string)
		if text == "" {
			text = f.Default
		}
		v, err := f.Parse(text, false)
		if err != nil {
			return "", false
		}
		vals[k] = v
	}
	return im.reg.NaturalKey(vals), true
}

func keyHash(unitID int64, key string) [16]byte {
	h := fnv.New128a()
	fmt.Fprintf(h, "%d\x1e%s", unitID, key)
	var out [16]byte
	h.Sum(out[:0])
	return out
}

// cellProblem reports a problem with the cell of column c in row p, once
// per cell.
func (im *importer) cellProblem(p *pending, c int, key string, args ...any) {
	if p.bad[c] {
		return
	}
	p.bad[c] = true
	col := im.cols[c]
	field := "unit"
	if col.kind == colField {
		field = col.field.Code
	}
	im.probs.add(sheet.Problem{Sheet: im.sheetName, Row: p.num, Column: im.lay.Letter(c), Header: col.header(), Field: field,
		Value: p.raw[c], Key: key, Args: sheet.Args(args...)})
}

// fieldProblems reports the field errors of a row's check at their cells.
// A required field whose column the file lacks is said once, at the
// header.
func (im *importer) fieldProblems(p *pending, err error) {
	for _, fe := range fault.FieldsOf(err) {
		c, ok := im.fieldCol[fe.Field]
		switch {
		case !ok:
			im.probs.add(sheet.Problem{Sheet: im.sheetName, Row: p.num, Field: fe.Field, Key: fe.Key, Args: fe.Args})
		case !im.lay.Has(c) && fe.Key == "error.required":
			if !im.reported["required:"+fe.Field] {
				im.reported["required:"+fe.Field] = true
				im.probs.add(sheet.Problem{Sheet: im.sheetName, Row: im.headerRow, Field: fe.Field,
					Key: "regsheet.column.required", Args: map[string]any{"header": im.cols[c].header()}})
			}
		default:
			im.cellProblem(p, c, fe.Key, flatten(fe.Args)...)
		}
	}
}

// flush checks the queued rows against the stored records and spools
// those to write.
func (im *importer) flush(ctx context.Context) error {
	if len(im.batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	stored := map[[16]byte]*Record{}
	if !im.empty {
		var err error
		if stored, err = im.s.recordsByKey(ctx, im.reg, im.batch); err != nil {
			return err
		}
	}
	for _, p := range im.batch {
		var before *Record
		if p.ok.unit && p.ok.key {
			before = stored[keyHash(p.unit.ID, p.nkey)]
		}
		in := im.given(p, before)
		var base map[string]any
		var self int64
		if before != nil {
			base, self = before.Values, before.ID
		}
		vals, err := im.s.values(ctx, im.reg, im.acc.Read, base, in)
		if err != nil {
			if fault.FieldsOf(err) == nil {
				return err
			}
			im.fieldProblems(p, err)
			continue
		}
		if !p.ok.unit || !p.ok.fresh || slices.Contains(p.bad, true) {
			continue
		}
		if before != nil && sameValues(im.reg, before.Values, vals) {
			im.unchanged++
			continue
		}
		if before != nil && (before.Status == StatusSubmitted || before.Status == StatusApproved) {
			im.cellProblem(p, im.firstChange(before.Values, vals), "regsheet.record."+before.Status)
			continue
		}
		if err := im.checkUnique(ctx, p, vals, self); err != nil {
			return err
		}
		if slices.Contains(p.bad, true) {
			continue
		}
		e := spoolEntry{num: p.num, unitID: p.unit.ID, in: in}
		if before == nil {
			e.action = actionCreate
			im.created++
		} else {
			e.action, e.recordID, e.version = actionUpdate, before.ID, before.Version
			im.updated++
		}
		if err := im.spool.write(im.reg, e); err != nil {
			return err
		}
	}
	im.batch = im.batch[:0]
	return nil
}

// given is what a row gives the service: for a new record the cells that
// are not empty (an empty one leaves the field to its default); for a
// stored one every cell, empty ones clearing their field, except a
// sensitive value exported masked and left as it was.
func (im *importer) given(p *pending, before *Record) map[string]any {
	in := make(map[string]any, len(p.in))
	for k, v := range p.in {
		if before == nil && v == nil {
			continue
		}
		if s, ok := v.(string); ok && before != nil && strings.Contains(s, "*") {
			if f, _ := im.reg.Schema.Field(k); f.Sensitive && before.Values[k] != nil && s == Mask(f.Format(before.Values[k], "")) {
				continue
			}
		}
		in[k] = v
	}
	return in
}

// firstChange is the column of the first field whose value differs.
func (im *importer) firstChange(a, b map[string]any) int {
	for _, f := range im.reg.Schema.Fields {
		if !sameValue(a[f.Code], b[f.Code]) {
			if c := im.fieldCol[f.Code]; im.lay.Has(c) {
				return c
			}
		}
	}
	return idxUnit
}

// checkUnique refuses a value of a unique field that another record
// holds, or that an earlier row of the file gives.
func (im *importer) checkUnique(ctx context.Context, p *pending, vals map[string]any, self int64) error {
	for _, f := range im.reg.Schema.Fields {
		if !f.Unique || vals[f.Code] == nil {
			continue
		}
		c := im.fieldCol[f.Code]
		seen := im.uniques[f.Code]
		if seen == nil {
			seen = map[[16]byte]int32{}
			im.uniques[f.Code] = seen
		}
		h := keyHash(0, keyText(vals[f.Code]))
		if first, dup := seen[h]; dup {
			im.cellProblem(p, c, "regsheet.value.repeated", "row", first)
			continue
		}
		seen[h] = int32(p.num)
	}
	err := im.s.checkUnique(ctx, im.reg, vals, self)
	if fault.FieldsOf(err) != nil {
		im.fieldProblems(p, err)
		return nil
	}
	return err
}

// sameValues says whether two records' values are the same, a list of
// options in any order.
func sameValues(reg *Register, a, b map[string]any) bool {
	for _, f := range reg.Schema.Fields {
		if !sameValue(a[f.Code], b[f.Code]) {
			return false
		}
	}
	return true
}

func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case []string:
		y, ok := b.([]string)
		if !ok || len(x) != len(y) {
			return false
		}
		xs, ys := slices.Clone(x), slices.Clone(y)
		slices.Sort(xs)
		slices.Sort(ys)
		return slices.Equal(xs, ys)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	}
	return a == b
}

// problemList keeps the problems found, up to sheet.MaxProblems.
type problemList struct {
	items []sheet.Problem
	more  bool
}

func (l *problemList) add(p sheet.Problem) {
	if len(l.items) >= sheet.MaxProblems {
		l.more = true
		return
	}
	l.items = append(l.items, p)
}

func (l *problemList) empty() bool { return len(l.items) == 0 }

// full says the list is as long as it may be: reading on would only
// find problems no one will see.
func (l *problemList) full() bool { return len(l.items) >= sheet.MaxProblems }

func (l *problemList) list() []sheet.Problem {
	if len(l.items) == 0 {
		return nil
	}
	out := sheet.SortProblems(l.items)
	if l.more || l.full() {
		out = append(out, sheet.Problem{Key: "regsheet.problems.stopped", Args: map[string]any{"max": sheet.MaxProblems}})
	}
	return out
}
