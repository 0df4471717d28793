package figure

import (
	"math"
	"testing"
)

func TestFormat(t *testing.T) {
	cases := []struct {
		v        float64
		unit     string
		decimals int
		percent  bool
		lang     string
		want     string
	}{
		// the work report's own figures
		{83500, "", 0, false, "zh-CN", "8.35万"},
		{83500, "人", 0, false, "zh-CN", "8.35万人"},
		{6340000, "人次", 0, false, "zh-CN", "634万人次"},
		{20280000, "元", 0, false, "zh-CN", "2028万元"},
		{69.8, "", 1, true, "zh-CN", "69.8%"},
		{69.8, "%", 1, false, "zh-CN", "69.8%"},
		{82, "%", 1, false, "zh-CN", "82%"},
		{2059, "个", 0, false, "zh-CN", "2059个"},
		{7.4, "TB", 1, false, "zh-CN", "7.4TB"},
		{2.86, "TB", 2, false, "zh-CN", "2.86TB"},
		// scaling thresholds and rounding
		{9999, "", 0, false, "zh-CN", "9999"},
		{10000, "", 0, false, "zh-CN", "1万"},
		{9999.6, "", 0, false, "zh-CN", "1万"},
		{9999.4, "", 0, false, "zh-CN", "9999"},
		{12345678, "", 0, false, "zh-CN", "1234.57万"},
		{99999999, "", 0, false, "zh-CN", "1亿"},
		{120000000, "元", 0, false, "zh-CN", "1.2亿元"},
		{-83500, "", 0, false, "zh-CN", "-8.35万"},
		{0, "场次", 0, false, "zh-CN", "0场次"},
		{12.345, "", 2, false, "zh-CN", "12.35"},
		{12.5, "", 0, false, "zh-CN", "13"},
		{-0.0001, "", 2, false, "zh-CN", "0"},
		// a unit that carries a scale is not scaled again
		{2028, "万元", 0, false, "zh-CN", "2028万元"},
		{12000, "万元", 0, false, "zh-CN", "12000万元"},
		// English
		{83500, "人", 0, false, "en", "83,500 people"},
		{6340000, "人次", 0, false, "en", "6.34 million person-times"},
		{20280000, "元", 0, false, "en", "20.28 million yuan"},
		{2059, "个", 0, false, "en", "2,059"},
		{1234.5, "TB", 1, false, "en", "1,234.5 TB"},
		{69.8, "", 1, true, "en", "69.8%"},
		{2.5e9, "", 0, false, "en", "2.5 billion"},
		{-1234567, "", 0, false, "en", "-1.23 million"},
		// no figure
		{math.NaN(), "", 0, false, "zh-CN", "—"},
		{math.Inf(1), "", 0, false, "en", "—"},
	}
	for _, c := range cases {
		if got := Format(c.v, c.unit, c.decimals, c.percent, c.lang); got != c.want {
			t.Errorf("Format(%v, %q, %d, %v, %s) = %q, want %q", c.v, c.unit, c.decimals, c.percent, c.lang, got, c.want)
		}
	}
	if got := Ptr(nil, "人", 0, false, "zh-CN"); got != None {
		t.Errorf("Ptr(nil) = %q", got)
	}
	v := 83500.0
	if got := Ptr(&v, "人", 0, false, "zh-CN"); got != "8.35万人" {
		t.Errorf("Ptr = %q", got)
	}
}

func TestChange(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	cases := []struct {
		v, prev *float64
		want    string
	}{
		{f(110), f(100), "+10%"},
		{f(90), f(100), "-10%"},
		{f(100), f(100), "0%"},
		{f(1), f(3), "-66.7%"},
		{f(5), f(-5), "+200%"},
		{f(5), f(0), "—"},
		{nil, f(1), "—"},
		{f(1), nil, "—"},
	}
	for _, c := range cases {
		if got := Change(c.v, c.prev); got != c.want {
			t.Errorf("Change = %q, want %q", got, c.want)
		}
	}
}

func FuzzFormat(f *testing.F) {
	f.Add(83500.0, "人", 0, false, "zh-CN")
	f.Add(-1e12, "元", 2, false, "en")
	f.Add(69.8, "%", 1, true, "zh-CN")
	f.Fuzz(func(t *testing.T, v float64, unit string, decimals int, percent bool, lang string) {
		if s := Format(v, unit, decimals, percent, lang); s == "" {
			t.Fatal("empty")
		}
	})
}
