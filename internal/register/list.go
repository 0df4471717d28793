package register

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"kexie/internal/fault"
	"kexie/internal/period"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Cond is one condition on a field: op is eq, ne, gt, gte, lt, lte,
// contains (text, options) or empty / notempty; Value is text parsed as
// the field's type.
type Cond struct {
	Field string
	Op    string
	Value string
}

// Filter selects records in ListRecords.
type Filter struct {
	Under  string // a unit code: its whole subtree
	Period string // a period identifier or range, on the record's date
	Status string
	Q      string // substring of the text values (Chinese works)
	Conds  []Cond
	Sort   string // "date", "-date" (default), "id", or a field code with optional "-"
	// UnitIDAfter and UnitIDTo keep the records of the units whose ids lie
	// in (UnitIDAfter, UnitIDTo]; zero leaves that end open. A metric's
	// rebuild walks the records this way, a range of units at a time.
	UnitIDAfter, UnitIDTo int64
	// CapTotal stops the count at MaxCount (RecordPage.Capped says it
	// did): lists shown to people, which need "10,000+" rather than the
	// exact number a full count of a million records would cost.
	CapTotal bool
	Page     int
	PerPage  int
}

// RecordPage is one page of records.
type RecordPage struct {
	Items []*Record `json:"items"`
	Total int       `json:"total"`
	// Capped says Total stopped counting at MaxCount: there are more.
	Capped  bool `json:"total_capped,omitempty"`
	Page    int  `json:"page"`
	PerPage int  `json:"per_page"`
}

// MaxPerPage bounds a page of records (exports read every page).
const MaxPerPage = 500

// MaxCount is as far as a list counts its records: past it the total
// shows as "10,000+" and the count costs no more however many there are.
const MaxCount = 10_000

// unitCond is the condition on the units' paths keeping the records of
// units in sc, or "" when sc holds the whole tree: the condition would
// then keep every record, and the planner would read them unit by unit to
// check it.
func (s *Service) unitCond(ctx context.Context, sc unit.Scope, args *store.Args) (string, error) {
	if sc.IsEverything() {
		return "", nil
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT path FROM units WHERE parent_id IS NULL`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	all := true
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return "", err
		}
		all = all && sc.Contains(p)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if all {
		return "", nil
	}
	return sc.Cond("path", args), nil
}

// unitsIn keeps the records of the units whose paths meet cond.
func unitsIn(cond string) string { return "r.unit_id IN (SELECT id FROM units WHERE " + cond + ")" }

// unitsAny keeps the same records as unitsIn, written so that PostgreSQL
// can read the units' records from the records' unit index as a bitmap
// and meet it with another (planBitmap).
func unitsAny(cond string) string {
	return "r.unit_id = ANY(ARRAY(SELECT id FROM units WHERE " + cond + "))"
}

// listWhere is the condition of a filtered query: the filters but the
// text search, with their arguments ($1 …), and the text search apart, so
// that the count and the page each read it their own way.
type listWhere struct {
	base string
	args []any
	all  bool // base keeps every record
	// covered says one list index holds every column base reads (the
	// unit, the date, and the status or one indexed field): the ids it
	// keeps are read from the index alone
	covered bool
	text    *textSearch
	// bitmapBase is base with the units' condition written unitsAny
	// (planBitmap), the same arguments; base when no unit is named
	bitmapBase string
	units      bool // base keeps the records of some units only
}

// cond is the whole condition with the text search read as plan says
// (ids: a merge's, for planIDs), and the arguments it takes.
func (w *listWhere) cond(s *Service, reg *Register, plan string, ids []int64) (string, *store.Args) {
	var args store.Args
	for _, v := range w.args {
		args.Add(v)
	}
	base := w.base
	if plan == planBitmap {
		base = w.bitmapBase
	}
	if w.text == nil {
		return base, &args
	}
	return base + " AND " + w.text.cond(s, reg, plan, ids, &args), &args
}

// where builds the condition of a filtered query within read.
func (s *Service) where(ctx context.Context, reg *Register, read unit.Scope, f Filter) (*listWhere, error) {
	w := &listWhere{}
	var argv store.Args
	args := &argv
	parts := []string{"1=1"}
	c := &fault.Check{}
	scope := read
	if f.Under != "" {
		u, err := s.units.Get(ctx, read, f.Under)
		if err != nil {
			return nil, err
		}
		scope = unit.Subtrees(u.Path) // within read: Get found it there
	}
	units, err := s.unitCond(ctx, scope, args)
	if err != nil {
		return nil, err
	} else if units != "" {
		parts = append(parts, unitsIn(units))
	}
	if f.UnitIDAfter != 0 {
		parts = append(parts, "r.unit_id > "+args.Add(f.UnitIDAfter))
	}
	if f.UnitIDTo != 0 {
		parts = append(parts, "r.unit_id <= "+args.Add(f.UnitIDTo))
	}
	if f.Period != "" {
		p, err := period.Parse(f.Period)
		if err != nil {
			c.Add("period", "register.filter.period", "value", f.Period)
		} else {
			parts = append(parts, "r.date >= "+args.Add(p.FromDate())+" AND r.date <= "+args.Add(p.ToDate()))
		}
	}
	if f.Status != "" {
		if !containsStr([]string{StatusDraft, StatusSubmitted, StatusApproved, StatusReturned}, f.Status) {
			c.Add("status", "error.option", "value", f.Status)
		} else {
			parts = append(parts, "r.status = "+args.Add(f.Status))
		}
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		if len([]rune(q)) > 100 {
			c.Add("q", "error.too_long", "max", 100)
		} else {
			ts, err := s.newTextSearch(ctx, reg, strings.ToLower(q))
			if err != nil {
				return nil, err
			}
			w.text = ts
		}
	}
	for _, cd := range f.Conds {
		fd, ok := reg.Schema.Field(cd.Field)
		if !ok {
			c.Add("f."+cd.Field, "register.filter.field")
			continue
		}
		col := "r." + Column(fd.Code)
		switch cd.Op {
		case "empty":
			parts = append(parts, col+" IS NULL")
			continue
		case "notempty":
			parts = append(parts, col+" IS NOT NULL")
			continue
		case "contains":
			// a substring of a text column only: PostgreSQL has no LOWER
			// of a number, and a sensitive value must not be guessed a
			// digit at a time
			if fd.Sensitive || storage(fd.Type) != "text" {
				c.Add("f."+cd.Field, "register.filter.op", "value", cd.Op)
				continue
			}
			if fd.Type == TypeOptions {
				code, ok := fd.option(Fold(cd.Value))
				if !ok {
					c.Add("f."+cd.Field, "register.value.option", "value", cd.Value)
					continue
				}
				parts = append(parts, col+" LIKE "+args.Add(`%"`+code+`"%`))
			} else {
				parts = append(parts, "LOWER("+col+`) LIKE `+args.Add("%"+strings.ToLower(store.EscapeLike(Fold(cd.Value)))+"%")+` ESCAPE '\'`)
			}
			continue
		}
		ops := map[string]string{"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
		op, ok := ops[cd.Op]
		if !ok || fd.Sensitive {
			c.Add("f."+cd.Field, "register.filter.op", "value", cd.Op)
			continue
		}
		v, err := fd.Parse(cd.Value, false)
		if err != nil || v == nil {
			c.Add("f."+cd.Field, "register.filter.value", "value", cd.Value)
			continue
		}
		parts = append(parts, col+" "+op+" "+args.Add(sqlValue(v)))
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	w.base, w.args, w.all = strings.Join(parts, " AND "), args.Values(), len(parts) == 1
	w.bitmapBase = w.base
	if units != "" {
		parts[1] = unitsAny(units)
		w.bitmapBase, w.units = strings.Join(parts, " AND "), true
	}
	w.covered = len(f.Conds) == 0 || len(f.Conds) == 1 && f.Status == "" && f.Conds[0].Op == "eq" && indexedField(reg, f.Conds[0].Field)
	return w, nil
}

// indexedField says whether the field code has a list index of its own.
func indexedField(reg *Register, code string) bool {
	fd, ok := reg.Schema.Field(code)
	return ok && indexed(fd)
}

func orderBy(reg *Register, sort string) (string, error) {
	desc := strings.HasPrefix(sort, "-")
	key := strings.TrimPrefix(sort, "-")
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	switch key {
	case "", "date":
		if sort == "" {
			dir = " DESC"
		}
		return "r.date" + dir + ", r.id" + dir, nil
	case "id":
		return "r.id" + dir, nil
	}
	f, ok := reg.Schema.Field(key)
	if !ok || f.Sensitive {
		return "", fault.InvalidField("sort", "register.filter.field")
	}
	return "r." + Column(f.Code) + dir + ", r.id" + dir, nil
}

// sortIndexAbove is how many matching records make a list sorted by a
// sortable field read the field's index rather than sort them all.
const sortIndexAbove = 5_000

// sortHint names the index SQLite must read a page sorted by a sortable
// field through, when more than sortIndexAbove records match. SQLite's
// planner prefers an index that narrows the filter (a period, an
// option) and then sorts every record it keeps, a million if the period
// is a year; reading the sort index in order instead stops at the page.
// Few matching records sort at once, and PostgreSQL weighs the two plans
// by its statistics.
func (s *Service) sortHint(reg *Register, sort string, total int, from string) string {
	if s.db.Dialect.Name != "sqlite" || total <= sortIndexAbove || strings.HasSuffix(from, notIndexed) {
		return ""
	}
	f, ok := reg.Schema.Field(strings.TrimPrefix(sort, "-"))
	if !ok || !f.Sortable || f.Sensitive {
		return ""
	}
	return " INDEXED BY " + indexName(Table(reg.Code), sortIndex(f).suffix)
}

const notIndexed = " NOT INDEXED"

// readHint makes SQLite read a text search's candidates by their ids
// (NOT INDEXED still looks rows up by id): left to itself, it may read an
// option's index and test each of its records against the candidates, a
// sixth of a million records for a few hundred candidates.
func (s *Service) readHint(plan string) string {
	if s.pairsKeptByWrites() && (plan == planCandidates || plan == planIDs) {
		return notIndexed
	}
	return ""
}

// maxCount is how far a capped count goes (MaxCount; tests lower it).
func (s *Service) maxCount() int {
	if s.countCap > 0 {
		return s.countCap
	}
	return MaxCount
}

// ListRecords returns the records of register code within read matching f.
func (s *Service) ListRecords(ctx context.Context, read unit.Scope, code string, f Filter) (*Register, RecordPage, error) {
	reg, err := s.Get(ctx, code)
	if err != nil {
		return nil, RecordPage{}, err
	}
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	if f.PerPage > MaxPerPage {
		f.PerPage = MaxPerPage
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	w, err := s.where(ctx, reg, read, f)
	if err != nil {
		return nil, RecordPage{}, err
	}
	order, err := orderBy(reg, f.Sort)
	if err != nil {
		return nil, RecordPage{}, err
	}
	page := RecordPage{Page: f.Page, PerPage: f.PerPage, Items: []*Record{}}
	upTo := math.MaxInt32
	if f.CapTotal {
		// counting stops past the cap: a list of a million records pages
		// as fast as one of a thousand
		upTo = s.maxCount() + 1
	}
	counted, sizes, err := s.countPlan(ctx, reg, w, upTo)
	if err != nil {
		return nil, RecordPage{}, err
	}
	var merged []int64
	if counted == planPairs {
		if page.Total, err = s.pairsCount(ctx, reg, w, upTo); err != nil {
			return nil, RecordPage{}, err
		}
	} else if counted == planMerge {
		if merged, err = s.mergeIDs(ctx, reg, w); err != nil {
			return nil, RecordPage{}, err
		}
		if page.Total, err = s.mergeCount(ctx, reg, w, merged, upTo); err != nil {
			return nil, RecordPage{}, err
		}
	} else {
		cond, args := w.cond(s, reg, counted, nil)
		from := Table(reg.Code) + ` r` + s.readHint(counted)
		count := `SELECT COUNT(*) FROM ` + from + ` WHERE ` + cond
		if f.CapTotal {
			count = `SELECT COUNT(*) FROM (SELECT 1 FROM ` + from + ` WHERE ` + cond + ` LIMIT ` + strconv.Itoa(upTo) + `) n`
		}
		if err := s.db.Q(ctx).QueryRowContext(ctx, count, s.db.Dialect.Planned(args.Values())...).Scan(&page.Total); err != nil {
			return nil, RecordPage{}, fmt.Errorf("count records: %w", err)
		}
	}
	if f.CapTotal && page.Total > s.maxCount() {
		page.Total, page.Capped = s.maxCount(), true
	}
	offset := (f.Page - 1) * f.PerPage
	if !page.Capped && offset >= page.Total {
		return reg, page, nil // the count found them all: the page is past them
	}
	key := strings.TrimPrefix(f.Sort, "-")
	byDate := (key == "" || key == "date") && f.Status == "" && len(f.Conds) == 0
	plan, err := s.pagePlan(ctx, reg, w, counted, sizes, merged, page.Total, page.Capped, offset+f.PerPage, byDate)
	if err != nil {
		return nil, RecordPage{}, err
	}
	cond, args := w.cond(s, reg, plan, merged)
	from := Table(reg.Code) + ` r` + s.readHint(plan)
	if plan == planOrder && s.db.Dialect.Name == "sqlite" {
		from += " INDEXED BY " + indexName(Table(reg.Code), "date_list")
	}
	// The page's ids first, then their rows: the rows skipped to reach a
	// deep page are then read from an index alone where one covers the
	// filter and the order, not fetched from the table to be dropped.
	q := `SELECT ` + selectCols(reg) + ` FROM ` + Table(reg.Code) + ` r WHERE r.id IN (SELECT r.id FROM ` + from + s.sortHint(reg, f.Sort, page.Total, from) + ` WHERE ` +
		cond + ` ORDER BY ` + order + ` LIMIT ` + args.Add(f.PerPage) + ` OFFSET ` + args.Add(offset) + `) ORDER BY ` + order
	rows, err := s.db.Q(ctx).QueryContext(ctx, q, s.db.Dialect.Planned(args.Values())...)
	if err != nil {
		return nil, RecordPage{}, fmt.Errorf("list records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(reg, rows)
		if err != nil {
			return nil, RecordPage{}, err
		}
		page.Items = append(page.Items, r)
	}
	return reg, page, rows.Err()
}

// EachRecord calls fn for every record within read matching f, in
// order, reading in batches so memory stays bounded (exports).
func (s *Service) EachRecord(ctx context.Context, read unit.Scope, code string, f Filter, fn func(*Register, *Record) error) error {
	reg, err := s.Get(ctx, code)
	if err != nil {
		return err
	}
	w, err := s.where(ctx, reg, read, f)
	if err != nil {
		return err
	}
	// every match is read: the candidates by id when they are fewer than
	// the scan would read
	plan := planScan
	if w.text != nil && len(w.text.set) > 0 && w.text.cands <= pgCandidatesUpTo {
		plan = planCandidates
	}
	cond, args := w.cond(s, reg, plan, nil)
	order, err := orderBy(reg, f.Sort)
	if err != nil {
		return err
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT `+selectCols(reg)+` FROM `+Table(reg.Code)+` r`+s.readHint(plan)+` WHERE `+cond+` ORDER BY `+order, s.db.Dialect.Planned(args.Values())...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(reg, rows)
		if err != nil {
			return err
		}
		if err := fn(reg, r); err != nil {
			return err
		}
	}
	return rows.Err()
}
