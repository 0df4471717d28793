package plan

import (
	"context"
	"time"

	"kexie/internal/audit"
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
	Now    func() time.Time
	shapes shapes // the allotments of the plans read lately
	// Notifier leaves reminders in inboxes and mails them (its Mail,
	// BaseURL and Log are set at start); campaigns share it.
	*Notifier
}

// NewService returns the plan service.
func NewService(db *store.DB, log *audit.Log, units *unit.Service, metrics *metric.Service) *Service {
	return &Service{db: db, units: units, metrics: metrics, audit: log, Now: func() time.Time { return time.Now().UTC() }, Notifier: NewNotifier(db)}
}

func actorName(ctx context.Context) string {
	if n := audit.ActorFrom(ctx).Name; n != "" {
		return n
	}
	return "system"
}
