package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"kexie/internal/app"
	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

func setup(t *testing.T, db *store.DB) *app.App {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	sys := unit.System()
	for _, c := range []unit.Create{
		{Code: "R", Type: "province", NameZH: "省"},
		{Code: "A", Parent: "R", Type: "city", NameZH: "甲市"},
		{Code: "A1", Parent: "A", Type: "county", NameZH: "甲一县"},
		{Code: "B", Parent: "R", Type: "city", NameZH: "乙市"},
	} {
		if _, err := a.Units.Create(ctx, sys, c); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func TestPasswordHash(t *testing.T) {
	h, err := auth.HashPassword("正确的密码123")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := auth.CheckPassword(h, "正确的密码123"); !ok || err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if ok, _ := auth.CheckPassword(h, "正确的密码124"); ok {
		t.Fatal("wrong password accepted")
	}
	if h2, _ := auth.HashPassword("正确的密码123"); h2 == h {
		t.Fatal("salt not random")
	}
	if _, err := auth.CheckPassword("$bcrypt$x", "x"); err == nil {
		t.Fatal("unknown format accepted")
	}
}

func TestLoginLockoutAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		if _, err := a.Auth.CreateUser(ctx, nil, auth.NewUser{Name: "zhang", Password: "password-1", Role: auth.RoleDataEntry, Unit: "A1"}); err != nil {
			t.Fatal(err)
		}
		tok, p, err := a.Auth.Login(ctx, "zhang", "password-1", "10.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		if !p.Scope(auth.PermDataEntry).Contains("/R/A/A1/") || p.Scope(auth.PermRead).Contains("/R/A/") {
			t.Fatalf("scope of a county data-entry user: %v", p.Scope(auth.PermRead).Roots())
		}
		if p2, err := a.Auth.FromSession(ctx, tok); err != nil || p2.Name != "zhang" || p2.CSRF == "" {
			t.Fatalf("session: %v", err)
		}
		if _, err := a.Auth.FromSession(ctx, tok+"x"); !errors.Is(err, fault.ErrUnauthenticated) {
			t.Fatalf("forged session: %v", err)
		}
		if _, _, err := a.Auth.Login(ctx, "nobody", "password-1", "10.0.0.1", ""); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("unknown user: %v", err)
		}
		for i := 0; i < a.Auth.MaxFailures-1; i++ {
			if _, _, err := a.Auth.Login(ctx, "zhang", "wrong", "10.0.0.2", ""); !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		if _, _, err := a.Auth.Login(ctx, "zhang", "wrong", "10.0.0.2", ""); !errors.Is(err, auth.ErrLocked) {
			t.Fatalf("lock after %d failures: %v", a.Auth.MaxFailures, err)
		}
		if _, _, err := a.Auth.Login(ctx, "zhang", "password-1", "10.0.0.3", ""); !errors.Is(err, auth.ErrLocked) {
			t.Fatalf("locked account logged in: %v", err)
		}
		// an administrator's reset unlocks and ends sessions
		if _, err := a.Auth.ResetPassword(ctx, nil, "zhang", "password-2"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Auth.FromSession(ctx, tok); !errors.Is(err, fault.ErrUnauthenticated) {
			t.Fatalf("session survived a reset: %v", err)
		}
		if _, _, err := a.Auth.Login(ctx, "zhang", "password-2", "10.0.0.3", ""); err != nil {
			t.Fatalf("login after reset: %v", err)
		}
		// too many failures from one address are refused before checking
		a.Auth.MaxIPFailures = 3
		for i := 0; i < 3; i++ {
			_, _, _ = a.Auth.Login(ctx, "ghost", "x", "10.9.9.9", "")
		}
		if _, _, err := a.Auth.Login(ctx, "zhang", "password-2", "10.9.9.9", ""); !errors.Is(err, fault.ErrTooMany) {
			t.Fatalf("rate limit: %v", err)
		}
		// expired sessions do not authenticate
		a.Auth.SessionTTL = -time.Minute
		tok, _, err = a.Auth.Login(ctx, "zhang", "password-2", "10.0.0.4", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Auth.FromSession(ctx, tok); !errors.Is(err, fault.ErrUnauthenticated) {
			t.Fatalf("expired session: %v", err)
		}
	})
}

func TestGrantsStayInScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		if _, err := a.Auth.CreateUser(ctx, nil, auth.NewUser{Name: "city-admin", Password: "password-1", Role: auth.RoleUnitAdmin, Unit: "A"}); err != nil {
			t.Fatal(err)
		}
		_, by, err := a.Auth.Login(ctx, "city-admin", "password-1", "10.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Auth.CreateUser(ctx, by, auth.NewUser{Name: "b-user", Password: "password-1", Role: auth.RoleViewer, Unit: "B"})
		if f := fault.FieldsOf(err); len(f) != 1 || f[0].Field != "unit" || f[0].Key != "auth.grant.out_of_scope" {
			t.Fatalf("grant outside scope: %v", err)
		}
		if _, err := a.Auth.UserByName(ctx, nil, "b-user"); !errors.Is(err, fault.ErrNotFound) {
			t.Fatal("refused user was written")
		}
		_, err = a.Auth.CreateUser(ctx, by, auth.NewUser{Name: "a-admin", Password: "password-1", Role: auth.RoleAdmin, Unit: "A1"})
		if f := fault.FieldsOf(err); len(f) != 1 || f[0].Key != "auth.role.not_grantable" {
			t.Fatalf("unit admin granting admin: %v", err)
		}
		if _, err := a.Auth.CreateUser(ctx, by, auth.NewUser{Name: "a1-entry", Password: "password-1", Role: auth.RoleDataEntry, Unit: "A1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Auth.CreateUser(ctx, nil, auth.NewUser{Name: "b-viewer", Password: "password-1", Role: auth.RoleViewer, Unit: "B"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Auth.UserByName(ctx, by, "b-viewer"); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("city admin sees another city's user: %v", err)
		}
		page, err := a.Auth.ListUsers(ctx, by, auth.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 2 {
			t.Fatalf("city admin lists %d users, want 2", page.Total)
		}
		created, pw, err := a.Auth.AddRole(ctx, "cli-user", auth.RoleViewer, "B", "")
		if err != nil || !created || len(pw) < auth.MinPasswordLen {
			t.Fatalf("AddRole create: %v %v %q", created, err, pw)
		}
		created, _, err = a.Auth.AddRole(ctx, "cli-user", auth.RoleApprover, "A", "")
		if err != nil || created {
			t.Fatalf("AddRole grant: %v %v", created, err)
		}
		u, _ := a.Auth.UserByName(ctx, nil, "cli-user")
		if len(u.Grants) != 2 {
			t.Fatalf("grants: %+v", u.Grants)
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		if _, err := a.Auth.CreateUser(ctx, nil, auth.NewUser{Name: "robot", Password: "password-1", Role: auth.RoleViewer, Unit: "A"}); err != nil {
			t.Fatal(err)
		}
		tok, secret, err := a.Auth.CreateToken(ctx, nil, "robot", "sync")
		if err != nil {
			t.Fatal(err)
		}
		p, err := a.Auth.FromToken(ctx, secret)
		if err != nil || p.Name != "robot" || p.SessionID != "" {
			t.Fatalf("token principal: %+v %v", p, err)
		}
		list, _ := a.Auth.Tokens(ctx, nil, "robot")
		if len(list) != 1 || list[0].LastUsed == nil || list[0].Prefix != secret[:10] {
			t.Fatalf("token list: %+v", list)
		}
		if err := a.Auth.RevokeToken(ctx, nil, "robot", tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Auth.FromToken(ctx, secret); !errors.Is(err, fault.ErrUnauthenticated) {
			t.Fatalf("revoked token works: %v", err)
		}
		if err := a.Auth.RevokeToken(ctx, nil, "robot", tok.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("revoke twice: %v", err)
		}
	})
}
