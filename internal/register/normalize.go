package register

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The normalisers forgive what office staff type or Excel produces when
// they are not wrong: full-width characters, stray spaces, thousands
// separators, dates written the Chinese way, Excel serial dates.

// Fold turns full-width ASCII (０-９, Ａ-Ｚ, ，．：－／) into ordinary
// characters, ideographic spaces into spaces, and trims the result.
func Fold(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\u3000' || r == '\u00a0':
			b.WriteByte(' ')
		case r >= '！' && r <= '～':
			b.WriteRune(r - '！' + '!')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimFunc(b.String(), unicode.IsSpace)
}

// ParseNumber reads a decimal number into an integer scaled by 10^scale,
// exactly: "1,234.5" with scale 2 is 123450. A trailing 万 or 亿
// multiplies. Digits beyond the scale must be zero; the caller reports
// a number that does not fit.
func ParseNumber(s string, scale int) (int64, bool) {
	s = strings.ReplaceAll(Fold(s), ",", "")
	s = strings.ReplaceAll(s, "，", "")
	s = strings.ReplaceAll(s, " ", "")
	mult := 0
	switch {
	case strings.HasSuffix(s, "亿"):
		mult, s = 8, strings.TrimSuffix(s, "亿")
	case strings.HasSuffix(s, "万"):
		mult, s = 4, strings.TrimSuffix(s, "万")
	}
	if s == "" {
		return 0, false
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && (!hasDot || frac == "") {
		return 0, false
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, false
			}
		}
	}
	digits := intPart + frac
	exp := scale + mult - len(frac) // value = digits × 10^exp
	if exp < 0 {
		cut := len(digits) + exp
		if cut < 0 {
			cut = 0
		}
		if strings.Trim(digits[cut:], "0") != "" {
			return 0, false // more precision than the field holds
		}
		digits = digits[:cut]
		exp = 0
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, true
	}
	if len(digits)+exp > 18 {
		return 0, false
	}
	n, err := strconv.ParseInt(digits+strings.Repeat("0", exp), 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// FormatScaled writes an integer scaled by 10^scale as a decimal string.
func FormatScaled(n int64, scale int) string {
	if scale == 0 {
		return strconv.FormatInt(n, 10)
	}
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	s := strconv.FormatUint(u, 10)
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	out := s[:len(s)-scale] + "." + s[len(s)-scale:]
	if neg {
		out = "-" + out
	}
	return out
}

var (
	dateYMD     = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
	dateCompact = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
)

// ParseDate reads 2021-07-01, 2021/7/1, 2021.7.1, 2021年7月1日, 20210701,
// and — when serial is true, for cells Excel stored as numbers — Excel's
// serial day numbers, into "2006-01-02".
func ParseDate(s string, serial bool) (string, bool) {
	s = Fold(s)
	if m := dateYMD.FindStringSubmatch(s); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if m := dateCompact.FindStringSubmatch(s); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil && plausible(t) {
		return t.Format(time.DateOnly), true
	}
	if serial {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 && f == math.Trunc(f) {
			// Excel's day 1 is 1900-01-01 and it counts a 29 Feb 1900 that
			// never was, so from day 61 on the epoch is 1899-12-30.
			base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
			if f < 61 {
				base = base.AddDate(0, 0, 1)
			}
			return base.AddDate(0, 0, int(f)).Format(time.DateOnly), true
		}
	}
	return "", false
}

func ymd(y, m, d string) (string, bool) {
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if t.Year() != yi || int(t.Month()) != mi || t.Day() != di || !plausible(t) {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// plausible says whether a date lies in the years 1000 to 9999: earlier
// ones are typing slips ("0021-07-01"), and their instants in UTC may
// fall before year 0, which RFC 3339 and the API's JSON cannot write.
func plausible(t time.Time) bool {
	return t.Year() >= 1000 && t.Year() <= 9999
}

// ParseDateTime reads a date with a time of day, in China Standard Time
// unless a zone is given; a bare date means midnight.
func ParseDateTime(s string, serial bool) (time.Time, bool) {
	s = Fold(s)
	cst := time.FixedZone("CST", 8*3600)
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, cst); err == nil {
			return t.UTC(), plausible(t) && plausible(t.UTC())
		}
	}
	if serial {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 {
			day := math.Floor(f)
			d, ok := ParseDate(strconv.FormatFloat(day, 'f', 0, 64), true)
			if !ok {
				return time.Time{}, false
			}
			t, _ := time.ParseInLocation(time.DateOnly, d, cst)
			t = t.Add(time.Duration((f - day) * 24 * float64(time.Hour))).Round(time.Second).UTC()
			return t, plausible(t)
		}
	}
	if d, ok := ParseDate(s, false); ok {
		t, _ := time.ParseInLocation(time.DateOnly, d, cst)
		return t.UTC(), plausible(t.UTC())
	}
	return time.Time{}, false
}

// ParseBool reads 是/否, 有/无, true/false, yes/no, y/n, 1/0, √/×.
func ParseBool(s string) (bool, bool) {
	switch strings.ToLower(Fold(s)) {
	case "是", "有", "true", "yes", "y", "1", "√", "对", "t":
		return true, true
	case "否", "无", "false", "no", "n", "0", "×", "x", "错", "f":
		return false, true
	}
	return false, false
}
