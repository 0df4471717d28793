package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
)

// StoredTemplate is a template kept in the database with its current
// (latest) version.
type StoredTemplate struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Builtin   bool      `json:"builtin"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	Source    string    `json:"source,omitempty"`
	Versions  []Version `json:"versions,omitempty"`
}

// Version is one saved version of a template.
type Version struct {
	Number    int       `json:"number"`
	Note      string    `json:"note"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

// SaveRequest creates a template or adds a version to it.
type SaveRequest struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	Note   string `json:"note"`
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)

// systemAuthor writes the built-in templates' versions.
const systemAuthor = "system"

func (s *Service) now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func actor(ctx context.Context) string {
	if n := audit.ActorFrom(ctx).Name; n != "" {
		return n
	}
	return systemAuthor
}

// EnsureBuiltin stores each built-in template that is missing, and a new
// version of one whose file changed while nobody edited it since.
func (s *Service) EnsureBuiltin(ctx context.Context) error {
	for _, name := range BuiltinNames() {
		src, err := Builtin(name)
		if err != nil {
			return err
		}
		t, err := s.Template(ctx, name)
		switch {
		case errors.Is(err, fault.ErrNotFound):
			if _, err := s.save(ctx, name, SaveRequest{Name: builtinName(name), Source: src, Note: "built in"}, true); err != nil && !s.db.Dialect.IsUniqueViolation(err) {
				return err
			}
		case err != nil:
			return err
		case t.Builtin && t.Source != src && len(t.Versions) > 0 && t.Versions[0].Author == systemAuthor:
			if _, err := s.save(ctx, name, SaveRequest{Name: t.Name, Source: src, Note: "built in"}, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// builtinName is a built-in template's name.
func builtinName(code string) string {
	names := map[string]string{"half-year-review": "半年工作总结", "plan-progress": "工作计划进展"}
	if n, ok := names[code]; ok {
		return n
	}
	return code
}

// Templates lists the stored templates (without their source).
func (s *Service) Templates(ctx context.Context) ([]StoredTemplate, error) {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT code, name, builtin, version, updated_at FROM report_templates ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list report templates: %w", err)
	}
	defer rows.Close()
	out := []StoredTemplate{}
	for rows.Next() {
		var t StoredTemplate
		if err := rows.Scan(&t.Code, &t.Name, &t.Builtin, &t.Version, &t.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Template returns a stored template with the source of its current
// version and its versions, newest first.
func (s *Service) Template(ctx context.Context, code string) (StoredTemplate, error) {
	return s.TemplateVersion(ctx, code, 0)
}

// TemplateVersion is Template with the source of version n (0: the
// current one).
func (s *Service) TemplateVersion(ctx context.Context, code string, n int) (StoredTemplate, error) {
	q := s.db.Q(ctx)
	var t StoredTemplate
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id, code, name, builtin, version, updated_at FROM report_templates WHERE code = $1`, code).
		Scan(&id, &t.Code, &t.Name, &t.Builtin, &t.Version, &t.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fault.NotFound("report.template", code)
	}
	if err != nil {
		return t, err
	}
	if n == 0 {
		n = t.Version
	}
	err = q.QueryRowContext(ctx, `SELECT source FROM report_template_versions WHERE template_id = $1 AND number = $2`, id, n).Scan(&t.Source)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fault.NotFound("report.template.version", fmt.Sprint(code, " ", n))
	}
	if err != nil {
		return t, err
	}
	rows, err := q.QueryContext(ctx, `SELECT number, note, author, created_at FROM report_template_versions WHERE template_id = $1 ORDER BY number DESC`, id)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var v Version
		if err := rows.Scan(&v.Number, &v.Note, &v.Author, &v.CreatedAt); err != nil {
			return t, err
		}
		t.Versions = append(t.Versions, v)
	}
	return t, rows.Err()
}

// Save checks the source (errors name the line and column, and the
// closest metrics to an unknown one) and stores it as the template's next
// version, creating the template if it is new; audited. A source equal
// to the current version's stores nothing.
func (s *Service) Save(ctx context.Context, code string, in SaveRequest) (StoredTemplate, error) {
	return s.save(ctx, code, in, false)
}

func (s *Service) save(ctx context.Context, code string, in SaveRequest, builtin bool) (StoredTemplate, error) {
	if !codePattern.MatchString(code) {
		return StoredTemplate{}, fault.InvalidField("code", "report.template.code")
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 200 {
		return StoredTemplate{}, fault.InvalidField("name", "report.template.name")
	}
	if len(in.Note) > 1000 {
		return StoredTemplate{}, fault.InvalidField("note", "report.template.note")
	}
	if _, err := s.Compile(ctx, in.Source); err != nil {
		return StoredTemplate{}, err
	}
	author := actor(ctx)
	if builtin {
		author = systemAuthor
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		now := s.now()
		var id int64
		var version int
		var old string
		err := q.QueryRowContext(ctx, `SELECT t.id, t.version, v.source FROM report_templates t
			JOIN report_template_versions v ON v.template_id = t.id AND v.number = t.version WHERE t.code = $1`, code).Scan(&id, &version, &old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := q.QueryRowContext(ctx, `INSERT INTO report_templates(code, name, builtin, version, updated_at) VALUES ($1, $2, $3, 0, $4) RETURNING id`,
				code, in.Name, builtin, now).Scan(&id); err != nil {
				return fmt.Errorf("create report template: %w", err)
			}
		case err != nil:
			return err
		case old == in.Source:
			_, err := q.ExecContext(ctx, `UPDATE report_templates SET name = $1 WHERE id = $2`, in.Name, id)
			return err
		}
		version++
		if _, err := q.ExecContext(ctx, `INSERT INTO report_template_versions(template_id, number, source, note, author, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, version, in.Source, in.Note, author, now); err != nil {
			return fmt.Errorf("save report template version: %w", err)
		}
		if _, err := q.ExecContext(ctx, `UPDATE report_templates SET name = $1, version = $2, updated_at = $3 WHERE id = $4`, in.Name, version, now, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "save", Entity: "report_template", EntityID: code,
			After: map[string]any{"name": in.Name, "version": version, "note": in.Note}})
	})
	if err != nil {
		return StoredTemplate{}, err
	}
	return s.Template(ctx, code)
}

// DeleteTemplate removes a template and its versions; a built-in one is
// refused (it would come back at the next start). Snapshots keep their
// documents.
func (s *Service) DeleteTemplate(ctx context.Context, code string) error {
	t, err := s.Template(ctx, code)
	if err != nil {
		return err
	}
	if t.Builtin {
		return fault.InvalidField("code", "report.template.builtin")
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		if _, err := q.ExecContext(ctx, `DELETE FROM report_template_versions WHERE template_id = (SELECT id FROM report_templates WHERE code = $1)`, code); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM report_templates WHERE code = $1`, code); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Action: "delete", Entity: "report_template", EntityID: code, Before: map[string]any{"name": t.Name, "version": t.Version}})
	})
}
