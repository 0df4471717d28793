package report

import (
	"context"
	"errors"
	"io"
	"sort"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/plan"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// Formats a report is written in.
var Formats = []string{"md", "html", "docx", "pdf", "xlsx"}

// Service checks templates and writes reports.
type Service struct {
	Metrics *metric.Service
	Units   *unit.Service
	Plans   *plan.Service
	db      *store.DB
	audit   *audit.Log
}

// NewService builds the report service: templates and snapshots kept in
// db, changes audited in log.
func NewService(db *store.DB, log *audit.Log, metrics *metric.Service, units *unit.Service, plans *plan.Service) *Service {
	return &Service{Metrics: metrics, Units: units, Plans: plans, db: db, audit: log}
}

// Compile parses and checks a template against the metrics defined now.
// A fault is a validation error on the field "template" naming the line
// and column.
func (s *Service) Compile(ctx context.Context, src string) (*Template, error) {
	ms, err := s.Metrics.List(ctx)
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(ms))
	for _, m := range ms {
		known[m.Code] = true
	}
	names := func() []string {
		out := make([]string, 0, len(known))
		for c := range known {
			out = append(out, c)
		}
		sort.Strings(out)
		return out
	}
	t, err := Parse(src, func(c string) bool { return known[c] }, names)
	if err != nil {
		return nil, AsFault(err)
	}
	return t, nil
}

// AsFault turns a template error into a validation error on the field
// "template" whose message names the line and column.
func AsFault(err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	args := append([]any{"line", e.Line, "col", e.Col, "detail", e.Detail}, e.Args...)
	return fault.InvalidField("template", e.Key, args...)
}

// Generate evaluates the template src for a unit (in scope) and period.
func (s *Service) Generate(ctx context.Context, scope unit.Scope, src, unitCode, periodID, lang string) (*Doc, error) {
	t, err := s.Compile(ctx, src)
	if err != nil {
		return nil, err
	}
	d, err := Generate(ctx, Source{Metrics: s.Metrics, Units: s.Units, Plans: s.Plans, Scope: scope}, t, unitCode, periodID, lang)
	if err != nil {
		return nil, AsFault(err)
	}
	return d, nil
}

// Write writes the document in a format.
func Write(w io.Writer, d *Doc, format string) error {
	switch format {
	case "md":
		return Markdown(w, d)
	case "html":
		return HTML(w, d)
	case "xlsx":
		return XLSX(w, d)
	case "docx":
		return DOCX(w, d)
	case "pdf":
		return PDF(w, d)
	}
	return fault.InvalidField("format", "report.error.format", "value", format)
}

// ContentType is the media type of a format.
func ContentType(format string) string {
	switch format {
	case "md":
		return "text/markdown; charset=utf-8"
	case "html":
		return "text/html; charset=utf-8"
	case "docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case "pdf":
		return "application/pdf"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}
