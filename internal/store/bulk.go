package store

import (
	"context"
	"fmt"
)

// bulkCacheKiB is the page cache a bulk write gets on SQLite.
const bulkCacheKiB = 64 << 10

// BulkWrite readies the transaction in ctx for writing many rows: on
// SQLite, a page cache large enough that the write does not read and
// spill pages one at a time (the default is 2 MB); the function it
// returns puts the default back. PostgreSQL needs nothing.
func (db *DB) BulkWrite(ctx context.Context) (restore func(), err error) {
	if db.Dialect.Name != "sqlite" {
		return func() {}, nil
	}
	q := db.Q(ctx)
	var was int
	if err := q.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&was); err != nil {
		return nil, fmt.Errorf("bulk write: %w", err)
	}
	if _, err := q.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, bulkCacheKiB)); err != nil {
		return nil, fmt.Errorf("bulk write: %w", err)
	}
	return func() { _, _ = q.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, was)) }, nil
}
