package mail_test

import (
	"context"
	"strings"
	"testing"

	"kexie/internal/mail"
	"kexie/internal/mail/mailtest"
)

func TestSend(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := mail.New(mail.Config{Addr: srv.Addr, From: "kexie@example.org", User: "kexie", Password: "secret"})
	if err != nil || s == nil {
		t.Fatal(s, err)
	}
	body := strings.Repeat("催办：请于 12 月 31 日前报送进展。", 10)
	if err := s.Send(context.Background(), mail.Message{To: []string{"office@nj.example.org", "b@nj.example.org"}, Subject: "催办：新建企业科协", Body: body}); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].From != "kexie@example.org" || len(got[0].To) != 2 || got[0].Subject != "催办：新建企业科协" ||
		got[0].Body != body || got[0].Auth != "kexie" {
		t.Fatalf("received %+v", got)
	}
}

func TestConfig(t *testing.T) {
	if s, err := mail.New(mail.Config{}); s != nil || err != nil {
		t.Fatalf("no address: %v %v", s, err)
	}
	for _, c := range []mail.Config{{Addr: "mail.example.org", From: "a@b.org"}, {Addr: "mail.example.org:25", From: "not an address"}} {
		if _, err := mail.New(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if !mail.ValidAddress("office@nj.example.org") || mail.ValidAddress("Office <o@x.org>") || mail.ValidAddress("x") {
		t.Error("ValidAddress")
	}
	// a server that is not there answers an error, not a hang
	s, _ := mail.New(mail.Config{Addr: "127.0.0.1:1", From: "a@b.org"})
	if err := s.Send(context.Background(), mail.Message{To: []string{"x@y.org"}, Subject: "s", Body: "b"}); err == nil {
		t.Error("sent to a closed port")
	}
}
