package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"kexie/internal/demo"
	"kexie/internal/register"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// An attachment field's limits on the schema editor: the size in MB or
// KB and the file types, shown with the limit in force; entries the
// service refuses come back at their inputs; once saved, an upload over
// the size or of another type is refused on the entry form.
func TestSchemaEditorAttachmentLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		sc, reg := defineTalks(t, e, register.Field{Code: "slides", Type: register.TypeAttachment, NameZH: "讲稿", NameEN: "Slides"})
		admin := e.login("admin", demo.Password)
		mustContain(t, "editor", admin.get("/registers/talks/schema").Body.String(),
			`name="fields[4].max_size" value="" placeholder="32 MB"`, "现在每个文件最大 32 MB", `name="fields[4].accept" value=""`, "pdf, png")

		// what the service refuses comes back at its input, as typed
		for _, c := range []struct{ size, accept, want string }{
			{"200 MB", "pdf", "附件大小上限应在 0 到 100 MB 之间"},
			{"五兆", "pdf", "附件大小上限应在 0 到 100 MB 之间"},
			{"", "pdf, exe", "不接受的文件类型：.exe"},
		} {
			form := schemaForm(sc, &reg.Schema, 1)
			form.Set("fields[4].max_size", c.size)
			form.Set("fields[4].accept", c.accept)
			rec := admin.post("/registers/talks/schema", form)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("limits %q %q: %d", c.size, c.accept, rec.Code)
			}
			input := `name="fields[4].max_size" value="` + c.size + `" placeholder="32 MB" autocomplete="off" aria-invalid="true"`
			if c.size == "" {
				input = `name="fields[4].accept" value="` + c.accept + `"`
			}
			mustContain(t, "limits refused", rec.Body.String(), input, c.want, `<details class="field-more" open>`)
		}
		if r, _ := e.app.Registers.Get(ctx, "talks"); r.Version != 1 {
			t.Fatalf("refused limits saved")
		}

		// a limit and types typed the way people do are saved as uploads are checked
		form := schemaForm(sc, &reg.Schema, 1)
		form.Set("fields[4].max_size", "1kb")
		form.Set("fields[4].accept", "PNG、 *.txt，png")
		if rec := admin.post("/registers/talks/schema", form); rec.Code != http.StatusSeeOther {
			t.Fatalf("limits saved: %d %s", rec.Code, rec.Body.String())
		}
		saved, _ := e.app.Registers.Get(ctx, "talks")
		slides := saved.Schema.Fields[4]
		if saved.Version != 2 || slides.MaxSize != 1024 || !slices.Equal(slides.Accept, []string{".png", ".txt"}) {
			t.Fatalf("stored limits (version %d): %d %v", saved.Version, slides.MaxSize, slides.Accept)
		}
		mustContain(t, "limits shown", admin.get("/registers/talks/schema").Body.String(), `name="fields[4].max_size" value="1 KB"`,
			`name="fields[4].accept" value="png, txt"`, "现在每个文件最大 1 KB")
		// the form as drawn is no new version, and a limit set by the API
		// in bytes that shows rounded stays to the byte
		rec := admin.post("/registers/talks/schema", schemaForm(saved.Schema, &saved.Schema, 2))
		if r, _ := e.app.Registers.Get(ctx, "talks"); rec.Code != http.StatusSeeOther || r.Version != 2 {
			t.Fatalf("an unchanged form with limits saved: %d, version %d", rec.Code, r.Version)
		}
		odd := saved.Schema
		odd.Fields = slices.Clone(saved.Schema.Fields)
		odd.Fields[4].MaxSize = 1000001
		saved, err := e.app.Registers.Define(ctx, odd, register.Migration{}, false)
		if err != nil {
			t.Fatal(err)
		}
		rec = admin.post("/registers/talks/schema", schemaForm(odd, &saved.Schema, 3))
		if r, _ := e.app.Registers.Get(ctx, "talks"); rec.Code != http.StatusSeeOther || r.Version != 3 || r.Schema.Fields[4].MaxSize != 1000001 {
			t.Fatalf("an unchanged form with a limit in bytes: %d, version %d, %d bytes", rec.Code, r.Version, r.Schema.Fields[4].MaxSize)
		}
		odd.Fields[4].MaxSize = 1024
		if _, err = e.app.Registers.Define(ctx, odd, register.Migration{}, false); err != nil {
			t.Fatal(err)
		}

		// the entry form refuses a file over the limit or of another type
		xuanwu := e.login("xuanwu", demo.Password)
		before := recordsIn(t, e, "talks")
		values := map[string]string{"unit": "320102", "v.title": "带讲稿的报告", "v.held_on": "2021-06-01"}
		for _, c := range []struct {
			name, body, want string
		}{
			{"讲稿.txt", strings.Repeat("讲稿", 200), "讲稿：文件太大，最大 1 KB"},
			{"讲稿.pdf", "%PDF-1.4 slides", "讲稿：不接受这种文件：讲稿.pdf"},
		} {
			rec := xuanwu.postMultipart("/registers/talks/new", values, map[string][2]string{"file.slides": {c.name, c.body}})
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("upload of %s: %d", c.name, rec.Code)
			}
			mustContain(t, "upload of "+c.name, rec.Body.String(), c.want)
		}
		if recordsIn(t, e, "talks") != before {
			t.Fatalf("a refused upload saved a record")
		}
		if rec := xuanwu.postMultipart("/registers/talks/new", values, map[string][2]string{"file.slides": {"讲稿.txt", "提纲"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("a file within the limits: %d %s", rec.Code, rec.Body.String())
		}
	})
}
