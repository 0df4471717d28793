package period

import "testing"

func TestParse(t *testing.T) {
	cases := []struct{ id, from, to string }{
		{"2021", "2021-01-01", "2021-12-31"},
		{"2021S1", "2021-01-01", "2021-06-30"},
		{"2021S2", "2021-07-01", "2021-12-31"},
		{"2021Q3", "2021-07-01", "2021-09-30"},
		{"202102", "2021-02-01", "2021-02-28"},
		{"202002", "2020-02-01", "2020-02-29"},
		{"2021W1", "2021-01-04", "2021-01-10"},
		{"2021W27", "2021-07-05", "2021-07-11"},
		{"2020W53", "2020-12-28", "2021-01-03"},
		{"2021-03-01..2021-05-31", "2021-03-01", "2021-05-31"},
	}
	for _, c := range cases {
		p, err := Parse(c.id)
		if err != nil || p.FromDate() != c.from || p.ToDate() != c.to {
			t.Errorf("%s: %s..%s %v, want %s..%s", c.id, p.FromDate(), p.ToDate(), err, c.from, c.to)
		}
	}
	for _, bad := range []string{"", "21", "2021S3", "2021Q5", "202113", "2021W54", "2021W53", "2021-05-31..2021-03-01", "x", "0000"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	p, _ := Parse("2021S1")
	if !p.Contains("2021-06-30") || p.Contains("2021-07-01") {
		t.Error("Contains")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2021", "2021S1", "2021Q3", "202107", "2021W27", "2021-01-01..2021-06-30", "9999W99", "2021-02-29..2021-03-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err == nil && p.To.Before(p.From) {
			t.Fatalf("%q: to before from", s)
		}
	})
}
