package auth

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"kexie/internal/audit"
	"kexie/internal/fault"
)

const tokenPrefix = "kx_"

// Token is an API token's public description; its secret is shown once.
type Token struct {
	ID        int64      `json:"id"`
	User      string     `json:"user"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	Revoked   bool       `json:"revoked"`
}

// CreateToken makes an API token for a user by manages (nil: the user
// itself or the system) and returns its secret.
func (s *Service) CreateToken(ctx context.Context, by *Principal, userName, label string) (Token, string, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		label = "api"
	}
	if utf8.RuneCountInString(label) > 100 {
		return Token{}, "", fault.InvalidField("name", "error.too_long", "max", 100)
	}
	u, err := s.managed(ctx, by, userName)
	if err != nil {
		return Token{}, "", err
	}
	secret := tokenPrefix + randomToken(30)
	var tok Token
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		t := s.now()
		var id int64
		if err := s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO api_tokens(user_id, name, hash, prefix, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, u.ID, label, hashSecret(secret), secret[:10], t).Scan(&id); err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		tok = Token{ID: id, User: u.Name, Name: label, Prefix: secret[:10], CreatedAt: t}
		return s.audit.Record(ctx, audit.Change{Action: "token_create", Entity: "user", EntityID: u.Name, After: tok})
	})
	return tok, secret, err
}

// Tokens lists a visible user's tokens.
func (s *Service) Tokens(ctx context.Context, by *Principal, userName string) ([]Token, error) {
	u, err := s.UserByName(ctx, by, userName)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, name, prefix, created_at, last_used, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id`, u.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t := Token{User: u.Name}
		var last, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.Prefix, &t.CreatedAt, &last, &revoked); err != nil {
			return nil, err
		}
		t.CreatedAt = t.CreatedAt.UTC()
		if last.Valid {
			lu := last.Time.UTC()
			t.LastUsed = &lu
		}
		t.Revoked = revoked.Valid
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of the tokens of a user by manages.
func (s *Service) RevokeToken(ctx context.Context, by *Principal, userName string, id int64) error {
	u, err := s.managed(ctx, by, userName)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		res, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL`, s.now(), id, u.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFound("token", id)
		}
		return s.audit.Record(ctx, audit.Change{Action: "token_revoke", Entity: "user", EntityID: u.Name, After: map[string]any{"token": id}})
	})
}

// FromToken returns the principal of a bearer token.
func (s *Service) FromToken(ctx context.Context, secret string) (*Principal, error) {
	if !IsToken(secret) {
		return nil, fault.ErrUnauthenticated
	}
	key, writes, t := hashSecret(secret), s.db.Writes(), s.now()
	if p := s.callers.get(key, writes, t); p != nil {
		return p, nil
	}
	var id int64
	var last sql.NullTime
	p, err := s.queryCaller(ctx, tokenCaller, []any{key}, &id, &last)
	if err != nil {
		return nil, err
	}
	// last_used is kept to the minute, so busy clients do not write on every call.
	if !last.Valid || t.Sub(last.Time) > time.Minute {
		_ = s.db.WithTx(ctx, func(ctx context.Context) error {
			_, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE api_tokens SET last_used = $1 WHERE id = $2`, t, id)
			return err
		})
		return p, nil // that write would drop the entry at once
	}
	s.callers.put(key, p, writes, t)
	return p, nil
}

var tokenCaller = callerQuery("t.id, t.last_used", "api_tokens t", "t", "t.hash = $1 AND t.revoked_at IS NULL")
