// Package mail sends notices by e-mail through an SMTP server, when one
// is configured: reminders (催办) of plans reach a unit's office this way
// as well as through its inbox.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// Config says where and as whom mail is sent. It is built once at start
// (KEXIE_SMTP_ADDR, KEXIE_SMTP_FROM, KEXIE_SMTP_USER and
// KEXIE_SMTP_PASSWORD or KEXIE_SMTP_PASSWORD_FILE); Addr "" sends none.
type Config struct {
	Addr     string // host:port of the SMTP server
	From     string // the sender's address
	User     string // "" for a server that takes mail without logging in
	Password string
}

// Enabled says whether mail is configured.
func (c Config) Enabled() bool { return c.Addr != "" }

// Validate checks a configuration that sends mail.
func (c Config) Validate() error {
	if !c.Enabled() {
		return nil
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("KEXIE_SMTP_ADDR %q: want host:port", c.Addr)
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("KEXIE_SMTP_FROM %q: %w", c.From, err)
	}
	return nil
}

// Message is one e-mail in plain text.
type Message struct {
	To      []string
	Subject string
	Body    string
}

// Sender sends mail through the configured server.
type Sender struct {
	cfg Config
	// Timeout bounds one delivery.
	Timeout time.Duration
}

// New returns a sender, or nil when mail is not configured.
func New(cfg Config) (*Sender, error) {
	if !cfg.Enabled() {
		return nil, nil
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Sender{cfg: cfg, Timeout: 30 * time.Second}, nil
}

// ValidAddress says whether s is one e-mail address.
func ValidAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// Send delivers m: STARTTLS when the server offers it, the login when a
// user is configured (net/smtp refuses to send a password in clear
// except to localhost).
func (s *Sender) Send(ctx context.Context, m Message) error {
	if len(m.To) == 0 {
		return errors.New("mail: no recipient")
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.cfg.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("mail: starttls: %w", err)
		}
	}
	if s.cfg.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.User, s.cfg.Password, host)); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	if err := c.Mail(s.cfg.From); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	for _, to := range m.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("mail: to %s: %w", to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: data: %w", err)
	}
	if _, err := w.Write(s.compose(m)); err != nil {
		return fmt.Errorf("mail: data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: data: %w", err)
	}
	return c.Quit()
}

// compose writes the message: UTF-8 subject and body (base64), the
// headers a mail server and a reader expect.
func (s *Sender) compose(m Message) []byte {
	var b bytes.Buffer
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", s.cfg.From)
	hdr("To", strings.Join(m.To, ", "))
	hdr("Subject", mime.BEncoding.Encode("UTF-8", m.Subject))
	hdr("Date", time.Now().Format(time.RFC1123Z))
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(m.Body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}
