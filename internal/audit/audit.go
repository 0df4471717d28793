// Package audit keeps the append-only log of who changed what. Entries are
// written by the domain packages in the same transaction as the change they
// describe; nothing offers to alter or delete them.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kexie/internal/store"
)

// Actor is who acts in a request: put in the context by the web layer or
// the command line, read when an entry is written.
type Actor struct {
	UserID    int64
	Name      string
	RequestID string
	IP        string
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or the zero Actor (the system).
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// Entry is one audited change.
type Entry struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	ActorID   *int64          `json:"actor_id,omitempty"`
	ActorName string          `json:"actor"`
	Action    string          `json:"action"`
	Entity    string          `json:"entity"`
	EntityID  string          `json:"entity_id"`
	UnitPath  string          `json:"-"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
	IP        string          `json:"ip,omitempty"`
}

// Change describes what to record; Before and After are marshalled to JSON
// (nil leaves them empty).
type Change struct {
	Action   string
	Entity   string
	EntityID string
	// UnitPath places the entry in the unit tree, so a unit's subtree
	// audit finds it; empty for entries that belong to no unit.
	UnitPath string
	Before   any
	After    any
}

// Log writes and reads audit entries.
type Log struct{ db *store.DB }

// New returns the audit log of db.
func New(db *store.DB) *Log { return &Log{db: db} }

// Record appends c, attributed to the actor in ctx. Call it inside the
// transaction of the change: it joins it.
func (l *Log) Record(ctx context.Context, c Change) error {
	return l.db.WithTx(ctx, func(ctx context.Context) error {
		a := ActorFrom(ctx)
		var actorID any
		if a.UserID != 0 {
			actorID = a.UserID
		}
		name := a.Name
		if name == "" {
			name = "system"
		}
		before, err := marshal(c.Before)
		if err != nil {
			return err
		}
		after, err := marshal(c.After)
		if err != nil {
			return err
		}
		var path any
		if c.UnitPath != "" {
			path = c.UnitPath
		}
		_, err = l.db.Q(ctx).ExecContext(ctx, `INSERT INTO audit_log
			(at, actor_id, actor_name, action, entity, entity_id, unit_path, before_json, after_json, request_id, ip)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			time.Now().UTC(), actorID, name, c.Action, c.Entity, c.EntityID, path, before, after, a.RequestID, a.IP)
		if err != nil {
			return fmt.Errorf("write audit entry: %w", err)
		}
		return nil
	})
}

func marshal(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: marshal: %w", err)
	}
	return string(b), nil
}
