// Package mailtest runs a small SMTP server on a local port for tests:
// it speaks the protocol's plain subset (EHLO, AUTH PLAIN, MAIL, RCPT,
// DATA, RSET, NOOP, QUIT) over a real TCP connection and keeps every
// message it receives.
package mailtest

import (
	"bufio"
	"encoding/base64"
	"io"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
)

// Message is a message the server received.
type Message struct {
	From    string
	To      []string
	Subject string // decoded
	Body    string // decoded
	Auth    string // the user of AUTH PLAIN, if any
}

// Server is a running SMTP server.
type Server struct {
	Addr string
	ln   net.Listener
	mu   sync.Mutex
	msgs []Message
	wg   sync.WaitGroup
}

// Start listens on a free local port until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

// Messages returns the messages received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.session(c) }()
	}
}

func (s *Server) session(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 mailtest ESMTP")
	var m Message
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			say("250-mailtest")
			say("250 AUTH PLAIN")
		case "AUTH":
			f := strings.Fields(line)
			if len(f) == 3 {
				if raw, err := base64.StdEncoding.DecodeString(f[2]); err == nil {
					if parts := strings.Split(string(raw), "\x00"); len(parts) == 3 {
						m.Auth = parts[1]
					}
				}
			}
			say("235 ok")
		case "MAIL":
			m = Message{Auth: m.Auth, From: addr(line)}
			say("250 ok")
		case "RCPT":
			m.To = append(m.To, addr(line))
			say("250 ok")
		case "DATA":
			say("354 go on")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			s.keep(m, data.String())
			say("250 kept")
		case "RSET", "NOOP":
			say("250 ok")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not here")
		}
	}
}

func addr(line string) string {
	i, j := strings.Index(line, "<"), strings.LastIndex(line, ">")
	if i < 0 || j < i {
		return ""
	}
	return line[i+1 : j]
}

func (s *Server) keep(m Message, data string) {
	if msg, err := mail.ReadMessage(strings.NewReader(data)); err == nil {
		m.Subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		body, _ := io.ReadAll(msg.Body)
		if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "base64") {
			dec, _ := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), ""))
			body = dec
		}
		m.Body = string(body)
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
}
