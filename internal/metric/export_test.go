package metric

import "context"

// EnsureBuiltinDefs is EnsureBuiltin with defs as the shipped definitions.
func (s *Service) EnsureBuiltinDefs(ctx context.Context, defs []Def) error {
	return s.ensureBuiltin(ctx, defs)
}
