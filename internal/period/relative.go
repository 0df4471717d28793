package period

import (
	"fmt"
	"strings"
	"time"
)

// Relative period identifiers, resolved against a day: a dashboard saved
// with "this half-year" shows the current half-year whenever it is opened.
const (
	ThisYear     = "THIS_YEAR"
	LastYear     = "LAST_YEAR"
	ThisHalf     = "THIS_HALF"
	LastHalf     = "LAST_HALF"
	ThisQuarter  = "THIS_QUARTER"
	LastQuarter  = "LAST_QUARTER"
	ThisMonth    = "THIS_MONTH"
	LastMonth    = "LAST_MONTH"
	Last12Months = "LAST_12_MONTHS"
)

// RelativeIDs lists the relative identifiers in the order pages offer them.
var RelativeIDs = []string{ThisHalf, LastHalf, ThisYear, LastYear, Last12Months, ThisQuarter, LastQuarter, ThisMonth, LastMonth}

// IsRelative says whether id names a relative period.
func IsRelative(id string) bool {
	id = strings.ToUpper(strings.TrimSpace(id))
	for _, r := range RelativeIDs {
		if r == id {
			return true
		}
	}
	return false
}

// Relative resolves a relative identifier on the day of now (in now's
// location) to the fixed period it means then. LAST_12_MONTHS is the
// twelve whole months before the current one, as in DHIS2.
func Relative(id string, now time.Time) (Period, error) {
	y, m, _ := now.Date()
	half := 1
	if m > 6 {
		half = 2
	}
	q := (int(m)-1)/3 + 1
	var s string
	switch strings.ToUpper(strings.TrimSpace(id)) {
	case ThisYear:
		s = fmt.Sprintf("%04d", y)
	case LastYear:
		s = fmt.Sprintf("%04d", y-1)
	case ThisHalf:
		s = fmt.Sprintf("%04dS%d", y, half)
	case LastHalf:
		if half == 1 {
			s = fmt.Sprintf("%04dS2", y-1)
		} else {
			s = fmt.Sprintf("%04dS1", y)
		}
	case ThisQuarter:
		s = fmt.Sprintf("%04dQ%d", y, q)
	case LastQuarter:
		if q == 1 {
			s = fmt.Sprintf("%04dQ4", y-1)
		} else {
			s = fmt.Sprintf("%04dQ%d", y, q-1)
		}
	case ThisMonth:
		s = fmt.Sprintf("%04d%02d", y, int(m))
	case LastMonth:
		first := day(y, m, 1).AddDate(0, -1, 0)
		s = fmt.Sprintf("%04d%02d", first.Year(), int(first.Month()))
	case Last12Months:
		first := day(y, m, 1)
		s = first.AddDate(-1, 0, 0).Format(time.DateOnly) + ".." + first.AddDate(0, 0, -1).Format(time.DateOnly)
	default:
		return Period{}, fmt.Errorf("%q is not a relative period (%s)", id, strings.Join(RelativeIDs, ", "))
	}
	return Parse(s)
}

// ParseAt reads a period identifier, fixed or relative (resolved on the
// day of now).
func ParseAt(id string, now time.Time) (Period, error) {
	if IsRelative(id) {
		return Relative(id, now)
	}
	return Parse(id)
}

// Previous is the period of the same kind just before p: the year
// before a year, the half-year before a half-year, and for a date range
// the range of the same number of days that ends the day before it.
func Previous(p Period) Period {
	var s string
	y := p.From.Year()
	switch p.Kind {
	case Year:
		s = fmt.Sprintf("%04d", y-1)
	case Half:
		if p.From.Month() == 1 {
			s = fmt.Sprintf("%04dS2", y-1)
		} else {
			s = fmt.Sprintf("%04dS1", y)
		}
	case Quarter:
		f := p.From.AddDate(0, -3, 0)
		s = fmt.Sprintf("%04dQ%d", f.Year(), (int(f.Month())-1)/3+1)
	case Month:
		f := p.From.AddDate(0, -1, 0)
		s = fmt.Sprintf("%04d%02d", f.Year(), int(f.Month()))
	case Week:
		f := p.From.AddDate(0, 0, -7)
		wy, w := f.ISOWeek()
		s = fmt.Sprintf("%04dW%d", wy, w)
	default:
		days := int(p.To.Sub(p.From).Hours()/24+0.5) + 1
		to := p.From.AddDate(0, 0, -1)
		from := to.AddDate(0, 0, 1-days)
		// a range of whole months stays whole months (Mar–May → Dec–Feb)
		if p.From.Day() == 1 && p.To.AddDate(0, 0, 1).Day() == 1 {
			months := (p.To.Year()-p.From.Year())*12 + int(p.To.Month()-p.From.Month()) + 1
			from = p.From.AddDate(0, -months, 0)
		}
		s = from.Format(time.DateOnly) + ".." + to.Format(time.DateOnly)
	}
	prev, err := Parse(s)
	if err != nil {
		// only at the edge of the years Parse accepts (1900)
		return p
	}
	return prev
}

// Months lists the calendar months that p touches, in order; a period
// shorter than a month gives the month it lies in. At most 1200.
func Months(p Period) []Period {
	var out []Period
	for m := day(p.From.Year(), p.From.Month(), 1); !m.After(p.To) && len(out) < 1200; m = m.AddDate(0, 1, 0) {
		mp, err := Parse(m.Format("200601"))
		if err != nil {
			break
		}
		out = append(out, mp)
	}
	return out
}
