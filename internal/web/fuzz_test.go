package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"testing"

	"kexie/internal/fault"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// Fuzz targets for the parsers of request bodies. Seeds live in
// testdata/fuzz/FuzzXxx; run one with
//
//	go test -run='^$' -fuzz=FuzzUnitsAPI -fuzztime=60s ./internal/web/

// fuzzLimit is the body limit the decode targets read under, small so the
// fuzzer reaches it.
const fuzzLimit = 4 << 10

// decodeRefusal says whether err is one of the ways the strict decoder
// may refuse a body.
func decodeRefusal(err error) bool {
	var be *bodyError
	var mb *http.MaxBytesError
	var inv *fault.Invalid
	return errors.As(err, &be) || errors.As(err, &mb) || errors.As(err, &inv)
}

// serviceRefusal says whether err is one of the refusals a domain service
// gives; anything else would be a 500.
func serviceRefusal(err error) bool {
	for _, kind := range []error{fault.ErrInvalid, fault.ErrConflict, fault.ErrForbidden, fault.ErrNotFound} {
		if errors.Is(err, kind) {
			return true
		}
	}
	return false
}

// noWrite reads everything and may change nothing: the service validates
// a request fully, then finds nowhere it may write.
var noWrite = unit.Access{Read: unit.Everything(), Write: unit.Subtrees()}

// decodeFuzzBody runs the strict decoder over data under the body limit.
func decodeFuzzBody(t *testing.T, data []byte, v any) bool {
	t.Helper()
	err := decodeJSON(http.MaxBytesReader(nil, nopCloser{bytes.NewReader(data)}, fuzzLimit), v)
	if err != nil && !decodeRefusal(err) {
		t.Fatalf("decode %q: %T %v", data, err, err)
	}
	if err == nil && len(data) > fuzzLimit {
		t.Fatalf("decoded %d bytes over the limit of %d", len(data), fuzzLimit)
	}
	return err == nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func FuzzDecodeUnitCreate(f *testing.F) {
	e := newEnv(f, storetest.SQLite(f))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		var in unit.Create
		if !decodeFuzzBody(t, data, &in) {
			return
		}
		u, err := e.app.Units.Create(ctx, noWrite, in)
		if err == nil {
			t.Fatalf("created %s with no write scope", u.Code)
		}
		if !serviceRefusal(err) {
			t.Fatalf("create %q: %v", data, err)
		}
	})
}

func FuzzDecodeUnitUpdate(f *testing.F) {
	e := newEnv(f, storetest.SQLite(f))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		var in unit.Update
		if !decodeFuzzBody(t, data, &in) {
			return
		}
		_, err := e.app.Units.Update(ctx, noWrite, "320102", in)
		if err == nil {
			t.Fatal("updated with no write scope")
		}
		if !serviceRefusal(err) {
			t.Fatalf("update %q: %v", data, err)
		}
	})
}

// FuzzUnitsAPI sends fuzzed bodies to POST /api/v1/units and to
// PATCH /api/v1/units/{code} through the whole server on SQLite (on
// PostgreSQL with KEXIE_FUZZ_PG=1), as a unit admin of Nanjing: no answer
// is a 500, and a refusal writes nothing.
func FuzzUnitsAPI(f *testing.F) {
	db := storetest.SQLite
	if os.Getenv("KEXIE_FUZZ_PG") != "" {
		db = storetest.Postgres
	}
	e := newEnv(f, db(f))
	ctx := context.Background()
	state := func(t *testing.T) (units, entries int64, sum int64) {
		t.Helper()
		if err := e.app.DB.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(version), 0) FROM units`).Scan(&units, &sum); err != nil {
			t.Fatal(err)
		}
		if err := e.app.DB.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&entries); err != nil {
			t.Fatal(err)
		}
		return units, entries, sum
	}
	f.Fuzz(func(t *testing.T, create, patch []byte, code string) {
		e := *e // the same server, reporting to this run's t
		e.t = t
		for _, req := range []struct {
			method, path string
			body         []byte
		}{
			{"POST", "/api/v1/units", create},
			{"PATCH", "/api/v1/units/" + url.PathEscape(code), patch},
		} {
			units, entries, versions := state(t)
			rec := e.do(req.method, req.path, "nanjing", req.body)
			if rec.Code >= 500 {
				t.Fatalf("%s %s %q: %d %s", req.method, req.path, req.body, rec.Code, rec.Body.String())
			}
			u2, e2, v2 := state(t)
			if rec.Code >= 300 && (u2 != units || e2 != entries || v2 != versions) {
				t.Fatalf("%s %s %q answered %d but wrote: units %d→%d, audit %d→%d, versions %d→%d",
					req.method, req.path, req.body, rec.Code, units, u2, entries, e2, versions, v2)
			}
			if rec.Code < 300 && e2 != entries+1 {
				t.Fatalf("%s %s %q answered %d with %d audit entries", req.method, req.path, req.body, rec.Code, e2-entries)
			}
		}
	})
}
