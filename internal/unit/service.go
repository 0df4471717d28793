package unit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/store"
)

// Access is what a caller may read and what it may change. A unit in Read
// but not in Write answers ErrForbidden; one outside Read, ErrNotFound.
type Access struct {
	Read  Scope
	Write Scope
}

// System is the access of the command line and the demo loader.
func System() Access { return Access{Read: Everything(), Write: Everything()} }

// Service reads and changes units, their types and groups.
type Service struct {
	db        *store.DB
	audit     *audit.Log
	moveHooks []MoveHook
	pathIDs   sync.Map // path → []int64, see IDsOfPath
	pathIDsN  atomic.Int64
}

// NewService returns the unit service over db.
func NewService(db *store.DB, log *audit.Log) *Service { return &Service{db: db, audit: log} }

const unitCols = `u.id, u.code, u.type, COALESCE(p.code, ''), u.path, u.depth, u.name_zh, u.name_en,
	COALESCE(u.opened_on, ''), COALESCE(u.closed_on, ''), u.version`

const unitFrom = ` FROM units u LEFT JOIN units p ON p.id = u.parent_id`

func scanUnit(sc interface{ Scan(...any) error }) (Unit, error) {
	var u Unit
	err := sc.Scan(&u.ID, &u.Code, &u.Type, &u.Parent, &u.Path, &u.Depth, &u.NameZH, &u.NameEN,
		&u.OpenedOn, &u.ClosedOn, &u.Version)
	return u, err
}

// Get returns the unit with code, if it lies in s.
func (svc *Service) Get(ctx context.Context, s Scope, code string) (Unit, error) {
	// One round trip: the unit with one row per group it belongs to.
	var args store.Args
	q := `SELECT ` + unitCols + `, (SELECT COUNT(*) FROM units c WHERE c.parent_id = u.id), g.code` + unitFrom +
		` LEFT JOIN unit_group_members m ON m.unit_id = u.id LEFT JOIN unit_groups g ON g.id = m.group_id` +
		` WHERE u.code = ` + args.Add(code) + ` AND ` + s.Cond("u.path", &args) + ` ORDER BY g.code`
	rows, err := svc.db.Q(ctx).QueryContext(ctx, q, args.Values()...)
	if err != nil {
		return Unit{}, fmt.Errorf("get unit %s: %w", code, err)
	}
	defer rows.Close()
	u := Unit{Groups: []string{}}
	found := false
	for rows.Next() {
		var group sql.NullString
		if err := rows.Scan(&u.ID, &u.Code, &u.Type, &u.Parent, &u.Path, &u.Depth, &u.NameZH, &u.NameEN,
			&u.OpenedOn, &u.ClosedOn, &u.Version, &u.Children, &group); err != nil {
			return Unit{}, fmt.Errorf("get unit %s: %w", code, err)
		}
		found = true
		if group.Valid {
			u.Groups = append(u.Groups, group.String)
		}
	}
	if err := rows.Err(); err != nil {
		return Unit{}, fmt.Errorf("get unit %s: %w", code, err)
	}
	if !found {
		return Unit{}, fault.NotFound("unit", code)
	}
	return u, nil
}

// Filter selects units in List.
type Filter struct {
	Parent  string // direct children of this unit
	Under   string // the whole subtree below this unit (itself excluded)
	Type    string
	Group   string
	Q       string // substring of the code or either name
	Closed  bool   // include closed units
	Page    int
	PerPage int
}

// Page is one page of units and the total that match.
type Page struct {
	Items   []Unit `json:"items"`
	Total   int    `json:"total"`
	Page    int    `json:"page"`
	PerPage int    `json:"per_page"`
}

// MaxPerPage bounds every list.
const MaxPerPage = 500

// List returns the units in s matching f, in tree order.
func (svc *Service) List(ctx context.Context, s Scope, f Filter) (Page, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	if f.PerPage > MaxPerPage {
		f.PerPage = MaxPerPage
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	var args store.Args
	where := []string{s.Cond("u.path", &args)}
	if f.Parent != "" {
		where = append(where, "u.parent_id = (SELECT id FROM units WHERE code = "+args.Add(f.Parent)+")")
	}
	if f.Under != "" {
		var path string
		err := svc.db.Q(ctx).QueryRowContext(ctx, `SELECT path FROM units WHERE code = $1`, f.Under).Scan(&path)
		if errors.Is(err, sql.ErrNoRows) {
			return Page{Items: []Unit{}, Page: f.Page, PerPage: f.PerPage}, nil
		}
		if err != nil {
			return Page{}, err
		}
		from, to := PathRange(path)
		where = append(where, "u.path > "+args.Add(from)+" AND u.path < "+args.Add(to))
	}
	if f.Type != "" {
		where = append(where, "u.type = "+args.Add(f.Type))
	}
	if f.Group != "" {
		where = append(where, "u.id IN (SELECT m.unit_id FROM unit_group_members m JOIN unit_groups g ON g.id = m.group_id WHERE g.code = "+args.Add(f.Group)+")")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		pat := args.Add("%" + strings.ToLower(store.EscapeLike(q)) + "%")
		where = append(where, "(LOWER(u.code) LIKE "+pat+` ESCAPE '\' OR LOWER(u.name_zh) LIKE `+pat+` ESCAPE '\' OR LOWER(u.name_en) LIKE `+pat+` ESCAPE '\')`)
	}
	if !f.Closed {
		where = append(where, "u.closed_on IS NULL")
	}
	cond := strings.Join(where, " AND ")
	page := Page{Page: f.Page, PerPage: f.PerPage, Items: []Unit{}}
	if err := svc.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM units u WHERE `+cond, args.Values()...).Scan(&page.Total); err != nil {
		return Page{}, fmt.Errorf("count units: %w", err)
	}
	if page.Total == 0 {
		return page, nil
	}
	q := `SELECT ` + unitCols + `, (SELECT COUNT(*) FROM units c WHERE c.parent_id = u.id)` + unitFrom +
		` WHERE ` + cond + ` ORDER BY u.path LIMIT ` + args.Add(f.PerPage) + ` OFFSET ` + args.Add((f.Page-1)*f.PerPage)
	rows, err := svc.db.Q(ctx).QueryContext(ctx, q, args.Values()...)
	if err != nil {
		return Page{}, fmt.Errorf("list units: %w", err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var u Unit
		if err := rows.Scan(&u.ID, &u.Code, &u.Type, &u.Parent, &u.Path, &u.Depth, &u.NameZH, &u.NameEN,
			&u.OpenedOn, &u.ClosedOn, &u.Version, &u.Children); err != nil {
			return Page{}, err
		}
		page.Items = append(page.Items, u)
		ids = append(ids, u.ID)
	}
	if err := rows.Err(); err != nil {
		return Page{}, err
	}
	groups, err := svc.groupsOf(ctx, ids)
	if err != nil {
		return Page{}, err
	}
	for i := range page.Items {
		page.Items[i].Groups = groups[page.Items[i].ID]
		if page.Items[i].Groups == nil {
			page.Items[i].Groups = []string{}
		}
	}
	return page, nil
}

func (svc *Service) groupsOf(ctx context.Context, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var args store.Args
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = args.Add(id)
	}
	rows, err := svc.db.Q(ctx).QueryContext(ctx, `SELECT m.unit_id, g.code FROM unit_group_members m
		JOIN unit_groups g ON g.id = m.group_id WHERE m.unit_id IN (`+strings.Join(ph, ",")+`) ORDER BY g.code`, args.Values()...)
	if err != nil {
		return nil, fmt.Errorf("unit groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		out[id] = append(out[id], code)
	}
	return out, rows.Err()
}

// PathsByID returns the paths of the units with the given ids.
func (svc *Service) PathsByID(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var args store.Args
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = args.Add(id)
	}
	rows, err := svc.db.Q(ctx).QueryContext(ctx, `SELECT id, path FROM units WHERE id IN (`+strings.Join(ph, ",")+`)`, args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			return nil, err
		}
		out[id] = p
	}
	return out, rows.Err()
}

// Root returns the root unit (the one without a parent), if any.
func (svc *Service) Root(ctx context.Context) (Unit, error) {
	u, err := scanUnit(svc.db.Q(ctx).QueryRowContext(ctx, `SELECT `+unitCols+unitFrom+` WHERE u.parent_id IS NULL ORDER BY u.id LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return Unit{}, fault.NotFound("unit", "root")
	}
	return u, err
}

func now() time.Time { return time.Now().UTC() }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// TypeCount is how many open units of a type a scope holds.
type TypeCount struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// CountByType counts the open units in s by type, in the types' order.
func (svc *Service) CountByType(ctx context.Context, s Scope) ([]TypeCount, error) {
	var args store.Args
	rows, err := svc.db.Q(ctx).QueryContext(ctx, `SELECT u.type, COUNT(*) FROM units u JOIN unit_types t ON t.code = u.type
		WHERE u.closed_on IS NULL AND `+s.Cond("u.path", &args)+` GROUP BY u.type, t.sort ORDER BY t.sort`, args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TypeCount{}
	for rows.Next() {
		var tc TypeCount
		if err := rows.Scan(&tc.Type, &tc.Count); err != nil {
			return nil, err
		}
		out = append(out, tc)
	}
	return out, rows.Err()
}
