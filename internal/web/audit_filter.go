package web

import (
	"context"

	"kexie/internal/audit"
	"kexie/internal/auth"
	"kexie/internal/unit"
)

// auditUnit narrows f to the subtree of the unit with code, which must
// lie in p's audit scope (else ErrNotFound). The API and the audit page
// share it, so both answer the same question the same way.
func (s *Server) auditUnit(ctx context.Context, p *auth.Principal, f *audit.Filter, code string) error {
	u, err := s.app.Units.Get(ctx, p.Scope(auth.PermAuditRead), code)
	if err != nil {
		return err
	}
	f.SubtreeFrom, f.SubtreeTo = unit.PathRange(u.Path)
	return nil
}

// auditActor narrows f to the entries of the user name, who must be
// visible to p (else ErrNotFound).
func (s *Server) auditActor(ctx context.Context, p *auth.Principal, f *audit.Filter, name string) error {
	u, err := s.app.Auth.UserByName(ctx, p, name)
	if err != nil {
		return err
	}
	f.ActorID = u.ID
	return nil
}
