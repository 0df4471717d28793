package plan

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/mail"
	"kexie/internal/store"
)

// Notice is a reminder (催办) to a unit: a message in its inbox and, when
// mail is configured and the unit gave an address for reminders, an
// e-mail with a link to the page.
type Notice struct {
	Unit    int64  // the unit reminded
	Kind    string // the inbox message's kind: plan_remind, campaign_remind
	Period  string // the period the notice concerns ("" for none)
	Subject string // the mail's subject
	Body    string // the text of the message and the mail
	Link    string // the page's path, "/plan-tasks/12"
	From    string // the code of the reminding unit
}

// Notifier leaves reminders in units' inboxes and mails them to the
// addresses the units gave (plan_contacts): plans and campaigns remind
// through the same one.
type Notifier struct {
	db *store.DB
	// Mail sends reminders by e-mail too, when set (SMTP configured).
	Mail *mail.Sender
	// BaseURL is the server's public address, for links in mail.
	BaseURL string
	// Log receives what goes wrong outside a request (mail not sent).
	Log *slog.Logger
}

// NewNotifier returns a notifier that writes inboxes in db and sends no
// mail until Mail is set.
func NewNotifier(db *store.DB) *Notifier { return &Notifier{db: db} }

// Leave writes n into its unit's inbox, in ctx's transaction; the
// sender is the actor of ctx.
func (m *Notifier) Leave(ctx context.Context, n Notice, at time.Time) error {
	var by any
	if a := audit.ActorFrom(ctx); a.UserID != 0 {
		by = a.UserID
	}
	if _, err := m.db.Q(ctx).ExecContext(ctx, `INSERT INTO inbox_messages(unit_id, kind, dataset, period, body, link, sender_id, sender_name, sender_unit, created_at)
		VALUES ($1, $2, '', $3, $4, $5, $6, $7, $8, $9)`, n.Unit, n.Kind, n.Period, n.Body, n.Link, by, actorName(ctx), n.From, at); err != nil {
		return fmt.Errorf("remind: %w", err)
	}
	return nil
}

// Send mails notices, once the transaction that left them committed, to
// the units that gave an address. A mail that fails is logged: the inbox
// holds the reminder, and a mail server down does not undo it.
func (m *Notifier) Send(ctx context.Context, ns []Notice) {
	if m.Mail == nil {
		return
	}
	addr := map[int64]string{}
	for _, n := range ns {
		to, ok := addr[n.Unit]
		if !ok {
			var err error
			if to, err = m.contactOf(ctx, n.Unit); err != nil {
				m.log().Warn("reminder address not read", slog.Int64("unit", n.Unit), slog.Any("error", err))
			}
			addr[n.Unit] = to
		}
		if to == "" {
			continue
		}
		if err := m.Mail.Send(ctx, mail.Message{To: []string{to}, Subject: n.Subject, Body: n.Body + "\n\n" + m.Link(n.Link)}); err != nil {
			m.log().Warn("reminder not mailed", slog.String("link", n.Link), slog.String("to", to), slog.Any("error", err))
		}
	}
}

// Link is the address of a page for a mail, under BaseURL when set.
func (m *Notifier) Link(path string) string { return strings.TrimSuffix(m.BaseURL, "/") + path }

func (m *Notifier) log() *slog.Logger {
	if m.Log != nil {
		return m.Log
	}
	return slog.Default()
}
