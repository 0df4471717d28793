package unit

import (
	"testing"

	"kexie/internal/store"
)

func TestScope(t *testing.T) {
	s := Subtrees("/320000/320100/", "/320000/320100/320102/", "/320000/320300/")
	if got := s.Roots(); len(got) != 2 {
		t.Fatalf("covered root kept: %v", got)
	}
	cases := []struct {
		path string
		want bool
	}{
		{"/320000/320100/", true},
		{"/320000/320100/320102/EDU01/", true},
		{"/320000/", false},
		{"/320000/3201000/", false}, // a sibling whose code starts like the root
		{"/320000/320300/320302/", true},
		{"/320000/320400/", false},
	}
	for _, c := range cases {
		if got := s.Contains(c.path); got != c.want {
			t.Errorf("Contains(%s) = %v", c.path, got)
		}
	}
	if !Subtrees().Empty() || Everything().Empty() || !Everything().Contains("/x/") {
		t.Error("empty / everything")
	}
	if u := Subtrees("/a/b/").Union(Subtrees("/a/")); len(u.Roots()) != 1 || u.Roots()[0] != "/a/" {
		t.Errorf("union: %v", u.Roots())
	}
	var args store.Args
	if c := Subtrees().Cond("p", &args); c != "1=0" {
		t.Errorf("empty cond %q", c)
	}
	from, to := PathRange("/320000/320100/")
	if from != "/320000/320100/" || to != "/320000/3201000" {
		t.Errorf("range %s %s", from, to)
	}
	// every descendant path sorts inside the range; siblings outside
	for _, p := range []string{"/320000/320100/", "/320000/320100/320102/", "/320000/320100/Z/", "/320000/320100/-x/", "/320000/320100/./"} {
		if !(p >= from && p < to) {
			t.Errorf("%s outside range", p)
		}
	}
	for _, p := range []string{"/320000/3201000/", "/320000/320100-x/", "/320000/320100./", "/320000/32010/"} {
		if p >= from && p < to {
			t.Errorf("%s inside range", p)
		}
	}
}
