package register

import "strings"

// ValidIDCard checks a Chinese resident identity number (GB 11643): 17
// digits and a check character computed with ISO 7064 MOD 11-2, plus a
// plausible birth date.
func ValidIDCard(s string) bool {
	if len(s) != 18 {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * weights[i]
	}
	check := "10X98765432"[sum%11]
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	if last != check {
		return false
	}
	month := (s[10]-'0')*10 + (s[11] - '0')
	day := (s[12]-'0')*10 + (s[13] - '0')
	year := s[6:10]
	return month >= 1 && month <= 12 && day >= 1 && day <= 31 && year >= "1900" && year <= "2100"
}

// usccAlphabet is the character set of unified social credit codes
// (GB 32100): digits and capital letters without I, O, S, V, Z.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// ValidUSCC checks an 18-character unified social credit code (GB 32100)
// with its MOD 31 check character.
func ValidUSCC(s string) bool {
	if len(s) != 18 {
		return false
	}
	s = strings.ToUpper(s)
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccAlphabet, s[i])
		if v < 0 {
			return false
		}
		sum += v * weights[i]
	}
	c := (31 - sum%31) % 31
	return s[17] == usccAlphabet[c]
}
