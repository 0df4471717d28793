package web

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"kexie/internal/register"
	"kexie/internal/store/storetest"
)

// FuzzRecordValues sends fuzzed bodies to POST and PATCH of a register's
// records through the whole server on SQLite (on PostgreSQL with
// KEXIE_FUZZ_PG=1), as a data entry user of Xuanwu, over a register with
// a field of every type: no answer is a 500, a refusal writes nothing,
// and a success writes one record change and its audit entry. Beside the
// raw bodies, a fuzzed text goes into one field of an otherwise valid
// record, as a JSON string or as raw JSON, so the value parsers are
// reached through the server too.
func FuzzRecordValues(f *testing.F) {
	db := storetest.SQLite
	if os.Getenv("KEXIE_FUZZ_PG") != "" {
		db = storetest.Postgres
	}
	e := newEnv(f, db(f))
	defineEvents(f, e)
	ctx := context.Background()
	base, err := e.app.Registers.Create(ctx, register.System(), "test_events", register.Input{Unit: "320102",
		Values: map[string]any{"title": "模糊测试活动", "held_on": "2021-06-01", "contact": "13800138000"}})
	if err != nil {
		f.Fatal(err)
	}
	patchPath := recordPath(base.ID)
	fields := eventsSchema()["fields"].([]map[string]any)
	f.Fuzz(func(t *testing.T, create, patch []byte, field uint8, value string, raw bool) {
		e := *e // the same server, reporting to this run's t
		e.t = t
		code := fields[int(field)%len(fields)]["code"].(string)
		one, err := json.Marshal(value)
		if raw {
			one, err = []byte(value), nil
		}
		if err != nil {
			t.Skip()
		}
		title, _ := json.Marshal("模糊" + value)
		valued := []byte(`{"unit":"320102","values":{"title":` + string(title) + `,"held_on":"2021-06-02","` + code + `":` + string(one) + `}}`)
		for _, req := range []struct {
			method, path string
			body         []byte
		}{
			{"POST", recordsPath, create},
			{"PATCH", patchPath, patch},
			{"POST", recordsPath, valued},
		} {
			before := e.recordState("test_events")
			rec := e.do(req.method, req.path, "xuanwu", req.body)
			if rec.Code >= 500 {
				t.Fatalf("%s %s %q: %d %s", req.method, req.path, req.body, rec.Code, rec.Body.String())
			}
			after := e.recordState("test_events")
			if rec.Code >= 300 {
				if after != before {
					t.Fatalf("%s %q answered %d but wrote: %v → %v", req.method, req.body, rec.Code, before, after)
				}
				var p Problem
				if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code {
					t.Fatalf("%s %q answered %d without a problem: %s", req.method, req.body, rec.Code, rec.Body.String())
				}
				continue
			}
			if after[2] != before[2]+1 {
				t.Fatalf("%s %q answered %d with %d audit entries", req.method, req.body, rec.Code, after[2]-before[2])
			}
			var r apiRecord
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || r.ID == 0 || r.Date == "" {
				t.Fatalf("%s %q answered %d: %s", req.method, req.body, rec.Code, rec.Body.String())
			}
			if v := r.Values["contact"]; v != nil && v.(string) != register.Mask(v.(string)) && len(v.(string)) > 2 {
				t.Fatalf("%s %q: contact in clear: %v", req.method, req.body, v)
			}
		}
	})
}
