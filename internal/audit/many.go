package audit

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// recordChunk is how many entries one statement of RecordMany writes.
const recordChunk = 200

// RecordMany appends one entry per change, attributed to the actor in
// ctx, as Record does, in statements of many rows: what a bulk write (an
// import of records) keeps, each change its own entry. Call it inside the
// transaction of the changes: it joins it.
func (l *Log) RecordMany(ctx context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
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
		now := time.Now().UTC()
		d := l.db.Dialect
		for start := 0; start < len(cs); start += recordChunk {
			chunk := cs[start:min(start+recordChunk, len(cs))]
			var b strings.Builder
			b.WriteString(`INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, unit_path, before_json, after_json, request_id, ip) VALUES `)
			args := make([]any, 0, 11*len(chunk))
			for i, c := range chunk {
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
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('(')
				for j, v := range []any{now, actorID, name, c.Action, c.Entity, c.EntityID, path, before, after, a.RequestID, a.IP} {
					if j > 0 {
						b.WriteString(", ")
					}
					args = append(args, v)
					b.WriteString(d.Param(len(args)))
				}
				b.WriteByte(')')
			}
			if _, err := l.db.Q(ctx).ExecContext(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("write audit entries: %w", err)
			}
		}
		return nil
	})
}
