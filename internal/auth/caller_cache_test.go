package auth

import (
	"testing"
	"time"
)

func TestCallerCache(t *testing.T) {
	var c callerCache
	t0 := time.Date(2021, 7, 1, 8, 0, 0, 0, time.UTC)
	p := &Principal{Name: "robot", Grants: []Grant{{Role: RoleViewer, UnitPath: "/R/"}}}
	if c.get("k", 1, t0) != nil {
		t.Fatal("hit in an empty cache")
	}
	c.put("k", p, 1, t0)
	cases := []struct {
		name   string
		writes uint64
		at     time.Time
		hit    bool
	}{
		{"same writes, in time", 1, t0.Add(CallerTTL - time.Millisecond), true},
		{"a write since", 2, t0, false},
		{"time up", 1, t0.Add(CallerTTL), false},
	}
	for _, tc := range cases {
		if got := c.get("k", tc.writes, tc.at); (got != nil) != tc.hit {
			t.Errorf("%s: hit=%v, want %v", tc.name, got != nil, tc.hit)
		}
	}
	p.Grants[0].UnitPath = "/X/" // the cache holds its own copy
	if got := c.get("k", 1, t0); got.Grants[0].UnitPath != "/R/" {
		t.Fatalf("cache shares the caller's grants: %+v", got.Grants)
	}
	for i := range maxCallers + 5 {
		c.put(string(rune(i)), p, 3, t0)
	}
	if len(c.m) > maxCallers {
		t.Fatalf("cache grew to %d", len(c.m))
	}
}
