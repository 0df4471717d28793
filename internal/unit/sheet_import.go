package unit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/sheet"
	"kexie/internal/store"
)

// Problem is one thing wrong with an imported file, pointing at its cell.
type Problem = sheet.Problem

// ImportProblems is a refused import: every problem found, nothing
// written. It unwraps to fault.ErrInvalid.
type ImportProblems = sheet.Refused

// ImportOptions tune an import; the zero value is a real import within
// the default limits.
type ImportOptions struct {
	// DryRun checks and counts everything, then writes nothing.
	DryRun bool
	// FileName is the uploaded file's name, for the audit entry and the
	// sheet name of a CSV file.
	FileName string
	// MaxRows bounds the data rows (default MaxImportRows).
	MaxRows int
	// MaxBytes bounds the file (default MaxImportBytes).
	MaxBytes int64
	// MaxUnzip bounds a workbook's uncompressed size (default MaxImportUnzip).
	MaxUnzip int64
}

// ImportResult says what an import did, or would do in a dry run.
type ImportResult struct {
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	DryRun    bool   `json:"dry_run"`
	Format    string `json:"format"`
	Sheet     string `json:"sheet"`
	SHA256    string `json:"sha256"`
}

var errDryRun = errors.New("dry run")

// Import reads units from an XLSX workbook or a CSV file (the columns of
// Export, headers in either language, any order) and creates or updates
// them, all or nothing: every row is checked first, and any problem
// refuses the whole file with an *ImportProblems listing each one;
// otherwise every change is made in one transaction, through the same
// Create and Update as the API, so each unit's change is audited, and one
// "import" entry records the file. Rows identical to the stored units
// change nothing, so importing a file twice is harmless.
func (svc *Service) Import(ctx context.Context, a Access, r io.Reader, opts ImportOptions) (ImportResult, error) {
	if opts.MaxRows <= 0 {
		opts.MaxRows = MaxImportRows
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = MaxImportBytes
	}
	if opts.MaxUnzip <= 0 {
		opts.MaxUnzip = MaxImportUnzip
	}
	res := ImportResult{DryRun: opts.DryRun}
	data, err := io.ReadAll(io.LimitReader(r, opts.MaxBytes+1))
	if err != nil {
		return res, fmt.Errorf("read import file: %w", err)
	}
	sum := sha256.Sum256(data)
	res.SHA256 = hex.EncodeToString(sum[:])
	t, p := readTable(data, opts.FileName, limits{rows: opts.MaxRows, bytes: opts.MaxBytes, unzip: opts.MaxUnzip})
	if p != nil {
		return res, &ImportProblems{Problems: []Problem{*p}, Format: t.format}
	}
	res.Format, res.Sheet = t.format, t.sheet
	refuse := func(probs []Problem) error { return &ImportProblems{Problems: sortProblems(probs), Format: t.format} }
	if t.tooMany {
		return res, refuse([]Problem{{Sheet: t.sheet, Key: "sheet.rows.too_many", Args: map[string]any{"max": opts.MaxRows}}})
	}
	lay, probs := findLayout(t, opts.FileName)
	if !lay.has(colCode) {
		return res, refuse(probs)
	}
	err = svc.db.WithTx(ctx, func(ctx context.Context) error {
		types, err := svc.Types(ctx)
		if err != nil {
			return err
		}
		groups, err := svc.Groups(ctx)
		if err != nil {
			return err
		}
		entries, more := parseRows(t, lay, newVocab(types, groups))
		probs = append(probs, more...)
		if len(entries) == 0 && len(probs) == 0 {
			probs = append(probs, Problem{Sheet: t.sheet, Key: "sheet.rows.none"})
		}
		plan, more, err := svc.planImport(ctx, a, t, lay, entries)
		if err != nil {
			return err
		}
		if probs = append(probs, more...); len(probs) > 0 {
			return refuse(probs)
		}
		if err := svc.applyImport(ctx, a, t, lay, plan); err != nil {
			return err
		}
		res.Created, res.Updated, res.Unchanged = len(plan.creates), len(plan.updates), plan.unchanged
		if err := svc.audit.Record(ctx, audit.Change{Action: "import", Entity: "unit_sheet", EntityID: importName(opts.FileName, res.SHA256),
			UnitPath: auditPath(a.Write), After: map[string]any{"file": opts.FileName, "sha256": res.SHA256, "format": t.format,
				"sheet": t.sheet, "rows": len(entries), "created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged}}); err != nil {
			return err
		}
		if opts.DryRun {
			return errDryRun // roll back: the counts are what a real import would do
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return ImportResult{DryRun: opts.DryRun, Format: res.Format, Sheet: res.Sheet, SHA256: res.SHA256}, err
	}
	return res, nil
}

func importName(file, sum string) string {
	if file = strings.TrimSpace(file); file != "" {
		return file
	}
	return sum[:12]
}

// auditPath places the import's entry at the importer's subtree when it
// has one, so that the subtree's audit shows it.
func auditPath(s Scope) string {
	if roots := s.Roots(); len(roots) == 1 {
		return roots[0]
	}
	return ""
}

// importPlan is what an import will do once every row has passed.
type importPlan struct {
	creates   []planned // parents before their children
	updates   []planned
	unchanged int
}

type planned struct {
	e      *entry
	create Create
	update Update
}

// planImport checks every row against the stored units and the caller's
// scope, with the rules Create and Update apply, and orders the new units
// so that parents come first. It writes nothing.
func (svc *Service) planImport(ctx context.Context, a Access, t table, lay layout, entries []entry) (importPlan, []Problem, error) {
	var plan importPlan
	var probs []Problem
	bad := func(e *entry, c column, key string, args ...any) {
		e.bad[c] = true
		probs = append(probs, t.problem(lay, e.row, c, e.raw[c], key, args...))
	}
	fieldProblems := func(e *entry, err error) {
		for _, f := range fault.FieldsOf(err) {
			c, ok := fieldColumn[f.Field]
			if !ok {
				c = colCode
			}
			if !e.bad[c] {
				e.bad[c] = true
				probs = append(probs, Problem{Sheet: t.sheet, Row: e.row, Column: lay.letter(c), Header: c.header(),
					Field: columnSpecs[c].field, Value: e.raw[c], Key: f.Key, Args: f.Args})
			}
		}
	}

	// one row per code
	first := map[string]*entry{}
	var rows []*entry
	lookup := []string{}
	for i := range entries {
		e := &entries[i]
		if e.code == "" || !ValidCode(e.code) {
			rows = append(rows, e) // Create.check reports it
			continue
		}
		if f, dup := first[e.code]; dup {
			bad(e, colCode, "sheet.code.duplicate", "code", e.code, "row", f.row)
			continue
		}
		first[e.code] = e
		rows = append(rows, e)
		lookup = append(lookup, e.code)
		if e.parent != "" && ValidCode(e.parent) {
			lookup = append(lookup, e.parent)
		}
	}
	stored, err := svc.unitsByCode(ctx, lookup)
	if err != nil {
		return plan, nil, err
	}
	_, rootErr := svc.Root(ctx)
	canRoot := a.Write.IsEverything() && errors.Is(rootErr, fault.ErrNotFound)

	fresh := map[string]*planned{}
	var order []*planned
	for _, e := range rows {
		u, exists := stored[e.code]
		if exists && !a.Read.Contains(u.Path) {
			// Another scope's unit holds the code: say it is taken, as the API does, and nothing more.
			bad(e, colCode, "unit.code.taken", "code", e.code)
			continue
		}
		if e.closedOn != "" && (!exists || e.closedOn != u.ClosedOn) {
			current := "—"
			if exists && u.ClosedOn != "" {
				current = u.ClosedOn
			}
			bad(e, colClosedOn, "sheet.closed.refused", "current", current)
		}
		if exists {
			svc.planUpdate(e, u, a, lay, &plan, bad, fieldProblems)
			continue
		}
		needParent := !canRoot || e.parent != ""
		if !needParent {
			canRoot = false // one root at most
		}
		in := Create{Code: e.code, Type: e.typ, Parent: e.parent, NameZH: e.nameZH, NameEN: e.nameEN, OpenedOn: e.openedOn, Groups: e.groups}
		in.normalize()
		fieldProblems(e, in.check(needParent).Err())
		p := &planned{e: e, create: in}
		if e.code != "" && ValidCode(e.code) {
			fresh[e.code] = p
			order = append(order, p)
		}
	}

	// parents that are not new rows must exist within the write scope
	parents := map[string]error{}
	for _, p := range order {
		code := p.create.Parent
		if code == "" || fresh[code] != nil || p.e.bad[colParent] {
			continue
		}
		perr, seen := parents[code]
		if !seen {
			_, perr = svc.parentFor(ctx, a, code)
			if perr != nil && fault.FieldsOf(perr) == nil {
				return plan, nil, perr
			}
			parents[code] = perr
		}
		fieldProblems(p.e, perr)
	}

	// parents first; what is left hangs on a cycle
	children := map[string][]*planned{}
	var queue []*planned
	for _, p := range order {
		if par := fresh[p.create.Parent]; par != nil {
			children[par.create.Code] = append(children[par.create.Code], p)
		} else {
			queue = append(queue, p)
		}
	}
	placed := map[string]bool{}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		placed[p.create.Code] = true
		plan.creates = append(plan.creates, *p)
		queue = append(queue, children[p.create.Code]...)
	}
	for _, p := range order {
		if !placed[p.create.Code] {
			bad(p.e, colParent, "sheet.parent.cycle", "chain", cycleChain(p, fresh))
		}
	}
	return plan, probs, nil
}

// planUpdate compares a row with the stored unit: the differences become
// an Update, checked as the API checks one; no difference is unchanged.
func (svc *Service) planUpdate(e *entry, u Unit, a Access, lay layout, plan *importPlan,
	bad func(*entry, column, string, ...any), fieldProblems func(*entry, error)) {
	if e.parent != "" && e.parent != u.Parent {
		current := u.Parent
		if current == "" {
			current = "—"
		}
		bad(e, colParent, "sheet.parent.move", "code", e.code, "current", current)
	}
	var in Update
	changed := false
	diff := func(c column, now, was string) *string {
		if !lay.has(c) || e.bad[c] || now == was {
			return nil
		}
		changed = true
		return &now
	}
	in.Type = diff(colType, e.typ, u.Type)
	in.NameZH = diff(colNameZH, e.nameZH, u.NameZH)
	in.NameEN = diff(colNameEN, e.nameEN, u.NameEN)
	in.OpenedOn = diff(colOpenedOn, e.openedOn, u.OpenedOn)
	if lay.has(colGroups) && !e.bad[colGroups] && !sameSet(e.groups, u.Groups) {
		in.Groups, changed = &e.groups, true
	}
	fieldProblems(e, in.check().Err())
	switch {
	case !changed:
		plan.unchanged++
	case !a.Write.Contains(u.Path):
		bad(e, colCode, "sheet.unit.forbidden", "code", e.code)
	default:
		plan.updates = append(plan.updates, planned{e: e, update: in})
	}
}

// applyImport makes the planned changes inside the import's transaction:
// new units through CreateMany (checked and audited as Create does, and
// inserted by hundreds), changes through Update. A refusal now (another
// writer got there between the check and the write) still points at the
// row.
func (svc *Service) applyImport(ctx context.Context, a Access, t table, lay layout, plan importPlan) error {
	fail := func(p planned, err error) error {
		fields := fault.FieldsOf(err)
		if fields == nil {
			return fmt.Errorf("import row %d: %w", p.e.row, err)
		}
		var probs []Problem
		for _, f := range fields {
			c, ok := fieldColumn[f.Field]
			if !ok {
				c = colCode
			}
			probs = append(probs, Problem{Sheet: t.sheet, Row: p.e.row, Column: lay.letter(c), Header: c.header(),
				Field: columnSpecs[c].field, Value: p.e.raw[c], Key: f.Key, Args: f.Args})
		}
		return &ImportProblems{Problems: probs, Format: t.format}
	}
	creates := plan.creates
	if len(creates) > 0 && creates[0].create.Parent == "" { // the root of an empty tree
		if _, err := svc.Create(ctx, a, creates[0].create); err != nil {
			return fail(creates[0], err)
		}
		creates = creates[1:]
	}
	in := make([]Create, len(creates))
	for i, p := range creates {
		in[i] = p.create
	}
	if _, err := svc.CreateMany(ctx, a, in); err != nil {
		// CreateMany names the unit by its index: "[3].code"
		for _, f := range fault.FieldsOf(err) {
			var i int
			var field string
			if n, _ := fmt.Sscanf(strings.Replace(f.Field, "].", "] ", 1), "[%d] %s", &i, &field); n == 2 && i >= 0 && i < len(creates) {
				return fail(creates[i], &fault.Invalid{Fields: []fault.Field{{Field: field, Key: f.Key, Args: f.Args}}})
			}
		}
		return fmt.Errorf("import: %w", err)
	}
	for _, p := range plan.updates {
		if _, err := svc.Update(ctx, a, p.e.code, p.update); err != nil {
			return fail(p, err)
		}
	}
	return nil
}

// cycleChain spells the loop of parents a new row hangs on: A → B → A.
func cycleChain(p *planned, fresh map[string]*planned) string {
	seen := map[string]int{}
	var chain []string
	for cur := p; cur != nil; cur = fresh[cur.create.Parent] {
		code := cur.create.Code
		if i, ok := seen[code]; ok {
			return strings.Join(append(chain[i:], code), " → ")
		}
		seen[code] = len(chain)
		chain = append(chain, code)
	}
	return strings.Join(chain, " → ")
}

var fieldColumn = func() map[string]column {
	m := map[string]column{}
	for c := range numColumns {
		m[columnSpecs[c].field] = c
	}
	return m
}()

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// sortProblems orders problems by row, then column, and bounds how many.
func sortProblems(probs []Problem) []Problem { return sheet.SortProblems(probs) }

// unitsByCode returns the stored units with the given codes, whatever the
// scope: the caller decides what the caller may know of them.
func (svc *Service) unitsByCode(ctx context.Context, codes []string) (map[string]Unit, error) {
	out := make(map[string]Unit, len(codes))
	const chunk = 500
	for start := 0; start < len(codes); start += chunk {
		part := codes[start:min(start+chunk, len(codes))]
		var args store.Args
		ph := make([]string, len(part))
		for i, c := range part {
			ph[i] = args.Add(c)
		}
		rows, err := svc.db.Q(ctx).QueryContext(ctx, `SELECT `+unitCols+unitFrom+` WHERE u.code IN (`+strings.Join(ph, ",")+`)`, args.Values()...)
		if err != nil {
			return nil, fmt.Errorf("units by code: %w", err)
		}
		var ids []int64
		for rows.Next() {
			u, err := scanUnit(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[u.Code] = u
			ids = append(ids, u.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		groups, err := svc.groupsOf(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, u := range out {
			if g, ok := groups[u.ID]; ok {
				u.Groups = g
				out[u.Code] = u
			}
		}
	}
	for code, u := range out {
		if u.Groups == nil {
			u.Groups = []string{}
			out[code] = u
		}
	}
	return out, nil
}
