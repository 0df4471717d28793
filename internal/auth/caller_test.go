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

// The caller of a token is cached, yet every change made through this
// server shows in the very next request.
func TestTokenCallerSeesEveryLocalWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := setup(t, db)
		if _, err := a.Auth.CreateUser(ctx, nil, auth.NewUser{Name: "robot", Password: "password-1", Role: auth.RoleViewer, Unit: "A1"}); err != nil {
			t.Fatal(err)
		}
		tok, secret, err := a.Auth.CreateToken(ctx, nil, "robot", "sync")
		if err != nil {
			t.Fatal(err)
		}
		caller := func() (*auth.Principal, error) {
			t.Helper()
			var p *auth.Principal
			for range 3 { // the first call writes last_used; the next ones are cached
				if p, err = a.Auth.FromToken(ctx, secret); err != nil {
					return nil, err
				}
			}
			return p, nil
		}
		p, err := caller()
		if err != nil || len(p.Grants) != 1 || p.Grants[0].UnitPath != "/R/A/A1/" {
			t.Fatalf("caller: %+v %v", p, err)
		}
		p.Grants[0].UnitPath = "/R/" // a caller's copy is its own
		if p, _ = caller(); p.Grants[0].UnitPath != "/R/A/A1/" {
			t.Fatalf("cached principal changed through a copy: %+v", p.Grants)
		}
		// a moved unit: the grant's path follows at once
		if _, err := a.Units.Move(ctx, unit.System(), "A1", unit.Move{Parent: "B"}); err != nil {
			t.Fatal(err)
		}
		if p, err = caller(); err != nil || p.Grants[0].UnitPath != "/R/B/A1/" {
			t.Fatalf("after move: %+v %v", p, err)
		}
		// a new grant
		if _, err := a.Auth.Grant(ctx, nil, "robot", auth.NewGrant{Role: auth.RoleViewer, Unit: "A"}); err != nil {
			t.Fatal(err)
		}
		if p, err = caller(); err != nil || len(p.Grants) != 2 {
			t.Fatalf("after grant: %+v %v", p, err)
		}
		// a revoked token
		if err := a.Auth.RevokeToken(ctx, nil, "robot", tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Auth.FromToken(ctx, secret); !errors.Is(err, fault.ErrUnauthenticated) {
			t.Fatalf("revoked token still works: %v", err)
		}
	})
}

// A change made through another server reaches this one within CallerTTL.
func TestTokenCallerLagsOtherServersAtMostTTL(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for CallerTTL")
	}
	ctx := context.Background()
	db := storetest.SQLite(t)
	a := setup(t, db)
	other, err := app.Open(ctx, app.Config{DSN: db.SQLitePath()})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := a.Auth.CreateUser(ctx, nil, auth.NewUser{Name: "robot", Password: "password-1", Role: auth.RoleViewer, Unit: "A"}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := a.Auth.CreateToken(ctx, nil, "robot", "sync")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := a.Auth.FromToken(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	disabled := true
	if _, err := other.Auth.UpdateUser(ctx, nil, "robot", auth.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Auth.FromToken(ctx, secret); !errors.Is(err, fault.ErrUnauthenticated) {
		t.Fatalf("the server that disabled the user still accepts its token: %v", err)
	}
	deadline := time.Now().Add(auth.CallerTTL + time.Second)
	for {
		_, err := a.Auth.FromToken(ctx, secret)
		if errors.Is(err, fault.ErrUnauthenticated) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a disabled user's token still works here after %s: %v", auth.CallerTTL+time.Second, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
