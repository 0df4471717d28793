package auth

import (
	"context"
	"fmt"

	"kexie/internal/fault"
)

// managed returns a user that by may change as a whole (its profile,
// password, roles and tokens): visible to by, with every grant inside by's
// user-admin scope, and no administrator role unless by is one. Seeing a
// user through one grant is not enough: a city administrator who could
// reset the password of, or mint a token for, a user who also holds roles
// elsewhere would act with those roles. A user visible but not managed
// answers ErrForbidden; by nil (the system) manages everyone.
func (s *Service) managed(ctx context.Context, by *Principal, name string) (User, error) {
	u, err := s.UserByName(ctx, by, name)
	if err != nil || by == nil {
		return u, err
	}
	scope, isAdmin := s.grantScope(by)
	for _, g := range u.Grants {
		if !scope.Contains(g.UnitPath) || (g.Role == RoleAdmin && !isAdmin) {
			return User{}, fmt.Errorf("user %s holds roles beyond %s: %w", name, by.Name, fault.ErrForbidden)
		}
	}
	return u, nil
}
