package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/sheet"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// write is the second pass: in one transaction, every spooled row goes
// through the service's create or update. A refusal now — another writer
// changed a record or a unit between the passes — still points at its
// row, and rolls everything back.
func (im *importer) write(ctx context.Context, scopeUnit *unit.Unit, res ImportResult) error {
	total := im.created + im.updated
	return im.s.db.WithTx(ctx, func(ctx context.Context) error {
		reg, err := im.s.Get(ctx, im.reg.Code)
		if err != nil {
			return err
		}
		if reg.Version != im.reg.Version {
			return &sheet.Refused{Problems: []sheet.Problem{{Key: "regsheet.schema.changed"}}, Format: im.format}
		}
		acc := im.acc
		acc.Enter = im.scope
		// each unit once, as the API checks the unit of a new record
		units := make(map[int64]unit.Unit, len(im.unitsByID))
		for id, u := range im.unitsByID {
			got, err := im.s.entryUnit(ctx, reg, acc, u.Code)
			if fault.FieldsOf(err) != nil {
				return &sheet.Refused{Problems: []sheet.Problem{{Key: "regsheet.unit.changed", Args: map[string]any{"code": u.Code}}}, Format: im.format}
			}
			if err != nil {
				return err
			}
			units[id] = got
		}
		sr, err := im.spool.reader(reg)
		if err != nil {
			return err
		}
		done := 0
		batch := make([]spoolEntry, 0, importBatch)
		for {
			batch = batch[:0]
			for len(batch) < importBatch {
				e, ok, err := sr.next()
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				batch = append(batch, e)
			}
			if len(batch) == 0 {
				break
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := im.writeBatch(ctx, reg, acc, units, batch); err != nil {
				return err
			}
			done += len(batch)
			if im.opts.Progress != nil {
				im.opts.Progress(ImportProgress{Phase: PhaseWriting, Done: done, Total: total})
			}
		}
		path := ""
		if scopeUnit != nil {
			path = scopeUnit.Path
		} else if roots := im.scope.Roots(); len(roots) == 1 {
			path = roots[0]
		}
		return im.s.audit.Record(ctx, audit.Change{Action: "import", Entity: "register_sheet", EntityID: reg.Code + "/" + importName(im.opts.FileName, res.SHA256),
			UnitPath: path, After: map[string]any{"register": reg.Code, "file": im.opts.FileName, "sha256": res.SHA256, "format": im.format,
				"sheet": im.sheetName, "rows": im.rows, "created": im.created, "updated": im.updated, "unchanged": im.unchanged}})
	})
}

func importName(file, sum string) string {
	if file = strings.TrimSpace(file); file != "" {
		return file
	}
	if len(sum) >= 12 {
		return sum[:12]
	}
	return "file"
}

// writeBatch writes spooled rows: new records through insertAt, changes
// through rewrite, the API's own update.
func (im *importer) writeBatch(ctx context.Context, reg *Register, acc Access, units map[int64]unit.Unit, batch []spoolEntry) error {
	var ids []int64
	for _, e := range batch {
		if e.action == actionUpdate {
			ids = append(ids, e.recordID)
		}
	}
	befores, err := im.s.recordsByID(ctx, reg, acc, ids)
	if err != nil {
		return err
	}
	for _, e := range batch {
		var err error
		switch e.action {
		case actionCreate:
			_, err = im.s.insertAt(ctx, reg, acc, units[e.unitID], e.in)
		case actionUpdate:
			before := befores[e.recordID]
			if before == nil || before.Version != e.version {
				err = fault.ConflictField("record", "regsheet.record.changed")
				break
			}
			_, err = im.s.rewrite(ctx, reg, acc, before, e.in)
		}
		if err != nil {
			return im.rowRefused(e.num, err)
		}
	}
	return nil
}

// rowRefused turns the error of a row's write into a refusal pointing at
// the row, when it is the row's fault.
func (im *importer) rowRefused(num int, err error) error {
	fields := fault.FieldsOf(err)
	if fields == nil {
		return fmt.Errorf("import row %d: %w", num, err)
	}
	var probs []sheet.Problem
	for _, fe := range fields {
		p := sheet.Problem{Sheet: im.sheetName, Row: num, Field: fe.Field, Key: fe.Key, Args: fe.Args}
		if c, ok := im.fieldCol[fe.Field]; ok {
			p.Column, p.Header = im.lay.Letter(c), im.cols[c].header()
		}
		probs = append(probs, p)
	}
	return &sheet.Refused{Problems: probs, Format: im.format}
}

// insertAt creates a record at a unit already resolved and checked (see
// entryUnit) inside the caller's transaction: insert, but for the unit.
func (s *Service) insertAt(ctx context.Context, reg *Register, acc Access, u unit.Unit, in map[string]any) (*Record, error) {
	vals, err := s.values(ctx, reg, acc.Read, nil, in)
	if err != nil {
		return nil, err
	}
	if err := s.checkUnique(ctx, reg, vals, 0); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	r := &Record{Register: reg.Code, Unit: u.Code, UnitID: u.ID, UnitPath: u.Path, Date: reg.recordDate(vals),
		Values: vals, Status: StatusDraft, Version: 1, CreatedAt: now, UpdatedAt: now}
	var args store.Args
	cols := []string{"unit_id", "date", "nkey", "status", "search", "created_at", "created_by", "updated_at", "updated_by"}
	ph := []string{args.Add(u.ID), args.Add(r.Date), args.Add(reg.NaturalKey(vals)), args.Add(StatusDraft),
		args.Add(reg.searchText(vals)), args.Add(now), args.Add(actorID(ctx)), args.Add(now), args.Add(actorID(ctx))}
	for _, f := range reg.Schema.Fields {
		cols = append(cols, Column(f.Code))
		ph = append(ph, args.Add(sqlValue(vals[f.Code])))
	}
	err = s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO `+Table(reg.Code)+` (`+strings.Join(cols, ", ")+`) VALUES (`+
		strings.Join(ph, ", ")+`) RETURNING id`, args.Values()...).Scan(&r.ID)
	if s.db.Dialect.IsUniqueViolation(err) {
		return nil, fault.ConflictField(keyField(reg), "register.record.duplicate_key")
	}
	if err != nil {
		return nil, fmt.Errorf("insert record: %w", err)
	}
	if err := s.changed(ctx, reg, nil, r, "create"); err != nil {
		return nil, err
	}
	return r, nil
}

// keyScanner reads a record's natural key before the columns of selectCols.
type keyScanner struct {
	rows *sql.Rows
	key  *string
}

func (k keyScanner) Scan(dest ...any) error { return k.rows.Scan(append([]any{k.key}, dest...)...) }

// recordsByKey returns the stored records that rows of a batch name, by
// the hash of their unit and natural key: one query per unit.
func (s *Service) recordsByKey(ctx context.Context, reg *Register, batch []*pending) (map[[16]byte]*Record, error) {
	byUnit := map[int64][]string{}
	var order []int64
	for _, p := range batch {
		if !p.ok.unit || !p.ok.key || !p.ok.fresh {
			continue
		}
		if _, ok := byUnit[p.unit.ID]; !ok {
			order = append(order, p.unit.ID)
		}
		byUnit[p.unit.ID] = append(byUnit[p.unit.ID], p.nkey)
	}
	out := map[[16]byte]*Record{}
	for _, id := range order {
		var args store.Args
		keys := byUnit[id]
		ph := make([]string, len(keys))
		for i, k := range keys {
			ph[i] = args.Add(k)
		}
		q := `SELECT r.nkey, ` + selectCols(reg) + ` FROM ` + Table(reg.Code) + ` r WHERE r.unit_id = ` + args.Add(id) +
			` AND r.nkey IN (` + strings.Join(ph, ", ") + `)`
		if err := s.scanRecords(ctx, reg, q, args.Values(), func(key string, r *Record) {
			out[keyHash(id, key)] = r
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// recordsByID returns the records with the given ids that the caller may
// change, by id.
func (s *Service) recordsByID(ctx context.Context, reg *Register, acc Access, ids []int64) (map[int64]*Record, error) {
	out := make(map[int64]*Record, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var args store.Args
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = args.Add(id)
	}
	q := `SELECT r.nkey, ` + selectCols(reg) + ` FROM ` + Table(reg.Code) + ` r WHERE r.id IN (` + strings.Join(ph, ", ") + `)`
	err := s.scanRecords(ctx, reg, q, args.Values(), func(_ string, r *Record) {
		if acc.Read.Contains(r.UnitPath) && acc.Enter.Contains(r.UnitPath) {
			out[r.ID] = r
		}
	})
	return out, err
}

func (s *Service) scanRecords(ctx context.Context, reg *Register, q string, args []any, fn func(key string, r *Record)) error {
	rows, err := s.db.Q(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("records by key: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		r, err := scanRecord(reg, keyScanner{rows: rows, key: &key})
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		fn(key, r)
	}
	return rows.Err()
}
