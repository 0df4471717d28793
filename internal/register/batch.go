package register

import "context"

// WithTx runs fn in one transaction of the registers' database. Records
// created, changed or deleted through the service with the context fn is
// given join it, so a batch (an import, the demo load) is all or nothing
// and commits once.
func (s *Service) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.WithTx(ctx, fn)
}
