package plan

import (
	"context"
	"log/slog"
	"time"

	"kexie/internal/audit"
	"kexie/internal/mail"
	"kexie/internal/metric"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Service creates, reads and moves plans and their tasks.
type Service struct {
	db      *store.DB
	units   *unit.Service
	metrics *metric.Service
	audit   *audit.Log
	// Now is the clock of the lights (tests set it).
	Now func() time.Time
	// Mail sends reminders by e-mail too, when set (SMTP configured).
	Mail *mail.Sender
	// BaseURL is the server's public address, for links in mail.
	BaseURL string
	// Log receives what goes wrong outside a request (mail not sent).
	Log *slog.Logger
}

// NewService returns the plan service.
func NewService(db *store.DB, log *audit.Log, units *unit.Service, metrics *metric.Service) *Service {
	return &Service{db: db, units: units, metrics: metrics, audit: log, Now: func() time.Time { return time.Now().UTC() }}
}

func actorName(ctx context.Context) string {
	if n := audit.ActorFrom(ctx).Name; n != "" {
		return n
	}
	return "system"
}
