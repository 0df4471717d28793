package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kexie/internal/app"
	"kexie/internal/demo"
	"kexie/internal/store"
)

// testEnv is a server over a database holding the demo province, with an
// API token for each demo account.
type testEnv struct {
	t      testing.TB
	app    *app.App
	srv    *Server
	tokens map[string]string
}

// newEnv builds a test server over db (from storetest) with the demo loaded.
func newEnv(t testing.TB, db *store.DB) *testEnv {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, a.Units, a.Auth, nil); err != nil {
		t.Fatal(err)
	}
	srv, err := New(a, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, app: a, srv: srv, tokens: map[string]string{}}
	for _, acc := range demo.Accounts {
		_, secret, err := a.Auth.CreateToken(ctx, nil, acc.Name, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[acc.Name] = secret
	}
	return e
}

// do sends a request as user ("" for anonymous); body may be a string
// (sent as is) or a value (sent as JSON).
func (e *testEnv) do(method, path, user string, body any) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		tok, ok := e.tokens[user]
		if !ok {
			e.t.Fatalf("no token for %q", user)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec
}

// decodeBody decodes a JSON response body into v.
func decodeBody(t testing.TB, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
}

// problemFields returns the fields named in a problem response.
func problemFields(t testing.TB, rec *httptest.ResponseRecorder) []string {
	t.Helper()
	var p Problem
	decodeBody(t, rec, &p)
	out := make([]string, 0, len(p.Errors))
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	return out
}

var _ = http.MethodGet
