package register

import (
	"context"
	"errors"
	"fmt"

	"kexie/internal/fault"
)

// checkCycles refuses a schema whose record references, through the
// stored registers, lead back to itself: such registers could not be
// defined again from scratch (each would need the others first), as a
// restore or a fresh install does. A register referring to itself is
// fine.
func (s *Service) checkCycles(ctx context.Context, sc *Schema) error {
	c := &fault.Check{}
	for i, f := range sc.Fields {
		target, ok := refTarget(f)
		if !ok || target == sc.Code {
			continue
		}
		seen := map[string]bool{}
		found, err := s.reaches(ctx, target, sc.Code, seen)
		if err != nil {
			return err
		}
		if found {
			c.Add(fmt.Sprintf("fields[%d].register", i), "register.field.register_cycle", "code", target)
		}
	}
	return c.Err()
}

// reaches says whether the stored register from refers, directly or
// through others, to the register to.
func (s *Service) reaches(ctx context.Context, from, to string, seen map[string]bool) (bool, error) {
	if seen[from] {
		return false, nil
	}
	seen[from] = true
	reg, err := s.Get(ctx, from)
	if errors.Is(err, fault.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, f := range reg.Schema.Fields {
		target, ok := refTarget(f)
		if !ok || target == from {
			continue
		}
		if target == to {
			return true, nil
		}
		if found, err := s.reaches(ctx, target, to, seen); found || err != nil {
			return found, err
		}
	}
	return false, nil
}

// refTarget is the register a record or person field refers to.
func refTarget(f Field) (string, bool) {
	switch f.Type {
	case TypeRecord:
		return f.Register, f.Register != ""
	case TypePerson:
		return PeopleRegister, true
	}
	return "", false
}
