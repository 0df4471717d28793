package plan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/mail"
)

// Contact is where a unit's office receives reminders by e-mail.
type Contact struct {
	Unit  string `json:"unit"`
	Email string `json:"email"`
}

// SetContact sets (or, with "", removes) the e-mail address of a unit
// for reminders; the unit's own data-entry users set it.
func (s *Service) SetContact(ctx context.Context, c Caller, code, email string) (Contact, error) {
	u, err := s.units.Get(ctx, c.Read, strings.TrimSpace(code))
	if err != nil {
		return Contact{}, err
	}
	if !c.Report.Contains(u.Path) {
		return Contact{}, fmt.Errorf("contact of %s: %w", code, fault.ErrForbidden)
	}
	email = strings.TrimSpace(email)
	if email != "" && (!mail.ValidAddress(email) || len(email) > 254) {
		return Contact{}, fault.InvalidField("email", "plan.contact.email", "value", email)
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		if _, err := q.ExecContext(ctx, `DELETE FROM plan_contacts WHERE unit_id = $1`, u.ID); err != nil {
			return err
		}
		if email != "" {
			if _, err := q.ExecContext(ctx, `INSERT INTO plan_contacts(unit_id, email, updated_at) VALUES ($1, $2, $3)`, u.ID, email, s.Now()); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Change{Action: "contact", Entity: "unit", EntityID: strconv.FormatInt(u.ID, 10), UnitPath: u.Path,
			After: map[string]any{"reminder_email": email}})
	})
	return Contact{Unit: u.Code, Email: email}, err
}

// ContactOf returns a unit's address for reminders ("" when it has none).
func (s *Service) ContactOf(ctx context.Context, c Caller, code string) (Contact, error) {
	u, err := s.units.Get(ctx, c.Read, strings.TrimSpace(code))
	if err != nil {
		return Contact{}, err
	}
	email, err := s.contactOf(ctx, u.ID)
	return Contact{Unit: u.Code, Email: email}, err
}

func (m *Notifier) contactOf(ctx context.Context, unitID int64) (string, error) {
	var email string
	err := m.db.Q(ctx).QueryRowContext(ctx, `SELECT email FROM plan_contacts WHERE unit_id = $1`, unitID).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return email, err
}
