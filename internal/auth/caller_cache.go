package auth

import (
	"slices"
	"sync"
	"time"
)

// CallerTTL is how long the caller of an API token is reused without
// asking the database.
//
// Programs calling the API with a token make many small requests, and
// finding the caller is half of the database work of each (DESIGN's
// 5,000 requests/s target for GET /api/v1/units/{code}). The trade-off:
// an entry is dropped as soon as this process commits any write (see
// store.DB.Writes), so on one server a revoked token, a disabled user, a
// changed grant or a moved unit takes effect at once, exactly as without
// the cache; but a change made through another app server behind the
// same load balancer reaches this one up to CallerTTL later. Sessions
// (people in a browser, a few requests a minute) are not cached.
const CallerTTL = 2 * time.Second

// maxCallers bounds the cache; past it, expired entries are dropped, and
// if that is not enough, all of them.
const maxCallers = 10000

// callerCache maps the hash of a token to its principal.
type callerCache struct {
	mu sync.Mutex
	m  map[string]cachedCaller
}

type cachedCaller struct {
	p      *Principal
	writes uint64    // store.DB.Writes when the principal was read
	until  time.Time // end of CallerTTL
}

// get returns a copy of the principal cached for key, if no write has
// been committed since it was read and its time is not up.
func (c *callerCache) get(key string, writes uint64, now time.Time) *Principal {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || e.writes != writes || !now.Before(e.until) {
		return nil
	}
	p := *e.p
	p.Grants = slices.Clone(e.p.Grants)
	return &p
}

// put caches p for key; writes must be read before p was.
func (c *callerCache) put(key string, p *Principal, writes uint64, now time.Time) {
	cp := *p
	cp.Grants = slices.Clone(p.Grants)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedCaller{}
	}
	if len(c.m) >= maxCallers {
		for k, e := range c.m {
			if !now.Before(e.until) || e.writes != writes {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxCallers {
			clear(c.m)
		}
	}
	c.m[key] = cachedCaller{p: &cp, writes: writes, until: now.Add(CallerTTL)}
}
