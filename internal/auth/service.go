package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"kexie/internal/audit"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Service manages users, grants, sessions and tokens.
type Service struct {
	db    *store.DB
	audit *audit.Log
	units *unit.Service
	// SessionTTL is how long a login lasts.
	SessionTTL time.Duration
	// MaxFailures is how many wrong passwords in a row lock an account.
	MaxFailures int
	// LockFor is how long a locked account stays locked.
	LockFor time.Duration
	// MaxIPFailures is how many failed logins one address may make in
	// IPWindow before it must wait.
	MaxIPFailures int
	IPWindow      time.Duration
	now           func() time.Time
	callers       callerCache // principals of API tokens, see CallerTTL
}

// NewService returns the auth service with the default policy.
func NewService(db *store.DB, log *audit.Log, units *unit.Service) *Service {
	return &Service{db: db, audit: log, units: units,
		SessionTTL: 12 * time.Hour, MaxFailures: 5, LockFor: 15 * time.Minute,
		MaxIPFailures: 30, IPWindow: 10 * time.Minute,
		now: func() time.Time { return time.Now().UTC() }}
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
