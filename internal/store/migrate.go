package store

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"testing/fstest"
	"text/template"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// The migrations are numbered SQL files; each is a text/template whose
// column types come from the Dialect, so one file serves both databases.
// A migration, once released, is never edited: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// renderMigrations expands the migration templates for d.
func renderMigrations(d Dialect) (fs.FS, error) {
	out := fstest.MapFS{}
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		src, err := fs.ReadFile(migrationFiles, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		t, err := template.New(e.Name()).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		out[e.Name()] = &fstest.MapFile{Data: b.Bytes(), Mode: 0o444}
	}
	return out, nil
}

// Migrate applies every pending migration and returns the version reached.
// On PostgreSQL an advisory lock lets several app servers start at once.
func (db *DB) Migrate(ctx context.Context) (int64, error) {
	fsys, err := renderMigrations(db.Dialect)
	if err != nil {
		return 0, err
	}
	gd := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.Dialect.Name == "postgres" {
		gd = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return 0, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	// Migrations are numbered as features are written, not always in the
	// order they reach a release: one numbered below the database's
	// version that has not run yet still runs.
	opts = append(opts, goose.WithAllowOutofOrder(true))
	p, err := goose.NewProvider(gd, db.write, fsys, opts...)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	return p.GetDBVersion(ctx)
}
