package campaign

import (
	"context"
	"time"

	"kexie/internal/audit"
	"kexie/internal/metric"
	"kexie/internal/plan"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Service creates, reads and moves campaigns.
type Service struct {
	db      *store.DB
	units   *unit.Service
	metrics *metric.Service
	audit   *audit.Log
	// Now is the clock of the lights (tests set it).
	Now func() time.Time
	// Rules are the lights of rectification items: the plans' rules, so
	// an item and a task behind time by as much show the same light.
	Rules plan.Rules
	// Notifier leaves reminders in inboxes and mails them: the plans'
	// one, so both remind the same way, to the same addresses.
	*plan.Notifier
}

// NewService returns the campaign service.
func NewService(db *store.DB, log *audit.Log, units *unit.Service, metrics *metric.Service) *Service {
	return &Service{db: db, units: units, metrics: metrics, audit: log,
		Now:      func() time.Time { return time.Now().UTC() },
		Rules:    plan.Rules{YellowMargin: 0.1, RedMargin: 0.25, NearDays: 14},
		Notifier: plan.NewNotifier(db)}
}

func actorName(ctx context.Context) string {
	if n := audit.ActorFrom(ctx).Name; n != "" {
		return n
	}
	return "system"
}

// System is the caller of the command line and the demo loader.
func System() Caller {
	return Caller{Read: unit.Everything(), Report: unit.Everything(), Supervise: unit.Everything()}
}
