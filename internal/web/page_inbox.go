package web

import (
	"net/http"
	"strconv"

	"kexie/internal/period"
	"kexie/internal/unit"
)

// messageRow is a message on the inbox page.
type messageRow struct {
	ID                   int64
	Kind, Title, Body    string
	Unit, From, At, Link string
	Read                 bool
	ReadBy               string
}

type inboxPage struct {
	Base
	Rows       []messageRow
	Unread     int
	UnreadOnly bool
	More       string
}

// pageInbox lists the messages of the caller's units, newest first.
func (s *Server) pageInbox(w http.ResponseWriter, r *http.Request) error {
	f, err := inboxFilter(r)
	if err != nil {
		return err
	}
	box, err := s.app.Datasets.Inbox(r.Context(), inboxPaths(principal(r)), f)
	if err != nil {
		return err
	}
	data := inboxPage{Base: s.base(r, "inbox.title", "inbox"), Unread: box.Unread, UnreadOnly: f.Unread}
	names := map[string]string{}
	unitNames := map[string]string{}
	unitName := func(code string) string {
		if n, ok := unitNames[code]; ok || code == "" {
			return n
		}
		unitNames[code] = code
		if u, err := s.app.Units.Get(r.Context(), unit.Everything(), code); err == nil {
			unitNames[code] = u.Name(data.Lang)
		}
		return unitNames[code]
	}
	for _, m := range box.Items {
		dsName, ok := names[m.DataSet]
		if !ok && m.DataSet != "" {
			dsName = m.DataSet
			if d, err := s.app.Datasets.Get(r.Context(), m.DataSet); err == nil {
				dsName = d.Name(data.Lang)
			}
			names[m.DataSet] = dsName
		}
		periodName := m.Period
		if p, err := period.Parse(m.Period); err == nil {
			periodName = data.periodName(p)
		}
		data.Rows = append(data.Rows, messageRow{ID: m.ID, Kind: m.Kind,
			Title: data.T("inbox.kind."+m.Kind, "dataset", dsName, "period", periodName, "from", unitName(m.FromUnit)),
			Body:  m.Body, Unit: m.Unit, From: m.From, At: data.When(m.CreatedAt), Link: m.Link, Read: m.ReadAt != nil, ReadBy: m.ReadBy})
	}
	if box.More && len(box.Items) > 0 {
		q := r.URL.Query()
		q.Set("before", strconv.FormatInt(box.Items[len(box.Items)-1].ID, 10))
		data.More = "/inbox?" + q.Encode()
	}
	return s.render(w, r, http.StatusOK, "inbox", data)
}

// pageInboxRead marks a message read; with go=1 it then opens the
// message's link (the form to fill in).
func (s *Server) pageInboxRead(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := s.app.Datasets.MarkRead(r.Context(), inboxPaths(principal(r)), id)
	if err != nil {
		return err
	}
	if r.PostForm.Get("go") == "1" && m.Link != "" {
		http.Redirect(w, r, safeNext(m.Link), http.StatusSeeOther)
		return nil
	}
	return seeOther(w, r, "/inbox", "message_read")
}
