package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"kexie/internal/auth"
	"kexie/internal/campaign"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// TestScopeMatrixCampaigns extends the scope matrix to campaigns: a
// province campaign over Nanjing, Xuanwu, Xuzhou and a Xuzhou county,
// with a rectification item at Xuanwu and one at the county, and an
// inspector ("field") assigned to the county only. Every account ×
// every unit × the unit's page, its item, a unit step and an owner step:
// units see themselves, superiors their subtree, the inspector its unit,
// and anything else answers 404; seen but not allowed answers 403; an
// allowed step is refused by its own rule (422 or 409), changing nothing.
func TestScopeMatrixCampaigns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		addUser(t, e, "nj.approver", auth.RoleApprover, "320100")
		addUser(t, e, "field", auth.RoleViewer, "SOC001")
		units := []string{"320100", "320102", "320300", "320302"}
		var k campaign.Campaign
		body := campaignBody()
		body["scope"] = map[string]any{"units": units}
		decodeBody(t, e.do("POST", "/api/v1/campaigns", "admin", body), &k)
		base := fmt.Sprintf("/api/v1/campaigns/%d", k.ID)
		if rec := e.do("POST", base+"/inspectors", "admin", map[string]any{"user": "field", "units": []string{"320302"}}); rec.Code != http.StatusOK {
			t.Fatalf("assign: %d %s", rec.Code, rec.Body.String())
		}
		now := e.app.Campaigns.Now
		rects := map[string]int64{}
		for _, u := range []string{"320102", "320302"} {
			var rc campaign.Rect
			decodeBody(t, e.do("POST", base+"/rectifications", "admin", map[string]any{"unit": u, "problem": "矩阵问题", "due": "2021-10-31"}), &rc)
			rects[u] = rc.ID
		}
		type who struct {
			sees, reports []string
			owner         bool
		}
		all := units
		accounts := map[string]who{
			"admin":       {all, all, true},
			"leader":      {all, nil, false},
			"inspector":   {all, nil, true},
			"nanjing":     {[]string{"320100", "320102"}, []string{"320100", "320102"}, false},
			"nj.approver": {[]string{"320100", "320102"}, nil, false},
			"xuzhou":      {[]string{"320300", "320302"}, []string{"320300", "320302"}, false},
			"xuanwu":      {[]string{"320102"}, []string{"320102"}, false},
			"field":       {[]string{"320302"}, nil, false},
		}
		for name, w := range accounts {
			for _, u := range units {
				sees, reports := slices.Contains(w.sees, u), slices.Contains(w.reports, u)
				gate := func(allowed bool, ok int) int {
					switch {
					case !sees:
						return http.StatusNotFound
					case !allowed:
						return http.StatusForbidden
					}
					return ok
				}
				check := func(what, method, path string, body any, want int) {
					t.Helper()
					rec := e.do(method, path, name, body)
					if rec.Code != want {
						t.Errorf("%s %s at %s: %d, want %d (%.200s)", name, what, u, rec.Code, want, rec.Body.String())
					}
					for _, hidden := range units {
						if !slices.Contains(w.sees, hidden) && strings.Contains(rec.Body.String(), `"`+hidden+`"`) {
							t.Errorf("%s %s at %s shows %s", name, what, u, hidden)
						}
					}
				}
				check("unit page", "GET", base+"/units/"+u, nil, gate(true, http.StatusOK))
				// each phase's step on a day in its window
				e.app.Campaigns.Now = func() time.Time { return time.Date(2021, 3, 15, 9, 0, 0, 0, time.UTC) }
				check("save answers", "PUT", base+"/units/"+u+"/answers", map[string]any{"answers": []any{}}, gate(reports, http.StatusUnprocessableEntity))
				e.app.Campaigns.Now = func() time.Time { return time.Date(2021, 4, 15, 9, 0, 0, 0, time.UTC) }
				check("finding", "POST", base+"/findings", map[string]any{"unit": u, "body": ""}, gate(w.owner || name == "field", http.StatusUnprocessableEntity))
				e.app.Campaigns.Now = now
				if id, ok := rects[u]; ok {
					rp := fmt.Sprintf("/api/v1/rectifications/%d", id)
					check("item", "GET", rp, nil, gate(true, http.StatusOK))
					check("unit step", "POST", rp+"/steps", map[string]any{"action": "complete"}, gate(reports, http.StatusUnprocessableEntity))
					check("owner step", "POST", rp+"/steps", map[string]any{"action": "verify"}, gate(w.owner, http.StatusConflict))
				}
			}
			check := e.do("GET", base, name, nil)
			var got campaign.Campaign
			decodeBody(t, check, &got)
			var seen []string
			for _, u := range got.Units {
				seen = append(seen, u.Unit)
			}
			if !slices.Equal(seen, w.sees) {
				t.Errorf("%s sees units %v, want %v", name, seen, w.sees)
			}
		}
		// nothing moved
		for _, id := range rects {
			var rc campaign.Rect
			decodeBody(t, e.do("GET", fmt.Sprintf("/api/v1/rectifications/%d", id), "admin", nil), &rc)
			if rc.State != campaign.Open || len(rc.Events) != 1 {
				t.Errorf("item %d changed: %s, %d events", id, rc.State, len(rc.Events))
			}
		}
	})
}
