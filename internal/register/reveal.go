package register

import (
	"context"
	"fmt"

	"kexie/internal/audit"
	"kexie/internal/fault"
)

// Reveal returns a sensitive value in clear to a caller who may enter or
// approve the record's data, and audits that it was shown.
func (s *Service) Reveal(ctx context.Context, acc Access, code string, id int64, field string) (any, error) {
	var out any
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		reg, r, err := s.forChange(ctx, acc.Read, acc.Enter.Union(acc.Approve), code, id)
		if err != nil {
			return err
		}
		f, ok := reg.Schema.Field(field)
		if !ok {
			return fault.InvalidField("field", "register.filter.field")
		}
		if !f.Sensitive {
			return fault.InvalidField("field", "register.reveal.not_sensitive")
		}
		out = f.JSONValue(r.Values[field])
		return s.audit.Record(ctx, audit.Change{Action: "reveal", Entity: "record:" + code, EntityID: fmt.Sprint(id),
			UnitPath: r.UnitPath, After: map[string]any{"field": field}})
	})
	return out, err
}
