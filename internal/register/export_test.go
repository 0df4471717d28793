package register

// ForceSearchPlan makes text searches count and page as the plans named
// (scan, candidates, merge, ids; "" lets the service choose).
func (s *Service) ForceSearchPlan(count, page string) { s.forceCount, s.forcePage = count, page }

// CapCountsAt makes capped counts stop at n instead of MaxCount (0: MaxCount).
func (s *Service) CapCountsAt(n int) { s.countCap = n }
