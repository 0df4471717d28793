package web

import (
	"errors"
	"net/http"
	"strings"

	"kexie/internal/fault"
	"kexie/internal/register"
)

type registerSummary struct {
	Code    string `json:"code"`
	NameZH  string `json:"name_zh"`
	NameEN  string `json:"name_en"`
	Version int    `json:"version"`
	Builtin bool   `json:"builtin"`
	Fields  int    `json:"fields"`
}

func (s *Server) apiListRegisters(w http.ResponseWriter, r *http.Request) error {
	regs, err := s.app.Registers.List(r.Context())
	if err != nil {
		return err
	}
	out := make([]registerSummary, 0, len(regs))
	for _, reg := range regs {
		out = append(out, registerSummary{Code: reg.Code, NameZH: reg.Schema.NameZH, NameEN: reg.Schema.NameEN,
			Version: reg.Version, Builtin: reg.Builtin, Fields: len(reg.Schema.Fields)})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

func (s *Server) apiGetRegister(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.app.Registers.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, reg)
}

type defineRequest struct {
	Schema    register.Schema    `json:"schema"`
	Migration register.Migration `json:"migration"`
}

// apiDefineRegister creates a register or gives it a new version; schemas
// are tree-wide configuration, so only an administrator at the root may.
func (s *Server) apiDefineRegister(w http.ResponseWriter, r *http.Request) error {
	var in defineRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if !isRootAdmin(principal(r)) {
		return fault.ErrForbidden
	}
	if in.Schema.Code != r.PathValue("code") {
		return fault.InvalidField("schema.code", "register.code.path")
	}
	reg, err := s.app.Registers.Define(r.Context(), in.Schema, in.Migration, false)
	if err != nil {
		return inSchema(err)
	}
	return writeJSON(w, http.StatusOK, reg)
}

// inSchema names the fields at fault in a refused definition by their
// path in the request body: the service names them within the schema
// ("fields[2].type"), the body holds it under "schema"; migration faults
// are already named from the body.
func inSchema(err error) error {
	var inv *fault.Invalid
	if errors.As(err, &inv) {
		for i, f := range inv.Fields {
			if !strings.HasPrefix(f.Field, "migration.") {
				inv.Fields[i].Field = "schema." + f.Field
			}
		}
	}
	return err
}
