package dataset

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// The kinds of inbox messages.
const (
	KindRemind   = "remind"   // 催报: a period is due
	KindReturned = "returned" // a form came back with a reason
)

// Message is a message to a unit, read by the users who hold a role there.
type Message struct {
	ID        int64      `json:"id"`
	Unit      string     `json:"unit"`
	Kind      string     `json:"kind"`
	DataSet   string     `json:"dataset,omitempty"`
	Period    string     `json:"period,omitempty"`
	Body      string     `json:"body"`
	Link      string     `json:"link,omitempty"`
	From      string     `json:"from"`
	FromUnit  string     `json:"from_unit,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
	ReadBy    string     `json:"read_by,omitempty"`
}

// EntryLink is the page where a unit enters a data set's period.
func EntryLink(code, unitCode, periodID string) string {
	return "/datasets/" + url.PathEscape(code) + "/entry?" + url.Values{"unit": {unitCode}, "period": {periodID}}.Encode()
}

// send leaves message m in the inbox of each unit, from the actor of ctx.
func (s *Service) send(ctx context.Context, to []unit.Unit, m Message) error {
	a := audit.ActorFrom(ctx)
	var by any
	if a.UserID != 0 {
		by = a.UserID
	}
	now := time.Now().UTC()
	for _, u := range to {
		id, err := s.unitID(ctx, u.Path)
		if err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO inbox_messages(unit_id, kind, dataset, period, body, link, sender_id, sender_name, sender_unit, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, id, m.Kind, m.DataSet, m.Period, m.Body, m.Link, by, actorName(ctx), m.FromUnit, now); err != nil {
			return err
		}
	}
	return nil
}

// InboxFilter selects messages.
type InboxFilter struct {
	Unread   bool
	BeforeID int64 // pages backwards: messages older than this id
	Limit    int
}

// Inbox is a page of messages, newest first.
type Inbox struct {
	Items  []Message `json:"items"`
	Unread int       `json:"unread"`
	More   bool      `json:"more"`
}

// units resolves the caller's units (the paths where it holds roles) to
// their ids and codes.
func (s *Service) inboxUnits(ctx context.Context, paths []string) (map[int64]string, error) {
	out := map[int64]string{}
	for _, p := range paths {
		ids, err := s.units.IDsOfPath(ctx, p)
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 && len(ids) == len(unit.Ancestors(p)) {
			out[ids[len(ids)-1]] = lastCode(p)
		}
	}
	return out, nil
}

func idList(units map[int64]string, args *store.Args) string {
	if len(units) == 0 {
		return "1=0"
	}
	ph := make([]string, 0, len(units))
	for id := range units {
		ph = append(ph, args.Add(id))
	}
	return "unit_id IN (" + strings.Join(ph, ",") + ")"
}

const messageCols = `id, unit_id, kind, dataset, period, body, link, sender_name, sender_unit, created_at, read_at, read_by`

func scanMessage(sc interface{ Scan(...any) error }, units map[int64]string) (Message, error) {
	var m Message
	var uid int64
	var read sql.NullTime
	if err := sc.Scan(&m.ID, &uid, &m.Kind, &m.DataSet, &m.Period, &m.Body, &m.Link, &m.From, &m.FromUnit, &m.CreatedAt, &read, &m.ReadBy); err != nil {
		return m, err
	}
	m.Unit = units[uid]
	m.CreatedAt = m.CreatedAt.UTC()
	if read.Valid {
		t := read.Time.UTC()
		m.ReadAt = &t
	}
	return m, nil
}

// MaxInbox bounds a page of messages.
const MaxInbox = 200

// Inbox returns the messages of the units at paths (the units where the
// caller holds a role), newest first.
func (s *Service) Inbox(ctx context.Context, paths []string, f InboxFilter) (*Inbox, error) {
	units, err := s.inboxUnits(ctx, paths)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > MaxInbox {
		f.Limit = 50
	}
	var args store.Args
	where := []string{idList(units, &args)}
	out := &Inbox{Items: []Message{}}
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox_messages WHERE `+where[0]+` AND read_at IS NULL`, args.Values()...).Scan(&out.Unread); err != nil {
		return nil, err
	}
	if f.Unread {
		where = append(where, "read_at IS NULL")
	}
	if f.BeforeID > 0 {
		where = append(where, "id < "+args.Add(f.BeforeID))
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT `+messageCols+` FROM inbox_messages WHERE `+strings.Join(where, " AND ")+
		` ORDER BY id DESC LIMIT `+args.Add(f.Limit+1), args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMessage(rows, units)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, m)
	}
	if len(out.Items) > f.Limit {
		out.Items, out.More = out.Items[:f.Limit], true
	}
	return out, rows.Err()
}

// MarkRead marks a message of one of the units at paths read; another
// unit's message is not found.
func (s *Service) MarkRead(ctx context.Context, paths []string, id int64) (Message, error) {
	units, err := s.inboxUnits(ctx, paths)
	if err != nil {
		return Message{}, err
	}
	var m Message
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		var args store.Args
		q := `SELECT ` + messageCols + ` FROM inbox_messages WHERE id = ` + args.Add(id) + ` AND ` + idList(units, &args)
		m, err = scanMessage(s.db.Q(ctx).QueryRowContext(ctx, q, args.Values()...), units)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.NotFound("message", id)
		}
		if err != nil || m.ReadAt != nil {
			return err
		}
		now := time.Now().UTC()
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE inbox_messages SET read_at = $1, read_by = $2 WHERE id = $3`, now, actorName(ctx), id); err != nil {
			return err
		}
		m.ReadAt, m.ReadBy = &now, actorName(ctx)
		var path string
		for _, p := range paths {
			if lastCode(p) == m.Unit {
				path = p
			}
		}
		return s.audit.Record(ctx, audit.Change{Action: "message_read", Entity: "inbox_message", EntityID: idText(id), UnitPath: path})
	})
	return m, err
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }
