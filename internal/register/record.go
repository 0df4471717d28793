package register

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Record statuses.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusApproved  = "approved"
	StatusReturned  = "returned"
)

// Record is one entry of a register.
type Record struct {
	ID           int64          `json:"id"`
	Register     string         `json:"register"`
	Unit         string         `json:"unit"`
	UnitID       int64          `json:"-"`
	UnitPath     string         `json:"-"`
	Date         string         `json:"date"`
	Values       map[string]any `json:"values"`
	Status       string         `json:"status"`
	StatusReason string         `json:"status_reason,omitempty"`
	Version      int            `json:"version"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

// Input is a request to create a record: the unit it belongs to and its
// values as decoded from JSON (use json.Decoder.UseNumber).
type Input struct {
	Unit   string         `json:"unit"`
	Values map[string]any `json:"values"`
}

// Patch changes some values of a record; a null value clears a field.
type Patch struct {
	Values  map[string]any `json:"values"`
	Version *int           `json:"version"`
}

// Access is what a caller may do with records: read them, enter them
// (create, change, delete, submit) and approve them, each within a scope.
type Access struct {
	Read    unit.Scope
	Enter   unit.Scope
	Approve unit.Scope
}

// System is the access of the command line and the demo loader.
func System() Access {
	return Access{Read: unit.Everything(), Enter: unit.Everything(), Approve: unit.Everything()}
}

// values turns JSON input into stored values, checking every field; it
// starts from base (the record's current values, for a patch).
func (s *Service) values(ctx context.Context, reg *Register, read unit.Scope, base map[string]any, in map[string]any) (map[string]any, error) {
	c := &fault.Check{}
	failed := map[string]bool{}
	out := make(map[string]any, len(reg.Schema.Fields))
	for k, v := range base {
		out[k] = v
	}
	for k := range in {
		f, ok := reg.Schema.Field(k)
		if !ok {
			c.Add(k, "error.json.unknown_field")
		} else if f.Compute != "" {
			c.Add(k, "register.value.computed")
		}
	}
	for _, f := range reg.Schema.Fields {
		raw, given := in[f.Code]
		if !given || f.Compute != "" {
			if _, had := out[f.Code]; !had && f.Default != "" && base == nil {
				v, _ := f.Parse(f.Default, false)
				out[f.Code] = v
			}
			continue
		}
		v, err := f.FromJSON(raw)
		if err == nil && v != nil {
			err = s.checkRef(ctx, f, v, read)
		}
		if err != nil {
			failed[f.Code] = true
			for _, fe := range fault.FieldsOf(err) {
				c.Add(fe.Field, fe.Key, flatten(fe.Args)...)
			}
			continue
		}
		out[f.Code] = v
	}
	// the date field is always required: it puts the record in a period
	for _, f := range reg.Schema.Fields {
		if (f.Required || f.Code == reg.Schema.DateField) && f.Compute == "" && out[f.Code] == nil && !failed[f.Code] {
			c.Add(f.Code, "error.required")
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if err := reg.Schema.Evaluate(out); err != nil {
		return nil, err
	}
	if out[reg.Schema.DateField] == nil {
		return nil, fault.InvalidField(reg.Schema.DateField, "error.required") // a computed date that came out empty
	}
	return out, nil
}

func flatten(m map[string]any) []any {
	out := make([]any, 0, 2*len(m))
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

// checkRef resolves references: units must be in the caller's read scope,
// records must exist, attachments must be files of the allowed kind and size.
func (s *Service) checkRef(ctx context.Context, f Field, v any, read unit.Scope) error {
	switch f.Type {
	case TypeUnit:
		if _, err := s.units.Get(ctx, read, v.(string)); err != nil {
			return fault.InvalidField(f.Code, "register.value.unit", "value", v)
		}
	case TypeRecord, TypePerson:
		target := f.Register
		if f.Type == TypePerson {
			target = PeopleRegister
		}
		// the record referred to is kept from being deleted until this
		// write commits; a delete that got there first is waited for, and
		// the reference then finds nothing (see Delete)
		var id int64
		var args store.Args
		q := `SELECT id FROM ` + Table(target) + ` WHERE id = ` + args.Add(v) + ` AND ` + read.IDCond("unit_id", &args) + s.db.Dialect.KeyLock
		err := s.db.Q(ctx).QueryRowContext(ctx, q, args.Values()...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.InvalidField(f.Code, "register.value.reference", "value", v)
		}
		if err != nil {
			return fmt.Errorf("reference %s: %w", f.Code, err)
		}
	case TypeAttachment:
		for _, idText := range v.([]string) {
			id, err := strconv.ParseInt(idText, 10, 64)
			if err != nil {
				return fault.InvalidField(f.Code, "register.value.reference", "value", idText)
			}
			// a caller attaches only files it may download itself, else
			// attaching another unit's file would be a way to read it
			var file File
			if user := audit.ActorFrom(ctx).UserID; user != 0 {
				file, err = s.FileFor(ctx, read, user, id)
			} else {
				file, err = s.files.Get(ctx, id) // the command line
			}
			if err != nil {
				return fault.InvalidField(f.Code, "register.value.reference", "value", idText)
			}
			if f.MaxSize > 0 && file.Size > f.MaxSize {
				return TooLarge(f.Code, f.MaxSize)
			}
			if len(f.Accept) > 0 && !slices.Contains(f.Accept, strings.ToLower(fileExt(file.Name))) {
				return fault.InvalidField(f.Code, "register.file.type", "name", file.Name)
			}
		}
	}
	return nil
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// NaturalKey is the text that makes a record unique within its unit.
func (reg *Register) NaturalKey(values map[string]any) string {
	parts := make([]string, len(reg.Schema.NaturalKey))
	for i, k := range reg.Schema.NaturalKey {
		parts[i] = keyText(values[k])
	}
	return strings.Join(parts, "\x1f")
}

func keyText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

// recordDate is the day that puts a record in a period.
func (reg *Register) recordDate(values map[string]any) string {
	switch x := values[reg.Schema.DateField].(type) {
	case string:
		return x
	case time.Time:
		return x.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	}
	return ""
}

// searchText is what a text search looks in: text values and option
// labels in both languages, lower-cased.
func (reg *Register) searchText(values map[string]any) string {
	var b strings.Builder
	for _, f := range reg.Schema.Fields {
		v := values[f.Code]
		if v == nil || !f.searched() {
			continue
		}
		if f.Type == TypeOption || f.Type == TypeOptions {
			b.WriteString(f.Format(v, "zh-CN"))
			b.WriteByte(' ')
			b.WriteString(f.Format(v, "en"))
		} else {
			b.WriteString(cutText(fmt.Sprint(v), 500))
		}
		b.WriteByte(' ')
	}
	return strings.ToLower(b.String())
}

// searched says whether a text search looks in the field: text values
// and option labels, unless the field is sensitive.
func (f Field) searched() bool {
	if f.Sensitive {
		return false
	}
	switch f.Type {
	case TypeText, TypeLongText, TypeUnit, TypeEmail, TypeURL, TypeUSCC, TypeOption, TypeOptions:
		return true
	}
	return false
}

// cutText cuts s to at most n bytes at a character boundary, never
// through a Chinese character: the cut text must stay valid UTF-8.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// sqlValue is how a value is stored in its column.
func sqlValue(v any) any {
	switch x := v.(type) {
	case []string:
		return string(mustJSON(x))
	case time.Time:
		return x.UTC()
	}
	return v
}

func actorID(ctx context.Context) any {
	if a := audit.ActorFrom(ctx); a.UserID != 0 {
		return a.UserID
	}
	return nil
}

// Create adds a record to register code at a unit in the caller's entry scope.
func (s *Service) Create(ctx context.Context, acc Access, code string, in Input) (*Record, error) {
	reg, err := s.Get(ctx, code)
	if err != nil {
		return nil, err
	}
	var out *Record
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.insert(ctx, reg, acc, in)
		out = r
		return err
	})
	return out, err
}

// insert creates a record inside the caller's transaction.
func (s *Service) insert(ctx context.Context, reg *Register, acc Access, in Input) (*Record, error) {
	u, err := s.entryUnit(ctx, reg, acc, in.Unit)
	if err != nil {
		return nil, err
	}
	vals, err := s.values(ctx, reg, acc.Read, nil, in.Values)
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
	search := reg.searchText(vals)
	cols := []string{"unit_id", "date", "nkey", "status", "search", "created_at", "created_by", "updated_at", "updated_by"}
	ph := []string{args.Add(u.ID), args.Add(r.Date), args.Add(reg.NaturalKey(vals)), args.Add(StatusDraft),
		args.Add(search), args.Add(now), args.Add(actorID(ctx)), args.Add(now), args.Add(actorID(ctx))}
	for _, f := range reg.Schema.Fields {
		cols = append(cols, Column(f.Code))
		ph = append(ph, args.Add(sqlValue(vals[f.Code])))
	}
	err = s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO `+Table(reg.Code)+` (`+strings.Join(cols, ", ")+`) VALUES (`+
		strings.Join(ph, ", ")+`) RETURNING id`, args.Values()...).Scan(&r.ID)
	if ferr := s.uniqueFault(reg, err); ferr != nil {
		return nil, ferr
	}
	if err != nil {
		return nil, fmt.Errorf("insert record: %w", err)
	}
	if err := s.indexSearch(ctx, reg.Code, []int64{r.ID}, []string{search}); err != nil {
		return nil, err
	}
	if err := s.changed(ctx, reg, nil, r, "create"); err != nil {
		return nil, err
	}
	return r, nil
}

func keyField(reg *Register) string {
	if len(reg.Schema.NaturalKey) > 0 {
		return reg.Schema.NaturalKey[0]
	}
	return "record"
}

// entryUnit resolves the unit a record is entered for.
func (s *Service) entryUnit(ctx context.Context, reg *Register, acc Access, code string) (unit.Unit, error) {
	if strings.TrimSpace(code) == "" {
		return unit.Unit{}, fault.InvalidField("unit", "error.required")
	}
	u, err := s.units.Get(ctx, acc.Enter, strings.TrimSpace(code))
	if errors.Is(err, fault.ErrNotFound) {
		return unit.Unit{}, fault.InvalidField("unit", "unit.parent.unknown", "code", code)
	}
	if err != nil {
		return unit.Unit{}, err
	}
	if u.Closed() {
		return unit.Unit{}, fault.InvalidField("unit", "unit.parent.closed", "code", code)
	}
	if len(reg.Schema.UnitTypes) > 0 && !slices.Contains(reg.Schema.UnitTypes, u.Type) {
		return unit.Unit{}, fault.InvalidField("unit", "register.unit_type", "type", u.Type)
	}
	return u, nil
}

// uniqueFault is the refusal of a write the database refused as a
// duplicate, or nil for any other outcome: a unique field's value that a
// concurrent write stored first answers as checkUnique does, anything
// else is the natural key.
func (s *Service) uniqueFault(reg *Register, err error) error {
	if !s.db.Dialect.IsUniqueViolation(err) {
		return nil
	}
	msg := err.Error()
	t := Table(reg.Code)
	for _, f := range reg.Schema.Fields {
		if f.Unique && (strings.Contains(msg, `"`+uniqueIndex(t, f)+`"`) || namesColumn(msg, t+"."+Column(f.Code))) {
			return fault.InvalidField(f.Code, "register.value.taken")
		}
	}
	return fault.ConflictField(keyField(reg), "register.record.duplicate_key")
}

// namesColumn says whether SQLite's message names table.column (and not
// a longer column that starts alike).
func namesColumn(msg, col string) bool {
	for i := strings.Index(msg, col); i >= 0; {
		end := i + len(col)
		if end == len(msg) || !(msg[end] == '_' || msg[end] >= 'a' && msg[end] <= 'z' || msg[end] >= '0' && msg[end] <= '9') {
			return true
		}
		next := strings.Index(msg[end:], col)
		if next < 0 {
			return false
		}
		i = end + next
	}
	return false
}

func (s *Service) checkUnique(ctx context.Context, reg *Register, vals map[string]any, self int64) error {
	c := &fault.Check{}
	for _, f := range reg.Schema.Fields {
		if !f.Unique || vals[f.Code] == nil {
			continue
		}
		var n int
		if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM `+Table(reg.Code)+` WHERE `+Column(f.Code)+` = $1 AND id <> $2`,
			sqlValue(vals[f.Code]), self).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			c.Add(f.Code, "register.value.taken")
		}
	}
	return c.Err()
}

// changed writes the audit entry of a record change and tells the observers.
func (s *Service) changed(ctx context.Context, reg *Register, before, after *Record, action string) error {
	id := after
	if id == nil {
		id = before
	}
	var b, a any
	if before != nil {
		b = s.auditView(reg, before)
	}
	if after != nil {
		a = s.auditView(reg, after)
	}
	if err := s.audit.Record(ctx, audit.Change{Action: action, Entity: "record:" + reg.Code, EntityID: fmt.Sprint(id.ID),
		UnitPath: id.UnitPath, Before: b, After: a}); err != nil {
		return err
	}
	for _, o := range s.observers {
		if err := o.RecordChanged(ctx, reg, before, after); err != nil {
			return err
		}
	}
	return nil
}

// auditView is a record as the audit log keeps it: sensitive values are
// kept as a fingerprint, never in clear.
func (s *Service) auditView(reg *Register, r *Record) map[string]any {
	vals := make(map[string]any, len(r.Values))
	for _, f := range reg.Schema.Fields {
		v := r.Values[f.Code]
		if f.Sensitive && v != nil {
			vals[f.Code] = Mask(fmt.Sprint(v))
			continue
		}
		vals[f.Code] = f.JSONValue(v)
	}
	return map[string]any{"unit": r.Unit, "date": r.Date, "status": r.Status, "reason": r.StatusReason, "values": vals}
}

// Mask hides the middle of a sensitive value: 138****8000.
func Mask(s string) string {
	r := []rune(s)
	switch {
	case len(r) <= 2:
		return strings.Repeat("*", len(r))
	case len(r) <= 7:
		return string(r[:1]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1:])
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MarshalValues is a record's values as the API sends them.
func (reg *Register) MarshalValues(vals map[string]any) map[string]any {
	out := make(map[string]any, len(vals))
	for _, f := range reg.Schema.Fields {
		out[f.Code] = f.JSONValue(vals[f.Code])
	}
	return out
}

var _ = json.Marshal
var _ = sql.ErrNoRows
