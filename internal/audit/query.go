package audit

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"kexie/internal/store"
)

// Filter selects entries. Scope is a SQL condition on the entry's unit
// path built by the caller's unit scope (see unit.Scope.AuditCondition);
// entries outside it are never returned.
type Filter struct {
	Entity   string
	EntityID string
	ActorID  int64
	// Subject, with ActorID, also selects entries about that user (logins,
	// failed logins, grants), not only those it made.
	Subject string
	Action  string
	// Subtree limits entries to a unit's subtree: [From, To) on unit_path.
	SubtreeFrom, SubtreeTo string
	// BeforeID pages backwards: entries with a smaller id.
	BeforeID int64
	Limit    int
}

// ScopeCond adds the caller's scope to a query; it returns the SQL
// condition (on column col) and registers its arguments in args.
type ScopeCond func(col string, args *store.Args) string

// List returns entries matching f within scope, newest first.
func (l *Log) List(ctx context.Context, scope ScopeCond, f Filter) ([]Entry, error) {
	var args store.Args
	where := []string{scope("unit_path", &args)}
	if f.Entity != "" {
		where = append(where, "entity = "+args.Add(f.Entity))
	}
	if f.EntityID != "" {
		where = append(where, "entity_id = "+args.Add(f.EntityID))
	}
	switch {
	case f.ActorID != 0 && f.Subject != "":
		where = append(where, "(actor_id = "+args.Add(f.ActorID)+" OR (entity = 'user' AND entity_id = "+args.Add(f.Subject)+"))")
	case f.ActorID != 0:
		where = append(where, "actor_id = "+args.Add(f.ActorID))
	}
	if f.Action != "" {
		where = append(where, "action = "+args.Add(f.Action))
	}
	if f.SubtreeFrom != "" {
		where = append(where, "unit_path >= "+args.Add(f.SubtreeFrom)+" AND unit_path < "+args.Add(f.SubtreeTo))
	}
	if f.BeforeID > 0 {
		where = append(where, "id < "+args.Add(f.BeforeID))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := `SELECT id, at, actor_id, actor_name, action, entity, entity_id, COALESCE(unit_path, ''),
		COALESCE(before_json, ''), COALESCE(after_json, ''), request_id, ip
		FROM audit_log WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id DESC LIMIT ` + args.Add(limit)
	rows, err := l.db.Q(ctx).QueryContext(ctx, q, args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var actor sql.NullInt64
		var before, after string
		var at time.Time
		if err := rows.Scan(&e.ID, &at, &actor, &e.ActorName, &e.Action, &e.Entity, &e.EntityID, &e.UnitPath,
			&before, &after, &e.RequestID, &e.IP); err != nil {
			return nil, err
		}
		e.At = at.UTC()
		if actor.Valid {
			id := actor.Int64
			e.ActorID = &id
		}
		if before != "" {
			e.Before = []byte(before)
		}
		if after != "" {
			e.After = []byte(after)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
