package period

import (
	"testing"
	"time"
)

func TestRelative(t *testing.T) {
	at := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct{ id, now, want string }{
		{"THIS_YEAR", "2021-08-15", "2021"},
		{"LAST_YEAR", "2021-08-15", "2020"},
		{"THIS_HALF", "2021-06-30", "2021S1"},
		{"THIS_HALF", "2021-07-01", "2021S2"},
		{"LAST_HALF", "2021-03-01", "2020S2"},
		{"LAST_HALF", "2021-08-01", "2021S1"},
		{"THIS_QUARTER", "2021-08-15", "2021Q3"},
		{"LAST_QUARTER", "2021-02-15", "2020Q4"},
		{"THIS_MONTH", "2021-08-15", "202108"},
		{"LAST_MONTH", "2021-01-15", "202012"},
		{"LAST_12_MONTHS", "2021-08-15", "2020-08-01..2021-07-31"},
		{"LAST_12_MONTHS", "2021-01-01", "2020-01-01..2020-12-31"},
		{"this_half", "2021-07-01", "2021S2"},
	}
	for _, c := range cases {
		p, err := Relative(c.id, at(c.now))
		if err != nil || p.ID != c.want {
			t.Errorf("Relative(%s, %s) = %s %v, want %s", c.id, c.now, p.ID, err, c.want)
		}
	}
	if _, err := Relative("NEXT_YEAR", at("2021-01-01")); err == nil {
		t.Error("NEXT_YEAR accepted")
	}
	if p, err := ParseAt("2021Q2", at("2030-01-01")); err != nil || p.ID != "2021Q2" {
		t.Errorf("ParseAt fixed: %v %v", p, err)
	}
	if p, err := ParseAt("THIS_YEAR", at("2030-01-01")); err != nil || p.ID != "2030" {
		t.Errorf("ParseAt relative: %v %v", p, err)
	}
	if _, err := ParseAt("2021S3", at("2030-01-01")); err == nil {
		t.Error("ParseAt accepted 2021S3")
	}
}

func TestPrevious(t *testing.T) {
	cases := []struct{ id, want string }{
		{"2021", "2020"},
		{"2021S1", "2020S2"},
		{"2021S2", "2021S1"},
		{"2021Q1", "2020Q4"},
		{"2021Q3", "2021Q2"},
		{"202101", "202012"},
		{"202103", "202102"},
		{"2021W1", "2020W53"},
		{"2021W27", "2021W26"},
		{"2021-03-01..2021-05-31", "2020-12-01..2021-02-28"},
		{"2021-03-10..2021-03-19", "2021-02-28..2021-03-09"},
		{"2020-08-01..2021-07-31", "2019-08-01..2020-07-31"},
	}
	for _, c := range cases {
		p, err := Parse(c.id)
		if err != nil {
			t.Fatal(err)
		}
		if got := Previous(p); got.ID != c.want {
			t.Errorf("Previous(%s) = %s, want %s", c.id, got.ID, c.want)
		}
	}
}

func TestMonths(t *testing.T) {
	p, _ := Parse("2021S2")
	ms := Months(p)
	if len(ms) != 6 || ms[0].ID != "202107" || ms[5].ID != "202112" {
		t.Fatalf("months of 2021S2: %v", ms)
	}
	p, _ = Parse("2021W27")
	if ms := Months(p); len(ms) != 1 || ms[0].ID != "202107" {
		t.Fatalf("months of a week: %v", ms)
	}
	p, _ = Parse("2020-12-15..2021-01-10")
	if ms := Months(p); len(ms) != 2 || ms[1].ID != "202101" {
		t.Fatalf("months of a range: %v", ms)
	}
}

func TestLabel(t *testing.T) {
	cases := []struct{ id, zh, en string }{
		{"2021", "2021年", "2021"},
		{"2021S1", "2021年上半年", "2021 H1"},
		{"2021S2", "2021年下半年", "2021 H2"},
		{"2021Q3", "2021年第3季度", "2021 Q3"},
		{"202103", "2021年3月", "Mar 2021"},
		{"2021W27", "2021年第27周", "2021 week 27"},
		{"2021-03-01..2021-05-31", "2021-03-01 – 2021-05-31", "2021-03-01 – 2021-05-31"},
	}
	for _, c := range cases {
		p, _ := Parse(c.id)
		if got := Label(p, "zh-CN"); got != c.zh {
			t.Errorf("Label(%s, zh) = %q, want %q", c.id, got, c.zh)
		}
		if got := Label(p, "en"); got != c.en {
			t.Errorf("Label(%s, en) = %q, want %q", c.id, got, c.en)
		}
	}
	p, _ := Parse("202103")
	if ShortLabel(p, "zh-CN") != "3月" || ShortLabel(p, "en") != "Mar" {
		t.Error("ShortLabel")
	}
}
