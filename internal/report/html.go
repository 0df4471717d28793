package report

import (
	"html/template"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// DrillHref links a figure to the page of the records or entered values
// behind it.
func DrillHref(f Fig) string {
	return "/metrics/" + url.PathEscape(f.Metric) + "/records?" + url.Values{"unit": {f.Unit}, "period": {f.Period}}.Encode()
}

// HTMLBody writes the document as an HTML fragment: each figure links to
// the records behind it.
func HTMLBody(d *Doc) template.HTML {
	var b strings.Builder
	for _, bl := range d.Blocks {
		switch bl.Kind {
		case Heading:
			n := strconv.Itoa(bl.Level)
			b.WriteString("<h" + n + ">" + inlineHTML(bl.Inline, d.Lang) + "</h" + n + ">\n")
		case Item:
			b.WriteString("<ul><li>" + inlineHTML(bl.Inline, d.Lang) + "</li></ul>\n")
		case Paragraph:
			b.WriteString("<p>" + inlineHTML(bl.Inline, d.Lang) + "</p>\n")
		case TableKind:
			b.WriteString(`<div class="table-wrap"><table class="report-table"><thead><tr>`)
			for _, h := range bl.Table.Head {
				b.WriteString("<th>" + template.HTMLEscapeString(h) + "</th>")
			}
			b.WriteString("</tr></thead><tbody>\n")
			for _, r := range bl.Table.Rows {
				b.WriteString("<tr>")
				for j, c := range r {
					if j == 0 {
						b.WriteString("<th>" + inlineHTML([]Inline{c}, d.Lang) + "</th>")
					} else {
						b.WriteString(`<td class="num">` + inlineHTML([]Inline{c}, d.Lang) + "</td>")
					}
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</tbody></table></div>\n")
		case ChartKind:
			b.WriteString(chartSVG(bl.Chart, d.Lang))
		}
	}
	// Consecutive items share one list.
	return template.HTML(strings.ReplaceAll(b.String(), "</li></ul>\n<ul><li>", "</li>\n<li>"))
}

func inlineHTML(l []Inline, lang string) string {
	var b strings.Builder
	for _, in := range l {
		if in.Fig != nil && in.Fig.Hidden {
			b.WriteString(`<span class="fig hidden">` + template.HTMLEscapeString(in.Fig.Text(lang)) + "</span>")
			continue
		}
		if in.Fig == nil {
			b.WriteString(template.HTMLEscapeString(in.Text))
			continue
		}
		b.WriteString(`<a class="fig" href="` + template.HTMLEscapeString(DrillHref(*in.Fig)) + `">` +
			template.HTMLEscapeString(in.Fig.Text(lang)) + "</a>")
	}
	return b.String()
}

// HTML writes the document as a standalone HTML page.
func HTML(w io.Writer, d *Doc) error {
	lang := "zh-CN"
	if d.Lang == "en" {
		lang = "en"
	}
	_, err := io.WriteString(w, `<!doctype html>
<html lang="`+lang+`"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>`+template.HTMLEscapeString(d.Title)+`</title>
<style>body{font-family:"FangSong","STFangsong","Noto Serif CJK SC",serif;max-width:46em;margin:2em auto;padding:0 1em;line-height:1.8}
h1{text-align:center;font-family:"Noto Serif CJK SC",serif}h2{font-family:"SimHei","Noto Sans CJK SC",sans-serif}
table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em}td.num{text-align:right}a.fig{color:inherit}figure.chart{margin:1em 0;text-align:center}figure.chart svg{max-width:100%;height:auto}</style>
</head><body>
`+string(HTMLBody(d))+`</body></html>
`)
	return err
}
