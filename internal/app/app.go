// Package app assembles kexie: it opens the database, runs the
// migrations, and builds the services every entry point shares.
package app

import (
	"context"
	"fmt"
	"os"

	"kexie/internal/audit"
	"kexie/internal/auth"
	"kexie/internal/campaign"
	"kexie/internal/dashboard"
	"kexie/internal/dataset"
	"kexie/internal/mail"
	"kexie/internal/metric"
	"kexie/internal/plan"
	"kexie/internal/register"
	"kexie/internal/report"
	"kexie/internal/scheme"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Config is built once at start from flags and the environment.
type Config struct {
	DataDir string // holds the SQLite file and uploaded files
	DSN     string // "" for SQLite in DataDir, or postgres://…
	Addr    string // where `serve` listens
	// Mail is the SMTP server reminders are mailed through ("" Addr: none).
	Mail mail.Config
	// BaseURL is the public address of the server, for links in mail.
	BaseURL string
}

// App holds the open database and the services.
type App struct {
	Config  Config
	DB      *store.DB
	Version int64
	Audit   *audit.Log
	Units   *unit.Service
	Auth    *auth.Service
	// Files keeps attachments under the data directory.
	Files     *register.Files
	Registers *register.Service
	Metrics   *metric.Service
	// Datasets are the forms of entered metrics and their approval.
	Datasets *dataset.Service
	// Dashboards are the users' saved dashboards of figures.
	Dashboards *dashboard.Service
	// Plans are work plans: tasks, targets read live, allotments, lights.
	Plans *plan.Service
	// Schemes are evaluation schemes, their versions, runs, self-scores
	// and objections.
	Schemes *scheme.Service
	// Campaigns are supervision campaigns (督查) and rectification (整改).
	Campaigns *campaign.Service
	// Reports are report templates, their versions, and snapshots.
	Reports *report.Service
}

// Open opens the database named by cfg, migrates it and builds the services.
func Open(ctx context.Context, cfg Config) (*App, error) {
	db, err := store.Open(ctx, cfg.DSN, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a, err := NewWithData(ctx, db, cfg.DataDir)
	if err != nil {
		db.Close()
		return nil, err
	}
	a.Config = cfg
	if a.Plans.Mail, err = mail.New(cfg.Mail); err != nil {
		db.Close()
		return nil, err
	}
	a.Plans.BaseURL = cfg.BaseURL
	return a, nil
}

// New builds the services over an open database, migrating it first;
// attachments go to a temporary directory (tests).
func New(ctx context.Context, db *store.DB) (*App, error) {
	dir, err := os.MkdirTemp("", "kexie-files-")
	if err != nil {
		return nil, err
	}
	return NewWithData(ctx, db, dir)
}

// NewWithData builds the services with attachments under dataDir.
func NewWithData(ctx context.Context, db *store.DB, dataDir string) (*App, error) {
	v, err := db.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	a := &App{DB: db, Version: v, Audit: audit.New(db)}
	a.Units = unit.NewService(db, a.Audit)
	a.Auth = auth.NewService(db, a.Audit, a.Units)
	if err := a.Units.EnsureBuiltinTypes(ctx); err != nil {
		return nil, fmt.Errorf("unit types: %w", err)
	}
	a.Files = register.NewFiles(db, dataDir)
	a.Registers = register.NewService(db, a.Audit, a.Units, a.Files)
	if err := a.Registers.EnsureBuiltin(ctx); err != nil {
		return nil, err
	}
	a.Metrics = metric.NewService(db, a.Audit, a.Units, a.Registers)
	a.Datasets = dataset.NewService(db, a.Audit, a.Units, a.Metrics)
	if err := a.Metrics.EnsureBuiltin(ctx); err != nil {
		return nil, fmt.Errorf("built-in metrics: %w", err)
	}
	if err := a.Metrics.ResumeBuilds(ctx); err != nil {
		return nil, fmt.Errorf("metric builds: %w", err)
	}
	a.Dashboards = dashboard.NewService(db, a.Audit, a.Units, a.Metrics)
	// plans
	a.Plans = plan.NewService(db, a.Audit, a.Units, a.Metrics)
	// reports
	a.Reports = report.NewService(db, a.Audit, a.Metrics, a.Units, a.Plans)
	if err := a.Reports.EnsureBuiltin(ctx); err != nil {
		return nil, fmt.Errorf("built-in report templates: %w", err)
	}
	// schemes
	a.Schemes = scheme.NewService(db, a.Audit, a.Units, a.Metrics)
	// campaigns
	a.Campaigns = campaign.NewService(db, a.Audit, a.Units, a.Metrics)
	a.Campaigns.Notifier = a.Plans.Notifier // one mailer, one address book
	return a, nil
}

// Close stops the background work and closes the database.
func (a *App) Close() error {
	a.Metrics.StopBuilds()
	return a.DB.Close()
}
