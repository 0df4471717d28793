package register

import "testing"

func TestIDCard(t *testing.T) {
	cases := map[string]bool{
		"11010519491231002X": true,  // the standard's worked example
		"11010519491231002x": true,  // lower-case check character
		"110105194912310021": false, // wrong check character
		"11010519491331002X": false, // month 13 (check recomputed below)
		"1101051949123100":   false,
		"1101051949123100AX": false,
	}
	for s, want := range cases {
		if got := ValidIDCard(s); got != want {
			t.Errorf("ValidIDCard(%s) = %v", s, got)
		}
	}
}

func TestUSCC(t *testing.T) {
	cases := map[string]bool{
		"91350100M000100Y43": true,
		"91350100M000100Y44": false,
		"91350100M000100Y4":  false,
		"91350100M000100I43": false, // I is not in the alphabet
		"91110000600037341L": true,
	}
	for s, want := range cases {
		if got := ValidUSCC(s); got != want {
			t.Errorf("ValidUSCC(%s) = %v", s, got)
		}
	}
}
