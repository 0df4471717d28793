package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kexie/internal/campaign"
	"kexie/internal/demo"
	"kexie/internal/store/storetest"
)

// BenchmarkCampaignDashboard renders a campaign's dashboard over every
// city and county of the demo province (each answered and submitted)
// with 300 rectification items, lights computed on read, and reads its
// report's XLSX.
//
//	go test -run=^$ -bench=CampaignDashboard -benchtime=50x ./internal/web/
func BenchmarkCampaignDashboard(b *testing.B) {
	e := newEnv(b, storetest.SQLite(b))
	ctx := context.Background()
	sys := campaign.System()
	sp := demo.CampaignSpec()
	sp.Title, sp.Scope = "全省县级科协改革督查", campaign.ScopeSpec{Types: []string{"city", "county"}}
	id, err := e.app.Campaigns.Create(ctx, sys, sp)
	if err != nil {
		b.Fatal(err)
	}
	k, err := e.app.Campaigns.Get(ctx, sys, id)
	if err != nil {
		b.Fatal(err)
	}
	// answered and submitted in the self-inspection's window
	e.app.Campaigns.Now = func() time.Time { return time.Date(2021, 3, 15, 9, 0, 0, 0, time.UTC) }
	score := 15.0
	for _, u := range k.Units {
		if _, err := e.app.Campaigns.SaveAnswers(ctx, sys, id, u.Unit, []campaign.AnswerSpec{
			{Item: k.Items[0].ID, Answer: "yes"}, {Item: k.Items[1].ID, Score: &score}, {Item: k.Items[2].ID, Score: &score},
			{Item: k.Items[3].ID, Score: &score}, {Item: k.Items[4].ID, Answer: "无"}}); err != nil {
			b.Fatal(err)
		}
		if _, err := e.app.Campaigns.Submit(ctx, sys, id, u.Unit); err != nil {
			b.Fatal(err)
		}
	}
	e.app.Campaigns.Now = func() time.Time { return time.Now().UTC() }
	specs := make([]campaign.RectSpec, 300)
	for i := range specs {
		specs[i] = campaign.RectSpec{Unit: k.Units[i%len(k.Units)].Unit, Problem: fmt.Sprintf("问题 %d", i), Due: fmt.Sprintf("2021-%02d-28", 6+i%7)}
	}
	if _, err := e.app.Campaigns.Open(ctx, sys, id, specs); err != nil {
		b.Fatal(err)
	}
	admin := e.login("admin", demo.Password)
	b.Logf("%d units, %d items, 300 rectification items", len(k.Units), len(k.Items))
	for _, c := range []struct{ name, path string }{
		{"page", fmt.Sprintf("/campaigns/%d", id)},
		{"api", fmt.Sprintf("/api/v1/campaigns/%d", id)},
		{"xlsx", fmt.Sprintf("/api/v1/campaigns/%d/export", id)},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if rec := admin.get(c.path); rec.Code != 200 {
					b.Fatalf("%s: %d", c.path, rec.Code)
				}
			}
		})
	}
}
