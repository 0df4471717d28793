package main

import (
	"strings"
	"testing"
)

func TestRemindCommand(t *testing.T) {
	data := "--data=" + t.TempDir()
	if out, err := kexie(t, "", "remind", data); err != nil || !strings.Contains(out, "reminders sent: 0") {
		t.Fatalf("remind: %q %v", out, err)
	}
	// a mail setting that cannot work stops the start, before anything runs
	t.Setenv("KEXIE_SMTP_ADDR", "mail.example.org")
	t.Setenv("KEXIE_SMTP_FROM", "kexie@example.org")
	if _, err := kexie(t, "", "remind", data); err == nil || !strings.Contains(err.Error(), "KEXIE_SMTP_ADDR") {
		t.Fatalf("bad SMTP address accepted: %v", err)
	}
	t.Setenv("KEXIE_SMTP_ADDR", "127.0.0.1:25")
	t.Setenv("KEXIE_SMTP_PASSWORD_FILE", data[len("--data="):]+"/missing")
	if _, err := kexie(t, "", "remind", data); err == nil || !strings.Contains(err.Error(), "KEXIE_SMTP_PASSWORD_FILE") {
		t.Fatalf("missing password file accepted: %v", err)
	}
}
