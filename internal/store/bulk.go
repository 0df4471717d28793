package store

import (
	"context"
	"errors"
	"fmt"
)

// writeCacheKiB is the page cache of SQLite's writing connection.
const writeCacheKiB = 64 << 10

// BulkWrite readies the transaction in ctx for writing many rows, until
// it ends. On SQLite the writing connection reads the file through its
// page cache instead of mapping it: the pages a long import passes
// through would otherwise stay mapped, and count in the process's memory,
// up to the map's 1 GiB. The map comes back once the transaction has
// committed or rolled back. PostgreSQL needs nothing.
func (db *DB) BulkWrite(ctx context.Context) error {
	if db.Dialect.Name != "sqlite" {
		return nil
	}
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok {
		return errors.New("bulk write outside a transaction")
	}
	if _, done := st.locals[bulkKey{}]; done {
		return nil
	}
	if _, err := st.tx.ExecContext(ctx, `PRAGMA mmap_size = 0`); err != nil {
		return fmt.Errorf("bulk write: %w", err)
	}
	if st.locals == nil {
		st.locals = map[any]any{}
	}
	st.locals[bulkKey{}] = true
	// the pool holds one writing connection: the one the transaction had
	st.after = append(st.after, func() {
		_, _ = db.write.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA mmap_size = %d`, mmapBytes))
	})
	return nil
}

type bulkKey struct{}
