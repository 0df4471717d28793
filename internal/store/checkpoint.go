package store

import (
	"context"
	"database/sql"
	"time"
)

// checkpointEvery is the least time between two checkpoints.
const checkpointEvery = time.Second

// checkpointer copies SQLite's write-ahead log into the database file in
// the background, on a connection of its own, a moment after writes
// commit. SQLite would otherwise do it inside the commit that takes the
// log past 1,000 pages, so that one commit — an import's, typically —
// also waits for every page it wrote to be copied and the file synced.
// The copy is passive: it never waits for readers or holds up writers,
// and what it cannot copy yet it copies next time. At most one runs a
// second; the last connection to close copies what is left.
type checkpointer struct {
	conn *sql.DB
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

func startCheckpointer(dsn string) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	c := &checkpointer{conn: conn, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		_, _ = c.conn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// committed asks for a checkpoint soon; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.conn.Close()
}
