package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
)

// ErrLocked is returned for an account locked after repeated failures.
var ErrLocked = fmt.Errorf("account locked: %w", fault.ErrTooMany)

// ErrBadCredentials is returned for a wrong name or password.
var ErrBadCredentials = fmt.Errorf("wrong name or password: %w", fault.ErrUnauthenticated)

// Login checks a name and password and opens a session. It returns the
// session token (for the cookie) and the principal. Failures are counted
// per account (lockout) and per address (rate limit), and audited.
func (s *Service) Login(ctx context.Context, name, pw, ip, userAgent string) (string, *Principal, error) {
	t := s.now()
	var recent int
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE ip = $1 AND at > $2`,
		ip, t.Add(-s.IPWindow)).Scan(&recent); err != nil {
		return "", nil, err
	}
	if recent >= s.MaxIPFailures {
		return "", nil, fmt.Errorf("login from %s: %w", ip, fault.ErrTooMany)
	}
	var (
		id       int64
		hash     string
		disabled bool
		failed   int
		locked   sql.NullTime
	)
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id, password_hash, disabled, failed_logins, locked_until FROM users WHERE name = $1`, name).
		Scan(&id, &hash, &disabled, &failed, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		// Spend the same time as a real check, so timing does not tell
		// which names exist.
		_, _ = CheckPassword(dummyHash, pw)
		return "", nil, s.failLogin(ctx, 0, name, ip, failed)
	}
	if err != nil {
		return "", nil, err
	}
	if locked.Valid && locked.Time.After(t) {
		_ = s.failLogin(ctx, 0, name, ip, 0)
		return "", nil, ErrLocked
	}
	ok, err := CheckPassword(hash, pw)
	if err != nil {
		return "", nil, err
	}
	if !ok || disabled {
		return "", nil, s.failLogin(ctx, id, name, ip, failed)
	}
	token := randomToken(32)
	csrf := randomToken(24)
	sid := hashSecret(token)
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO sessions(id, user_id, csrf, created_at, expires_at, ip, user_agent)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, sid, id, csrf, t, t.Add(s.SessionTTL), ip, truncate(userAgent, 300)); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1`, id); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, t); err != nil {
			return err
		}
		ctx = audit.WithActor(ctx, withUser(audit.ActorFrom(ctx), id, name))
		return s.audit.Record(ctx, audit.Change{Action: "login", Entity: "user", EntityID: name})
	})
	if err != nil {
		return "", nil, err
	}
	p, err := s.principal(ctx, id, sid, csrf)
	return token, p, err
}

// dummyHash is checked against when the name is unknown. It is a
// constant (the hash of "kexie-no-such-user" with the current argon2id
// parameters, which a test holds it to) because hashing it at start cost
// 64 MiB and a tenth of a second of every cold start.
const dummyHash = "$argon2id$v=19$m=65536,t=1,p=4$ZmFfZpFlvu7jKlGZ5Ll5yA$WLmUGjnVkogcNZS1UIn1Ui8Uf0Rupf6yQCs3CrZDJmA"

func withUser(a audit.Actor, id int64, name string) audit.Actor {
	a.UserID, a.Name = id, name
	return a
}

// failLogin records a failed attempt and locks the account after
// MaxFailures in a row. It always returns the error to give the caller.
func (s *Service) failLogin(ctx context.Context, id int64, name, ip string, failed int) error {
	t := s.now()
	locked := false
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO login_failures(ip, name, at) VALUES ($1, $2, $3)`, ip, truncate(name, 64), t); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, t.Add(-24*time.Hour)); err != nil {
			return err
		}
		if id != 0 {
			var until any
			if failed+1 >= s.MaxFailures {
				until, locked = t.Add(s.LockFor), true
			}
			if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE users SET failed_logins = failed_logins + 1, locked_until = $1 WHERE id = $2`, until, id); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Change{Action: "login_failed", Entity: "user", EntityID: truncate(name, 64),
			After: map[string]any{"ip": ip, "locked": locked}})
	})
	if err != nil {
		return err
	}
	if locked {
		return ErrLocked
	}
	return ErrBadCredentials
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	if p == nil || p.SessionID == "" {
		return nil
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, p.SessionID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "logout", Entity: "user", EntityID: p.Name})
	})
}

// FromSession returns the principal of a session token, or
// ErrUnauthenticated when it is unknown, expired or its user disabled.
func (s *Service) FromSession(ctx context.Context, token string) (*Principal, error) {
	if token == "" {
		return nil, fault.ErrUnauthenticated
	}
	sid := hashSecret(token)
	var csrf string
	p, err := s.queryCaller(ctx, sessionCaller, []any{sid, s.now()}, &csrf)
	if err != nil {
		return nil, err
	}
	p.SessionID, p.CSRF = sid, csrf
	return p, nil
}

var sessionCaller = callerQuery("s.csrf", "sessions s", "s", "s.id = $1 AND s.expires_at > $2")

func (s *Service) principal(ctx context.Context, id int64, sid, csrf string) (*Principal, error) {
	p := &Principal{UserID: id, SessionID: sid, CSRF: csrf}
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT name, display_name, locale FROM users WHERE id = $1`, id).
		Scan(&p.Name, &p.DisplayName, &p.Locale); err != nil {
		return nil, err
	}
	var err error
	p.Grants, err = s.grantsOf(ctx, id)
	return p, err
}

// IsToken says whether a bearer credential looks like a kexie API token.
func IsToken(s string) bool { return strings.HasPrefix(s, tokenPrefix) }
