package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// User is an account.
type User struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	DisplayName string    `json:"display_name"`
	Locale      string    `json:"locale,omitempty"`
	Disabled    bool      `json:"disabled"`
	Locked      bool      `json:"locked"`
	Grants      []Grant   `json:"grants"`
	CreatedAt   time.Time `json:"created_at"`
}

// NewUser is a request to create a user.
type NewUser struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
	Role        Role   `json:"role"`
	Unit        string `json:"unit"`
}

// UserUpdate is a partial update of a user.
type UserUpdate struct {
	DisplayName *string `json:"display_name"`
	Disabled    *bool   `json:"disabled"`
	Locale      *string `json:"locale"`
}

// NewGrant is a request to grant a role at a unit.
type NewGrant struct {
	Role Role   `json:"role"`
	Unit string `json:"unit"`
}

func validUserName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 64 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || strings.ContainsRune(`/\"'<>&`, r) {
			return false
		}
	}
	return true
}

// userCond limits users to those holding a grant inside scope.
func userCond(scope unit.Scope, col string, args *store.Args) string {
	if scope.IsEverything() {
		return "1=1"
	}
	return "EXISTS (SELECT 1 FROM role_grants rg WHERE rg.user_id = " + col + " AND " + scope.IDCond("rg.unit_id", args) + ")"
}

// checkGrant resolves the unit of a grant inside the granter's scope; only
// an admin may grant admin.
func (s *Service) checkGrant(ctx context.Context, by unit.Scope, byAdmin bool, g NewGrant, field string) (unit.Unit, error) {
	c := &fault.Check{}
	if !g.Role.Valid() {
		c.Add(field+"role", "auth.role.unknown", "value", string(g.Role))
	} else if g.Role == RoleAdmin && !byAdmin {
		c.Add(field+"role", "auth.role.not_grantable")
	}
	if strings.TrimSpace(g.Unit) == "" {
		c.Add(field+"unit", "error.required")
	}
	if err := c.Err(); err != nil {
		return unit.Unit{}, err
	}
	u, err := s.units.Get(ctx, by, strings.TrimSpace(g.Unit))
	if errors.Is(err, fault.ErrNotFound) {
		return unit.Unit{}, fault.InvalidField(field+"unit", "auth.grant.out_of_scope", "code", g.Unit)
	}
	return u, err
}

// CreateUser creates a user with a first role. by is the granting
// principal (nil for the command line, which may grant anything).
func (s *Service) CreateUser(ctx context.Context, by *Principal, in NewUser) (User, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	c := &fault.Check{}
	if !validUserName(in.Name) {
		c.Add("name", "auth.user.name_invalid")
	}
	if utf8.RuneCountInString(in.DisplayName) > 100 {
		c.Add("display_name", "error.too_long", "max", 100)
	}
	if err := checkNewPassword("password", in.Password); err != nil {
		c.Add("password", fault.FieldsOf(err)[0].Key, "min", MinPasswordLen)
	}
	if err := c.Err(); err != nil {
		return User{}, err
	}
	scope, isAdmin := s.grantScope(by)
	u, err := s.checkGrant(ctx, scope, isAdmin, NewGrant{Role: in.Role, Unit: in.Unit}, "")
	if err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	var created User
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		t := s.now()
		var id int64
		err := s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO users(name, display_name, password_hash, password_set, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4, $4) RETURNING id`, in.Name, in.DisplayName, hash, t).Scan(&id)
		if s.db.Dialect.IsUniqueViolation(err) {
			return fault.ConflictField("name", "auth.user.name_taken", "name", in.Name)
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		if err := s.insertGrant(ctx, by, id, in.Role, u); err != nil {
			return err
		}
		created, err = s.getUser(ctx, unit.Everything(), id)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "create", Entity: "user", EntityID: in.Name, UnitPath: u.Path, After: created})
	})
	return created, err
}

// grantScope is where by may grant roles; nil means the system.
func (s *Service) grantScope(by *Principal) (unit.Scope, bool) {
	if by == nil {
		return unit.Everything(), true
	}
	sc := by.Scope(PermUserAdmin)
	admin := false
	for _, g := range by.Grants {
		if g.Role == RoleAdmin {
			admin = true
		}
	}
	return sc, admin
}

func (s *Service) insertGrant(ctx context.Context, by *Principal, userID int64, r Role, u unit.Unit) error {
	var byID any
	if by != nil {
		byID = by.UserID
	}
	_, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO role_grants(user_id, role, unit_id, granted_by, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, role, unit_id) DO NOTHING`, userID, string(r), u.ID, byID, s.now())
	if err != nil {
		return fmt.Errorf("insert grant: %w", err)
	}
	return nil
}

// Grant adds a role at a unit to a user the granter manages.
func (s *Service) Grant(ctx context.Context, by *Principal, name string, g NewGrant) (User, error) {
	scope, isAdmin := s.grantScope(by)
	target, err := s.managed(ctx, by, name)
	if err != nil {
		return User{}, err
	}
	u, err := s.checkGrant(ctx, scope, isAdmin, g, "")
	if err != nil {
		return User{}, err
	}
	var out User
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.insertGrant(ctx, by, target.ID, g.Role, u); err != nil {
			return err
		}
		out, err = s.getUser(ctx, unit.Everything(), target.ID)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "grant", Entity: "user", EntityID: target.Name, UnitPath: u.Path,
			Before: target.Grants, After: out.Grants})
	})
	return out, err
}

// Revoke removes one grant of a user; the grant's unit must lie in the
// revoker's scope.
func (s *Service) Revoke(ctx context.Context, by *Principal, name string, grantID int64) (User, error) {
	scope, isAdmin := s.grantScope(by)
	target, err := s.UserByName(ctx, by, name)
	if err != nil {
		return User{}, err
	}
	var g *Grant
	for i := range target.Grants {
		if target.Grants[i].ID == grantID {
			g = &target.Grants[i]
		}
	}
	if g == nil || !scope.Contains(g.UnitPath) {
		return User{}, fault.NotFound("grant", grantID)
	}
	if g.Role == RoleAdmin && !isAdmin {
		return User{}, fmt.Errorf("revoke admin: %w", fault.ErrForbidden)
	}
	var out User
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM role_grants WHERE id = $1 AND user_id = $2`, grantID, target.ID); err != nil {
			return err
		}
		out, err = s.getUser(ctx, unit.Everything(), target.ID)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "revoke", Entity: "user", EntityID: target.Name, UnitPath: g.UnitPath,
			Before: target.Grants, After: out.Grants})
	})
	return out, err
}

// UserByName returns a user visible to by (holding a grant in by's
// user-admin scope; every user for the system).
func (s *Service) UserByName(ctx context.Context, by *Principal, name string) (User, error) {
	scope, _ := s.grantScope(by)
	var args store.Args
	var id int64
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id FROM users WHERE name = `+args.Add(name)+` AND `+userCond(scope, "users.id", &args), args.Values()...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fault.NotFound("user", name)
	}
	if err != nil {
		return User{}, err
	}
	return s.getUser(ctx, unit.Everything(), id)
}

func (s *Service) getUser(ctx context.Context, scope unit.Scope, id int64) (User, error) {
	var u User
	var locked sql.NullTime
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id, name, display_name, locale, disabled, locked_until, created_at FROM users WHERE id = $1`, id).
		Scan(&u.ID, &u.Name, &u.DisplayName, &u.Locale, &u.Disabled, &locked, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fault.NotFound("user", id)
	}
	if err != nil {
		return User{}, err
	}
	u.Locked = locked.Valid && locked.Time.After(s.now())
	u.CreatedAt = u.CreatedAt.UTC()
	u.Grants, err = s.grantsOf(ctx, id)
	return u, err
}

func (s *Service) grantsOf(ctx context.Context, userID int64) ([]Grant, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, role, unit_id FROM role_grants WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Grant
	var ids []int64
	for rows.Next() {
		var g Grant
		var uid int64
		if err := rows.Scan(&g.ID, &g.Role, &uid); err != nil {
			return nil, err
		}
		out = append(out, g)
		ids = append(ids, uid)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	paths, err := s.units.PathsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].UnitPath = paths[ids[i]]
		codes := unit.Ancestors(out[i].UnitPath)
		if len(codes) > 0 {
			out[i].Unit = codes[len(codes)-1]
		}
	}
	if out == nil {
		out = []Grant{}
	}
	return out, nil
}

// UserFilter selects users.
type UserFilter struct {
	Q       string
	Page    int
	PerPage int
}

// UserPage is one page of users.
type UserPage struct {
	Items   []User `json:"items"`
	Total   int    `json:"total"`
	Page    int    `json:"page"`
	PerPage int    `json:"per_page"`
}

// ListUsers returns the users visible to by.
func (s *Service) ListUsers(ctx context.Context, by *Principal, f UserFilter) (UserPage, error) {
	if f.PerPage <= 0 || f.PerPage > unit.MaxPerPage {
		f.PerPage = 50
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	scope, _ := s.grantScope(by)
	var args store.Args
	where := userCond(scope, "users.id", &args)
	if q := strings.TrimSpace(f.Q); q != "" {
		pat := args.Add("%" + strings.ToLower(store.EscapeLike(q)) + "%")
		where += " AND (LOWER(name) LIKE " + pat + ` ESCAPE '\' OR LOWER(display_name) LIKE ` + pat + ` ESCAPE '\')`
	}
	page := UserPage{Page: f.Page, PerPage: f.PerPage, Items: []User{}}
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE `+where, args.Values()...).Scan(&page.Total); err != nil {
		return UserPage{}, err
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id FROM users WHERE `+where+` ORDER BY name LIMIT `+args.Add(f.PerPage)+` OFFSET `+args.Add((f.Page-1)*f.PerPage), args.Values()...)
	if err != nil {
		return UserPage{}, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return UserPage{}, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		u, err := s.getUser(ctx, unit.Everything(), id)
		if err != nil {
			return UserPage{}, err
		}
		page.Items = append(page.Items, u)
	}
	return page, nil
}

// UpdateUser changes the display name, locale or disabled flag of a user
// by manages.
func (s *Service) UpdateUser(ctx context.Context, by *Principal, name string, in UserUpdate) (User, error) {
	target, err := s.managed(ctx, by, name)
	if err != nil {
		return User{}, err
	}
	c := &fault.Check{}
	if in.DisplayName != nil && utf8.RuneCountInString(*in.DisplayName) > 100 {
		c.Add("display_name", "error.too_long", "max", 100)
	}
	if in.Locale != nil && *in.Locale != "" && *in.Locale != "zh-CN" && *in.Locale != "en" {
		c.Add("locale", "error.option", "value", *in.Locale)
	}
	if in.Disabled != nil && *in.Disabled && by != nil && by.UserID == target.ID {
		c.Add("disabled", "auth.user.disable_self")
	}
	if err := c.Err(); err != nil {
		return User{}, err
	}
	after := target
	if in.DisplayName != nil {
		after.DisplayName = strings.TrimSpace(*in.DisplayName)
	}
	if in.Locale != nil {
		after.Locale = *in.Locale
	}
	if in.Disabled != nil {
		after.Disabled = *in.Disabled
	}
	var out User
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE users SET display_name = $1, locale = $2, disabled = $3, updated_at = $4 WHERE id = $5`,
			after.DisplayName, after.Locale, after.Disabled, s.now(), target.ID); err != nil {
			return err
		}
		if after.Disabled {
			if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, target.ID); err != nil {
				return err
			}
		}
		out, err = s.getUser(ctx, unit.Everything(), target.ID)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "update", Entity: "user", EntityID: target.Name, Before: target, After: out})
	})
	return out, err
}

// ResetPassword sets a new password for a user by manages (an administrator's
// reset), unlocks the account and ends its sessions. An empty password
// means generate one; the password set is returned.
func (s *Service) ResetPassword(ctx context.Context, by *Principal, name, pw string) (string, error) {
	target, err := s.managed(ctx, by, name)
	if err != nil {
		return "", err
	}
	if pw == "" {
		pw = GeneratePassword()
	}
	if err := checkNewPassword("password", pw); err != nil {
		return "", err
	}
	if err := s.setPassword(ctx, target, pw, "reset_password"); err != nil {
		return "", err
	}
	return pw, nil
}

// ChangePassword changes the caller's own password after checking the old one.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, oldPW, newPW string) error {
	var hash string
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, p.UserID).Scan(&hash); err != nil {
		return err
	}
	ok, err := CheckPassword(hash, oldPW)
	if err != nil {
		return err
	}
	if !ok {
		return fault.InvalidField("old_password", "auth.password.wrong")
	}
	if err := checkNewPassword("new_password", newPW); err != nil {
		return err
	}
	u, err := s.getUser(ctx, unit.Everything(), p.UserID)
	if err != nil {
		return err
	}
	return s.setPassword(ctx, u, newPW, "change_password", p.SessionID)
}

// setPassword stores a new hash and ends the user's sessions except keep.
func (s *Service) setPassword(ctx context.Context, u User, pw, action string, keep ...string) error {
	hash, err := HashPassword(pw)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		t := s.now()
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE users SET password_hash = $1, password_set = $2, failed_logins = 0,
			locked_until = NULL, updated_at = $2 WHERE id = $3`, hash, t, u.ID); err != nil {
			return err
		}
		keepID := ""
		if len(keep) > 0 {
			keepID = keep[0]
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, u.ID, keepID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: action, Entity: "user", EntityID: u.Name})
	})
}

// AddRole is the command line's "user add": it creates the user when
// missing (returning the password it set) or adds the role to it.
func (s *Service) AddRole(ctx context.Context, name string, r Role, unitCode, pw string) (created bool, password string, err error) {
	_, err = s.UserByName(ctx, nil, name)
	switch {
	case errors.Is(err, fault.ErrNotFound):
		if pw == "" {
			pw = GeneratePassword()
		}
		_, err = s.CreateUser(ctx, nil, NewUser{Name: name, Password: pw, Role: r, Unit: unitCode})
		return err == nil, pw, err
	case err != nil:
		return false, "", err
	}
	_, err = s.Grant(ctx, nil, name, NewGrant{Role: r, Unit: unitCode})
	if err == nil && pw != "" {
		_, err = s.ResetPassword(ctx, nil, name, pw)
	}
	return false, "", err
}
