// Package figure prints numbers the way the association's reports do:
// 8.35万, 634万人次, 2028万元, 69.8% in Chinese; 83,500, 6.34 million
// in English; "—" where there is no figure. Pages, the API and reports
// share it, so a figure reads the same everywhere.
package figure

import (
	"math"
	"strconv"
	"strings"
)

// None is what a missing figure prints as.
const None = "—"

// Format prints v with its unit of measure. decimals is the precision of
// a figure below 10,000 (trailing zeros dropped); above, Chinese scales
// to 万 or 亿 with at most two decimals. percent (or the unit "%") prints
// v as a percentage: v is already in percent (69.8, not 0.698). lang is
// "en" for English, anything else for Chinese.
func Format(v float64, unit string, decimals int, percent bool, lang string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return None
	}
	if decimals < 0 {
		decimals = 0
	}
	if decimals > 6 {
		decimals = 6
	}
	unit = strings.TrimSpace(unit)
	if percent || unit == "%" {
		return fixed(v, max(decimals, 0), lang == "en") + "%"
	}
	if lang == "en" {
		return english(v, unit, decimals)
	}
	return chinese(v, unit, decimals)
}

// Ptr prints a figure that may be missing (nil prints as None).
func Ptr(v *float64, unit string, decimals int, percent bool, lang string) string {
	if v == nil {
		return None
	}
	return Format(*v, unit, decimals, percent, lang)
}

func chinese(v float64, unit string, decimals int) string {
	abs := math.Abs(v)
	// a unit that already carries a scale (万元, 亿元) is not scaled again
	scaled := strings.HasPrefix(unit, "万") || strings.HasPrefix(unit, "亿")
	switch {
	case !scaled && abs >= 1e8 && roundTo(abs/1e8, 2) >= 1:
		return fixed(v/1e8, 2, false) + "亿" + unit
	case !scaled && roundTo(abs, decimals) >= 1e4:
		s := fixed(v/1e4, 2, false)
		if s == "10000" || s == "-10000" { // 9999.999万 rounds up to 1亿
			return fixed(v/1e8, 2, false) + "亿" + unit
		}
		return s + "万" + unit
	}
	return fixed(v, decimals, false) + unit
}

// unitsEN names the usual Chinese units of measure in English; a unit not
// listed is printed as it is.
var unitsEN = map[string]string{
	"个": "", "家": "", "所": "", "座": "", "支": "",
	"人": "people", "名": "people", "位": "people", "人次": "person-times",
	"场": "events", "场次": "events", "次": "times", "项": "items", "件": "items",
	"篇": "articles", "期": "issues", "册": "volumes", "本": "volumes", "部": "works",
	"元": "yuan", "万元": "×10k yuan", "亿元": "×100m yuan", "天": "days", "小时": "hours",
}

func english(v float64, unit string, decimals int) string {
	if u, ok := unitsEN[unit]; ok {
		unit = u
	}
	abs := math.Abs(v)
	var s string
	switch {
	case abs >= 1e9 && roundTo(abs/1e9, 2) >= 1:
		s = fixed(v/1e9, 2, false) + " billion"
	case roundTo(abs, decimals) >= 1e6:
		s = fixed(v/1e6, 2, false) + " million"
	default:
		s = fixed(v, decimals, true)
	}
	if unit == "" {
		return s
	}
	return s + " " + unit
}

func roundTo(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}

// fixed prints v with at most decimals decimals, trailing zeros dropped,
// and thousands separators when sep is set.
func fixed(v float64, decimals int, sep bool) string {
	s := strconv.FormatFloat(roundTo(v, decimals), 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	if !sep {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// Change prints the relative change from prev to v as a signed
// percentage with one decimal (+12.5%, -3%), or None when there is no
// base to compare with.
func Change(v, prev *float64) string {
	c, ok := ChangeOf(v, prev)
	if !ok {
		return None
	}
	s := fixed(c, 1, false)
	if c > 0 {
		s = "+" + s
	}
	return s + "%"
}

// ChangeOf is the relative change from prev to v in percent; ok is false
// when either is missing or prev is zero.
func ChangeOf(v, prev *float64) (float64, bool) {
	if v == nil || prev == nil || *prev == 0 {
		return 0, false
	}
	return (*v - *prev) / math.Abs(*prev) * 100, true
}
