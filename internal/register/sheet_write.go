package register

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
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
	outer := ctx
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
		if err := im.s.db.BulkWrite(ctx); err != nil {
			return err
		}
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
		im.stmts = statements{}
		sr, err := im.spool.reader(reg)
		if err != nil {
			return err
		}
		// rows are read back and, when checking them needs no query, checked
		// in another goroutine while this one writes the rows before them
		chunks := make(chan writeJob, 2)
		stop := make(chan struct{})
		go im.readBack(outer, reg, acc, units, sr, chunks, stop)
		defer func() {
			close(stop)
			for range chunks { // until the reader has stopped
			}
		}()
		done := 0
		for job := range chunks {
			if job.err != nil {
				if job.num > 0 {
					return im.rowRefused(job.num, job.err)
				}
				return job.err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := im.writeBatch(ctx, reg, acc, units, job); err != nil {
				return err
			}
			done += len(job.entries)
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

// writeJob is spooled rows read back for writing: each new record's
// values already checked when that needed no query, or why one failed.
type writeJob struct {
	entries []spoolEntry
	checked map[int]*checkedRecord // by index in entries
	err     error
	num     int // the row of err, 0 when no row is at fault
}

// readBack reads the spool in chunks; for a register whose checks need no
// query (no unit, record, person or attachment field, nothing unique) it
// checks each new record's values too, off the writing goroutine.
func (im *importer) readBack(ctx context.Context, reg *Register, acc Access, units map[int64]unit.Unit, sr *spoolReader, out chan<- writeJob, stop <-chan struct{}) {
	defer close(out)
	pure := reg.checksWithoutQueries()
	for {
		job := writeJob{entries: make([]spoolEntry, 0, writeChunk)}
		for len(job.entries) < writeChunk {
			e, ok, err := sr.next()
			if err != nil {
				job.err = err
				break
			}
			if !ok {
				break
			}
			job.entries = append(job.entries, e)
		}
		if job.err == nil && len(job.entries) == 0 {
			return
		}
		if job.err == nil && pure {
			job.checked = make(map[int]*checkedRecord, len(job.entries))
			for i, e := range job.entries {
				if e.action != actionCreate {
					continue
				}
				cr, err := im.s.checkRecord(ctx, reg, acc, units[e.unitID], e.in)
				if err != nil {
					job.err, job.num = err, e.num
					break
				}
				job.checked[i] = cr
			}
		}
		select {
		case out <- job:
		case <-stop:
			return
		}
		if job.err != nil {
			return
		}
	}
}

// checksWithoutQueries says whether checking a record's values reads
// nothing from the database: no field refers to a unit, record, person
// or file, and none is unique.
func (reg *Register) checksWithoutQueries() bool {
	for _, f := range reg.Schema.Fields {
		switch {
		case f.Unique, f.Type == TypeUnit, f.Type == TypeRecord, f.Type == TypePerson, f.Type == TypeAttachment:
			return false
		}
	}
	return true
}

// writeBatch writes spooled rows: new records through insertMany (the
// checks, audit and observers of insert, in statements of many rows),
// changes through rewrite, the API's own update.
func (im *importer) writeBatch(ctx context.Context, reg *Register, acc Access, units map[int64]unit.Unit, job writeJob) error {
	var ids []int64
	var creates []newRecord
	for i, e := range job.entries {
		switch e.action {
		case actionUpdate:
			ids = append(ids, e.recordID)
		case actionCreate:
			creates = append(creates, newRecord{num: e.num, unit: units[e.unitID], in: e.in, checked: job.checked[i]})
		}
	}
	if i, err := im.s.insertMany(ctx, reg, acc, creates, im.stmts); err != nil {
		if i < 0 {
			return err
		}
		return im.rowRefused(creates[i].num, err)
	}
	befores, err := im.s.recordsByID(ctx, reg, acc, ids)
	if err != nil {
		return err
	}
	for _, e := range job.entries {
		if e.action != actionUpdate {
			continue
		}
		before := befores[e.recordID]
		if before == nil || before.Version != e.version {
			return im.rowRefused(e.num, fault.ConflictField("record", "regsheet.record.changed"))
		}
		if _, err := im.s.rewrite(ctx, reg, acc, before, e.in); err != nil {
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

// newRecord is a record to create: its unit, already resolved and
// checked as entryUnit checks it, what its row gives, and, when done
// ahead, the check of its values.
type newRecord struct {
	num     int
	unit    unit.Unit
	in      map[string]any
	checked *checkedRecord
}

// checkedRecord is a new record's values as values checked them, and
// what its row and audit entry are made of.
type checkedRecord struct {
	vals         map[string]any
	nkey, search string
	after        json.RawMessage // the audit entry's record
}

// checkRecord checks what a row gives a new record at u, as insert does.
func (s *Service) checkRecord(ctx context.Context, reg *Register, acc Access, u unit.Unit, in map[string]any) (*checkedRecord, error) {
	vals, err := s.values(ctx, reg, acc.Read, nil, in)
	if err != nil {
		return nil, err
	}
	shell := &Record{Unit: u.Code, Date: reg.recordDate(vals), Status: StatusDraft, Values: vals}
	after, err := json.Marshal(s.auditView(reg, shell))
	if err != nil {
		return nil, err
	}
	return &checkedRecord{vals: vals, nkey: reg.NaturalKey(vals), search: reg.searchText(vals), after: after}, nil
}

// insertRows is how many records one INSERT of insertMany writes: as
// many as keep its arguments within what both databases take.
func insertRows(cols int) int { return max(1, min(200, 30000/cols)) }

// statements keeps the INSERT statements of one write prepared, by their
// number of rows: parsing a statement of thousands of placeholders costs
// as much as running it.
type statements map[int]*sql.Stmt

// insertMany creates records inside the caller's transaction as insert
// does — each row's values checked by values and checkUnique, each record
// audited in its own entry and told to the observers — but written by
// statements of many rows, kept prepared in stmts when given. On a
// refusal it returns the index of the row at fault, or -1 when no row is.
func (s *Service) insertMany(ctx context.Context, reg *Register, acc Access, rows []newRecord, stmts statements) (int, error) {
	if len(rows) == 0 {
		return -1, nil
	}
	now := time.Now().UTC()
	by := actorID(ctx)
	recs := make([]*Record, len(rows))
	checks := make([]*checkedRecord, len(rows))
	for i, nr := range rows {
		cr := nr.checked
		if cr == nil {
			var err error
			if cr, err = s.checkRecord(ctx, reg, acc, nr.unit, nr.in); err != nil {
				return i, err
			}
		}
		if err := s.checkUnique(ctx, reg, cr.vals, 0); err != nil {
			return i, err
		}
		checks[i] = cr
		recs[i] = &Record{Register: reg.Code, Unit: nr.unit.Code, UnitID: nr.unit.ID, UnitPath: nr.unit.Path, Date: reg.recordDate(cr.vals),
			Values: cr.vals, Status: StatusDraft, Version: 1, CreatedAt: now, UpdatedAt: now}
	}
	cols := []string{"unit_id", "date", "nkey", "status", "search", "created_at", "created_by", "updated_at", "updated_by"}
	for _, f := range reg.Schema.Fields {
		cols = append(cols, Column(f.Code))
	}
	if s.db.Dialect.Name == "sqlite" {
		if i, err := s.insertEach(ctx, reg, cols, recs, checks, now, by, stmts); err != nil {
			return i, err
		}
	} else if i, err := s.insertChunks(ctx, reg, cols, recs, checks, now, by, stmts); err != nil {
		return i, err
	}
	ids, texts := make([]int64, len(recs)), make([]string, len(recs))
	changes := make([]audit.Change, len(recs))
	for i, r := range recs {
		if r.ID == 0 {
			return -1, fmt.Errorf("insert records: no id for row %d", rows[i].num)
		}
		ids[i], texts[i] = r.ID, checks[i].search
		changes[i] = audit.Change{Action: "create", Entity: "record:" + reg.Code, EntityID: strconv.FormatInt(r.ID, 10),
			UnitPath: r.UnitPath, After: checks[i].after}
	}
	if err := s.indexSearch(ctx, reg.Code, ids, texts); err != nil {
		return -1, err
	}
	if err := s.audit.RecordMany(ctx, changes); err != nil {
		return -1, err
	}
	for i, r := range recs {
		for _, o := range s.observers {
			if err := o.RecordChanged(ctx, reg, nil, r); err != nil {
				if fault.FieldsOf(err) != nil {
					return i, err
				}
				return -1, err
			}
		}
	}
	return -1, nil
}

// rowArgs appends the values of a new record's row, in the order of the
// columns insertMany names.
func rowArgs(args []any, reg *Register, r *Record, cr *checkedRecord, now time.Time, by any) []any {
	args = append(args, r.UnitID, r.Date, cr.nkey, StatusDraft, cr.search, now, by, now, by)
	for _, f := range reg.Schema.Fields {
		args = append(args, sqlValue(r.Values[f.Code]))
	}
	return args
}

// insertEach writes the records one INSERT each, prepared once, taking
// each id from the statement's result (SQLite). A statement of one row
// needs no statement journal: one of many rows, inside a transaction in
// WAL mode, first copies every page it touches to a journal of its own,
// so that it can be undone alone — for an import's rows, landing all over
// the table's indexes, that copying cost more than the statements'
// parsing and running saved (docs/performance.md).
func (s *Service) insertEach(ctx context.Context, reg *Register, cols []string, recs []*Record, checks []*checkedRecord, now time.Time, by any, stmts statements) (int, error) {
	st := stmts[0]
	if st == nil {
		ph := make([]string, len(cols))
		for i := range cols {
			ph[i] = s.db.Dialect.Param(i + 1)
		}
		q := `INSERT INTO ` + Table(reg.Code) + ` (` + strings.Join(cols, ", ") + `) VALUES (` + strings.Join(ph, ", ") + `)`
		pr, ok := s.db.Q(ctx).(interface {
			PrepareContext(context.Context, string) (*sql.Stmt, error)
		})
		if !ok {
			return -1, errors.New("insert records: no transaction to prepare in")
		}
		var err error
		if st, err = pr.PrepareContext(ctx, q); err != nil {
			return -1, fmt.Errorf("insert records: %w", err)
		}
		if stmts != nil {
			stmts[0] = st
		} else {
			defer st.Close()
		}
	}
	args := make([]any, 0, len(cols))
	for i, r := range recs {
		args = rowArgs(args[:0], reg, r, checks[i], now, by)
		res, err := st.ExecContext(ctx, args...)
		if ferr := s.uniqueFault(reg, err); ferr != nil {
			return i, ferr
		}
		if err != nil {
			return -1, fmt.Errorf("insert records: %w", err)
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return -1, fmt.Errorf("insert records: %w", err)
		}
	}
	return -1, nil
}

// insertChunks writes the records in statements of many rows, each
// returning the new records' ids (PostgreSQL).
func (s *Service) insertChunks(ctx context.Context, reg *Register, cols []string, recs []*Record, checks []*checkedRecord, now time.Time, by any, stmts statements) (int, error) {
	type key struct {
		unit int64
		nkey string
	}
	per := insertRows(len(cols))
	for start := 0; start < len(recs); start += per {
		chunk := recs[start:min(start+per, len(recs))]
		index := make(map[key]*Record, len(chunk))
		args := make([]any, 0, len(chunk)*len(cols))
		for j, r := range chunk {
			cr := checks[start+j]
			index[key{r.UnitID, cr.nkey}] = r
			args = rowArgs(args, reg, r, cr, now, by)
		}
		res, err := s.insertStatement(ctx, reg, cols, len(chunk), stmts, args)
		if ferr := s.uniqueFault(reg, err); ferr != nil {
			return start, ferr
		}
		if err != nil {
			return -1, fmt.Errorf("insert records: %w", err)
		}
		for res.Next() {
			var id int64
			var k key
			if err := res.Scan(&id, &k.unit, &k.nkey); err != nil {
				res.Close()
				return -1, err
			}
			if r := index[k]; r != nil {
				r.ID = id
			}
		}
		if err := res.Close(); err != nil {
			return -1, err
		}
		if ferr := s.uniqueFault(reg, res.Err()); ferr != nil {
			return start, ferr
		}
		if err := res.Err(); err != nil {
			return -1, fmt.Errorf("insert records: %w", err)
		}
	}
	return -1, nil
}

// insertStatement runs the INSERT of n rows of cols, returning each new
// record's id, unit and natural key (the order RETURNING gives rows in is
// not promised: the unit and natural key, unique, say which is which).
func (s *Service) insertStatement(ctx context.Context, reg *Register, cols []string, n int, stmts statements, args []any) (*sql.Rows, error) {
	q := s.db.Q(ctx)
	if st := stmts[n]; st != nil {
		return st.QueryContext(ctx, args...)
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO ` + Table(reg.Code) + ` (` + strings.Join(cols, ", ") + `) VALUES `)
	p := 0
	for j := range n {
		if j > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for k := range cols {
			if k > 0 {
				b.WriteString(", ")
			}
			p++
			b.WriteString(s.db.Dialect.Param(p))
		}
		b.WriteByte(')')
	}
	b.WriteString(` RETURNING id, unit_id, nkey`)
	if pr, ok := q.(interface {
		PrepareContext(context.Context, string) (*sql.Stmt, error)
	}); ok && stmts != nil {
		st, err := pr.PrepareContext(ctx, b.String())
		if err != nil {
			return nil, err
		}
		stmts[n] = st
		return st.QueryContext(ctx, args...)
	}
	return q.QueryContext(ctx, b.String(), args...)
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
