package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// chartSVG draws the chart as inline SVG (no script, so the standalone
// HTML file and the pages show it alike); each figure links to its
// records.
func chartSVG(c *Chart, lang string) string {
	var b strings.Builder
	esc := template.HTMLEscapeString
	vals := c.Values()
	top := 0.0
	for _, v := range vals {
		top = math.Max(top, v)
	}
	n := len(vals)
	col := func(i int) string {
		p := palette[i%len(palette)]
		return fmt.Sprintf("#%02x%02x%02x", p.R, p.G, p.B)
	}
	link := func(i int, inner string) string {
		return `<a class="fig" href="` + esc(DrillHref(c.Figs[i])) + `">` + inner + `</a>`
	}
	const w = 640
	switch c.Kind {
	case Bar:
		h := 20 + 26*max(n, 1)
		fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" width="%d" role="img" aria-label="%s" font-size="13">`, w, h, w, esc(c.Title))
		for i, v := range vals {
			y := 10 + 26*i
			bw := 0.0
			if top > 0 {
				bw = 380 * v / top
			}
			fmt.Fprintf(&b, `<text x="116" y="%d" text-anchor="end">%s</text><rect x="124" y="%d" width="%.1f" height="18" fill="%s"/>`,
				y+14, esc(c.Labels[i]), y+1, bw, col(0))
			b.WriteString(link(i, fmt.Sprintf(`<text x="%.1f" y="%d">%s</text>`, 130+bw, y+14, esc(c.Figs[i].Text(lang)))))
		}
	case Line:
		h := 260
		fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" width="%d" role="img" aria-label="%s" font-size="12">`, w, h, w, esc(c.Title))
		x0, x1, y0, y1 := 60.0, float64(w-60), 30.0, float64(h-40)
		step := (x1 - x0) / float64(max(n-1, 1))
		var pts []string
		for i, v := range vals {
			y := y1
			if top > 0 {
				y = y1 - (y1-y0)*v/top
			}
			x := x0 + step*float64(i)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/><text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, y, col(0), x, y1+24, esc(c.Labels[i]))
			b.WriteString(link(i, fmt.Sprintf(`<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, y-10, esc(c.Figs[i].Text(lang)))))
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/><line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#666"/>`, strings.Join(pts, " "), col(0), x0, y1, x1, y1)
	case Pie:
		h := max(240, 20+22*n)
		fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" width="%d" role="img" aria-label="%s" font-size="12">`, w, h, w, esc(c.Title))
		sum := 0.0
		for _, v := range vals {
			sum += v
		}
		cx, cy, r := 120.0, float64(h)/2, 100.0
		a := 0.0
		for i, v := range vals {
			if sum > 0 && v > 0 {
				da := v / sum * 2 * math.Pi
				if da >= 2*math.Pi-1e-9 {
					fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"/>`, cx, cy, r, col(i))
				} else {
					large := 0
					if da > math.Pi {
						large = 1
					}
					fmt.Fprintf(&b, `<path d="M%.1f,%.1f L%.1f,%.1f A%.1f,%.1f 0 %d 1 %.1f,%.1f Z" fill="%s"/>`, cx, cy,
						cx+r*math.Sin(a), cy-r*math.Cos(a), r, r, large, cx+r*math.Sin(a+da), cy-r*math.Cos(a+da), col(i))
				}
				a += da
			}
			y := 14 + 22*i
			fmt.Fprintf(&b, `<rect x="260" y="%d" width="12" height="12" fill="%s"/><text x="280" y="%d">%s </text>`, y, col(i), y+11, esc(c.Labels[i]))
			b.WriteString(link(i, fmt.Sprintf(`<text x="420" y="%d">%s</text>`, y+11, esc(c.Figs[i].Text(lang)))))
		}
	}
	b.WriteString(`</svg>`)
	return `<figure class="chart">` + b.String() + `<figcaption>` + esc(c.Title) + `</figcaption></figure>` + "\n"
}
