package period

import (
	"fmt"
	"strings"
)

// Label names a period for people: 2021年上半年 / 2021 H1, 2021年3月 /
// Mar 2021, and a range by its two days.
func Label(p Period, lang string) string {
	en := lang == "en"
	y := p.From.Year()
	switch p.Kind {
	case Year:
		if en {
			return fmt.Sprint(y)
		}
		return fmt.Sprintf("%d年", y)
	case Half:
		h := 1
		if p.From.Month() > 6 {
			h = 2
		}
		if en {
			return fmt.Sprintf("%d H%d", y, h)
		}
		return fmt.Sprintf("%d年%s半年", y, map[int]string{1: "上", 2: "下"}[h])
	case Quarter:
		q := (int(p.From.Month())-1)/3 + 1
		if en {
			return fmt.Sprintf("%d Q%d", y, q)
		}
		return fmt.Sprintf("%d年第%d季度", y, q)
	case Month:
		if en {
			return p.From.Format("Jan 2006")
		}
		return fmt.Sprintf("%d年%d月", y, int(p.From.Month()))
	case Week:
		wy, w := p.From.ISOWeek()
		if en {
			return fmt.Sprintf("%d week %d", wy, w)
		}
		return fmt.Sprintf("%d年第%d周", wy, w)
	}
	return strings.Replace(p.ID, "..", " – ", 1)
}

// ShortLabel names a month within its year (3月 / Mar), for chart axes;
// other periods get their Label.
func ShortLabel(p Period, lang string) string {
	if p.Kind != Month {
		return Label(p, lang)
	}
	if lang == "en" {
		return p.From.Format("Jan")
	}
	return fmt.Sprintf("%d月", int(p.From.Month()))
}
