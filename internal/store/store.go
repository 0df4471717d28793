// Package store opens the database (embedded SQLite or PostgreSQL), runs
// the embedded migrations and carries transactions through contexts. All
// dialect differences live in dialect.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"           // pure-Go SQLite driver "sqlite"
)

// Querier is what both *sql.DB and *sql.Tx offer.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open database: a pool for writes and a pool for reads. On
// SQLite the write pool holds one connection, so writers queue in Go rather
// than fight over the file lock; on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	dsn     string
	writes  atomic.Uint64 // write transactions committed, see Writes
	ckpt    *checkpointer // SQLite only
}

// Open opens the database named by dsn: "postgres://…" selects PostgreSQL;
// anything else is a SQLite file path. An empty dsn means dataDir/kexie.db.
func Open(ctx context.Context, dsn, dataDir string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	path := dsn
	if path == "" {
		if dataDir == "" {
			dataDir = "data"
		}
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		path = filepath.Join(dataDir, "kexie.db")
	}
	path = strings.TrimPrefix(path, "sqlite://")
	return openSQLite(ctx, path)
}

// mmapBytes is how much of an SQLite database file a connection maps
// into memory.
const mmapBytes = 1 << 30

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	// Every connection maps the file into memory: a read through an
	// index reaches each row by a memory access instead of a system call
	// per page (ten times faster over a million records,
	// docs/performance.md); the pages are the operating system's cache,
	// shared by every connection. The writer reads as much as the readers
	// (a scheme run reads every unit's facts inside its transaction).
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=mmap_size(" + strconv.Itoa(mmapBytes) + ")&_time_format=sqlite"
	// The one writing connection keeps a page cache of writeCacheKiB: a
	// batch of records touches pages all over a large table's indexes, the
	// facts they roll up to and the audit, and with the default 2 MB the
	// write spills and rereads pages one at a time (docs/performance.md).
	// The cache fills only as pages are used.
	// Its commits leave the log to the checkpointer (wal_autocheckpoint 0).
	w, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma=cache_size(-"+strconv.Itoa(writeCacheKiB)+")&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	r.SetConnMaxIdleTime(5 * time.Minute)
	ckpt, err := startCheckpointer(base)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	return &DB{Dialect: sqliteDialect, write: w, read: r, dsn: path, ckpt: ckpt}, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL address: %w", err)
	}
	// No parallel workers unless the address asks for them: kexie's reads
	// are many small index ranges, which PostgreSQL may still plan as a
	// parallel append (a dashboard's 50 metrics in one statement), and
	// starting the workers took 30 times the 5 ms of the work itself.
	if _, set := cfg.RuntimeParams["max_parallel_workers_per_gather"]; !set {
		cfg.RuntimeParams["max_parallel_workers_per_gather"] = "0"
	}
	// No JIT compilation unless the address asks for it: a records list's
	// count over a million records crosses its cost threshold, and
	// compiling took 15 ms of a 60 ms read that it did not make faster.
	if _, set := cfg.RuntimeParams["jit"]; !set {
		cfg.RuntimeParams["jit"] = "off"
	}
	db := stdlib.OpenDB(*cfg)
	// As many idle connections as open ones: with fewer, a busy server
	// closes connections it needs again a moment later, and a new
	// PostgreSQL backend costs milliseconds (it halved the throughput of
	// small API requests at 32 concurrent clients, docs/performance.md).
	// Idle ones still go after five minutes.
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return &DB{Dialect: postgresDialect, write: db, read: db, dsn: dsn}, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	var err error
	if db.ckpt != nil {
		err = db.ckpt.close()
	}
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// SQLitePath is the file of an embedded database, or "" on PostgreSQL.
func (db *DB) SQLitePath() string {
	if db.Dialect.Name == "sqlite" {
		return db.dsn
	}
	return ""
}

// Stats returns the pool statistics of the write and read pools.
func (db *DB) Stats() (write, read sql.DBStats) { return db.write.Stats(), db.read.Stats() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

type txKey struct{}

// txState is a transaction and the work to do just before it commits.
type txState struct {
	tx      *sql.Tx
	keys    []any
	flushes map[any]func(ctx context.Context) error
	locals  map[any]any
	after   []func() // run once the transaction has ended, either way
}

// WithTx runs fn in a transaction carried by the context it passes. A call
// made inside another WithTx joins the outer transaction, so services can
// compose without knowing who began it. fn's error rolls everything back.
func (db *DB) WithTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return fn(ctx)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	st := &txState{tx: tx, flushes: map[any]func(context.Context) error{}}
	tctx := context.WithValue(ctx, txKey{}, st)
	defer func() {
		for _, f := range st.after {
			defer f()
		}
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err == nil {
			// work registered with BeforeCommit runs inside the
			// transaction, in the order it was first registered
			for i := 0; i < len(st.keys) && err == nil; i++ {
				err = st.flushes[st.keys[i]](tctx)
			}
		}
		if err != nil {
			_ = tx.Rollback()
			return
		}
		cerr := tx.Commit()
		db.writes.Add(1) // even after a failed commit: a cache had better miss once too often
		if cerr != nil {
			err = fmt.Errorf("commit: %w", cerr)
		} else if db.ckpt != nil {
			db.ckpt.committed()
		}
	}()
	return fn(tctx)
}

// BeforeCommit arranges for flush to run once, inside the transaction of
// ctx, just before it commits; a second call with the same key keeps the
// first flush. Services that gather many small changes (the facts of
// metrics) write them in one go this way. Outside a transaction it
// reports an error: writes always run inside WithTx.
func (db *DB) BeforeCommit(ctx context.Context, key any, flush func(ctx context.Context) error) error {
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok {
		return errors.New("BeforeCommit outside a transaction")
	}
	if _, dup := st.flushes[key]; !dup {
		st.keys = append(st.keys, key)
		st.flushes[key] = flush
	}
	return nil
}

// TxLocal returns the value kept under key for the transaction of ctx,
// made by create on first use; nil outside a transaction.
func (db *DB) TxLocal(ctx context.Context, key any, create func() any) any {
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok {
		return nil
	}
	if st.locals == nil {
		st.locals = map[any]any{}
	}
	v, ok := st.locals[key]
	if !ok {
		v = create()
		st.locals[key] = v
	}
	return v
}

// Writes counts the write transactions this process has committed (or
// tried to). A cache of what the database says notes it when filled and
// trusts an entry only while it is unchanged, so that no write made here
// is ever hidden by the cache; writes made by other servers are not
// counted, and such a cache must say how long it may lag them.
func (db *DB) Writes() uint64 { return db.writes.Load() }

// Q returns the transaction in ctx, or the read pool when there is none.
// Writes must run inside WithTx.
func (db *DB) Q(ctx context.Context) Querier {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		return st.tx
	}
	return db.read
}

// Writer returns the write pool, for work that manages its own
// statements outside a transaction (bulk loads, backups).
func (db *DB) Writer() *sql.DB {
	db.writes.Add(1) // whatever is done with it may change anything
	return db.write
}

// Pools returns the write and read pools, for metrics.
func (db *DB) Pools() (write, read *sql.DB) { return db.write, db.read }

// Backup writes a consistent copy of an embedded database to path while
// it stays online (SQLite's VACUUM INTO); PostgreSQL is backed up with
// pg_dump instead.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Dialect.Name != "sqlite" {
		return errors.New("backup: only the embedded database; use pg_dump for PostgreSQL")
	}
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
