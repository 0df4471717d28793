package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/scheme"
	"kexie/internal/unit"
)

// Evaluation schemes: defining them needs the inspect permission (the
// evaluator's, 考核); runs, verification, publishing and answers are the
// evaluator's within its inspect scope; self-scores and objections are
// the scored unit's, where it enters data; reading is by read scope, so a
// unit sees its own row and scorecard only.

func evaluates(r *http.Request) unit.Scope { return principal(r).Scope(auth.PermInspect) }

func canDefineSchemes(r *http.Request) bool { return principal(r).Can(auth.PermInspect) }

func readScope(r *http.Request) unit.Scope { return principal(r).Scope(auth.PermRead) }

func pathInt(r *http.Request, name, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.NotFound(what, r.PathValue(name))
	}
	return id, nil
}

func versionOf(r *http.Request) (string, int, error) {
	n, err := pathInt(r, "n", "scheme version")
	return r.PathValue("code"), int(n), err
}

func (s *Server) apiListSchemes(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.app.Schemes.List(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": ss})
}

func (s *Server) apiCreateScheme(w http.ResponseWriter, r *http.Request) error {
	if !canDefineSchemes(r) {
		return fault.ErrForbidden
	}
	var in scheme.Scheme
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if err := s.app.Schemes.Create(r.Context(), in); err != nil {
		return err
	}
	sc, err := s.app.Schemes.Get(r.Context(), in.Code)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/schemes/"+sc.Code)
	return writeJSON(w, http.StatusCreated, sc)
}

// schemeDetail is a scheme with its versions' notes.
type schemeDetail struct {
	scheme.Scheme
	History []scheme.VersionInfo `json:"history"`
}

func (s *Server) apiGetScheme(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.app.Schemes.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	h, err := s.app.Schemes.Versions(r.Context(), sc.Code)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, schemeDetail{Scheme: sc, History: h})
}

// versionCreate is the body of a new version.
type versionCreate struct {
	Note    string         `json:"note"`
	Version scheme.Version `json:"version"`
}

// versionView is a saved version with its derivation.
type versionView struct {
	Scheme     string            `json:"scheme"`
	Number     int               `json:"number"`
	Version    scheme.Version    `json:"version"`
	Derivation scheme.Derivation `json:"derivation"`
}

func (s *Server) versionView(r *http.Request, code string, n int) (versionView, error) {
	v, err := s.app.Schemes.Version(r.Context(), code, n)
	if err != nil {
		return versionView{}, err
	}
	d, err := v.Derive()
	if err != nil {
		return versionView{}, err
	}
	return versionView{Scheme: code, Number: n, Version: v, Derivation: d}, nil
}

func (s *Server) apiCreateVersion(w http.ResponseWriter, r *http.Request) error {
	if !canDefineSchemes(r) {
		return fault.ErrForbidden
	}
	var in versionCreate
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	code := r.PathValue("code")
	n, err := s.app.Schemes.AddVersion(r.Context(), code, in.Note, in.Version)
	if err != nil {
		return err
	}
	vv, err := s.versionView(r, code, n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/schemes/%s/versions/%d", code, n))
	return writeJSON(w, http.StatusCreated, vv)
}

func (s *Server) apiGetVersion(w http.ResponseWriter, r *http.Request) error {
	code, n, err := versionOf(r)
	if err != nil {
		return err
	}
	vv, err := s.versionView(r, code, n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, vv)
}

// apiAHP derives weights from a pairwise comparison matrix and shows the
// derivation; an inconsistent matrix is refused with its ratio.
func (s *Server) apiAHP(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Matrix [][]float64 `json:"matrix"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	res, err := scheme.AHP(in.Matrix)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// apiEntropy derives entropy weights for a node's children over the data
// of the units a run would score.
func (s *Server) apiEntropy(w http.ResponseWriter, r *http.Request) error {
	code, n, err := versionOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	res, err := s.app.Schemes.EntropyWeights(r.Context(), readScope(r), code, n, q.Get("unit"), q.Get("period"), q.Get("parent"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiListRuns(w http.ResponseWriter, r *http.Request) error {
	f := scheme.RunFilter{Scheme: r.URL.Query().Get("scheme"), Period: r.URL.Query().Get("period")}
	n, err := queryInt(r, "version", 0)
	if err != nil {
		return err
	}
	f.Version = n
	rs, err := s.app.Schemes.Runs(r.Context(), readScope(r), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": rs})
}

// runCreate is the body of a new run.
type runCreate struct {
	Scheme  string `json:"scheme"`
	Version int    `json:"version"`
	Unit    string `json:"unit"`
	Period  string `json:"period"`
}

// runView is a run with its league table.
type runView struct {
	scheme.Run
	Rows []scheme.Row `json:"rows"`
}

func (s *Server) runView(r *http.Request, id int64, nodes bool) (runView, error) {
	rows, err := s.app.Schemes.Rows(r.Context(), readScope(r), id, nodes)
	if err != nil {
		return runView{}, err
	}
	run, err := s.app.Schemes.Run(r.Context(), unit.Everything(), id)
	if err != nil {
		return runView{}, err
	}
	return runView{Run: run, Rows: rows}, nil
}

func (s *Server) apiCreateRun(w http.ResponseWriter, r *http.Request) error {
	var in runCreate
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	run, err := s.app.Schemes.Start(r.Context(), evaluates(r), in.Scheme, in.Version, in.Unit, in.Period)
	if err != nil {
		return err
	}
	rv, err := s.runView(r, run.ID, false)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/scheme-runs/%d", run.ID))
	return writeJSON(w, http.StatusCreated, rv)
}

func (s *Server) apiGetRun(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	rv, err := s.runView(r, id, r.URL.Query().Get("nodes") == "true")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rv)
}

func (s *Server) apiScorecard(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	row, err := s.app.Schemes.Scorecard(r.Context(), readScope(r), id, r.PathValue("unit"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, row)
}

func (s *Server) apiPublishRun(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	var in struct {
		Days int `json:"days"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if err := s.mayEvaluate(r, id); err != nil {
		return err
	}
	if err := s.app.Schemes.Publish(r.Context(), evaluates(r), id, in.Days); err != nil {
		return err
	}
	rv, err := s.runView(r, id, false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rv)
}

// mayEvaluate refuses, as forbidden, a caller who sees the run but may
// not evaluate it; a run the caller cannot see stays not found.
func (s *Server) mayEvaluate(r *http.Request, id int64) error {
	run, err := s.app.Schemes.Run(r.Context(), readScope(r), id)
	if err != nil {
		return err
	}
	if _, err := s.app.Schemes.Run(r.Context(), evaluates(r), run.ID); err != nil {
		return fault.ErrForbidden
	}
	return nil
}

func (s *Server) apiRescoreRun(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	if err := s.mayEvaluate(r, id); err != nil {
		return err
	}
	if err := s.app.Schemes.Rescore(r.Context(), evaluates(r), id); err != nil {
		return err
	}
	rv, err := s.runView(r, id, false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rv)
}

func (s *Server) apiRunMoved(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	m, err := s.app.Schemes.Moved(r.Context(), readScope(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": m})
}

// apiCompareRuns compares a run's ranks with another run's (?with=), or
// with its own TOPSIS ranking when with is the run itself or absent.
func (s *Server) apiCompareRuns(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	other := id
	if v := r.URL.Query().Get("with"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return fault.InvalidField("with", "error.integer")
		}
		other = n
	}
	c, err := s.app.Schemes.CompareRuns(r.Context(), readScope(r), id, other)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"a": id, "b": other, "spearman": c.Spearman, "moves": c.Moves})
}

func (s *Server) apiExportRun(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.app.Schemes.Export(r.Context(), readScope(r), id, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="run-%d.xlsx"`, id))
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) apiListHandScores(w http.ResponseWriter, r *http.Request) error {
	code, n, err := versionOf(r)
	if err != nil {
		return err
	}
	hs, err := s.app.Schemes.HandScores(r.Context(), readScope(r), code, n, r.URL.Query().Get("period"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": hs})
}

// selfScore is a unit's self-score as submitted.
type selfScore struct {
	Period   string  `json:"period"`
	Unit     string  `json:"unit"`
	Node     string  `json:"node"`
	Claimed  float64 `json:"claimed"`
	Evidence string  `json:"evidence"`
}

func (s *Server) apiSelfScore(w http.ResponseWriter, r *http.Request) error {
	code, n, err := versionOf(r)
	if err != nil {
		return err
	}
	var in selfScore
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	h := scheme.HandScore{Unit: in.Unit, Node: in.Node, Claimed: in.Claimed, Evidence: in.Evidence}
	if err := s.app.Schemes.SelfScore(r.Context(), principal(r).Scope(auth.PermDataEntry), code, n, in.Period, h); err != nil {
		return err
	}
	return s.handScoreOf(w, r, code, n, in.Period, in.Unit, in.Node)
}

// verification is the evaluator's verdict on a self-score.
type verification struct {
	Period string  `json:"period"`
	Unit   string  `json:"unit"`
	Node   string  `json:"node"`
	Score  float64 `json:"score"`
	Reason string  `json:"reason"`
}

func (s *Server) apiVerifyHandScore(w http.ResponseWriter, r *http.Request) error {
	code, n, err := versionOf(r)
	if err != nil {
		return err
	}
	var in verification
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if err := s.app.Schemes.Verify(r.Context(), evaluates(r), code, n, in.Period, in.Unit, in.Node, in.Score, in.Reason); err != nil {
		return err
	}
	return s.handScoreOf(w, r, code, n, in.Period, in.Unit, in.Node)
}

func (s *Server) handScoreOf(w http.ResponseWriter, r *http.Request, code string, n int, period, unitCode, node string) error {
	hs, err := s.app.Schemes.HandScores(r.Context(), readScope(r), code, n, period)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if h.Unit == unitCode && h.Node == node {
			return writeJSON(w, http.StatusOK, h)
		}
	}
	return fault.NotFound("self-score", node)
}

func (s *Server) apiListObjections(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	os, err := s.app.Schemes.Objections(r.Context(), readScope(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": os})
}

func (s *Server) apiFileObjection(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "run")
	if err != nil {
		return err
	}
	var in struct {
		Unit   string `json:"unit"`
		Node   string `json:"node"`
		Reason string `json:"reason"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	oid, err := s.app.Schemes.Object(r.Context(), principal(r).Scope(auth.PermDataEntry), id, in.Unit, in.Node, in.Reason)
	if err != nil {
		return err
	}
	o, err := s.app.Schemes.Objection(r.Context(), readScope(r), oid)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, o)
}

func (s *Server) apiAnswerObjection(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id", "objection")
	if err != nil {
		return err
	}
	var in scheme.Reply
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if err := s.app.Schemes.Answer(r.Context(), evaluates(r), id, in); err != nil {
		return err
	}
	o, err := s.app.Schemes.Objection(r.Context(), readScope(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}
