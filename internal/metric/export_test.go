package metric

import "context"

// EnsureBuiltinDefs is EnsureBuiltin with defs as the shipped definitions.
func (s *Service) EnsureBuiltinDefs(ctx context.Context, defs []Def) error {
	return s.ensureBuiltin(ctx, defs)
}

// AfterCheck has fn run in Define between the definition's check and the
// transaction that saves it.
func (s *Service) AfterCheck(fn func()) { s.checked = fn }
