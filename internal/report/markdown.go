package report

import (
	"io"
	"strings"
)

// Markdown writes the document as Markdown.
func Markdown(w io.Writer, d *Doc) error {
	var b strings.Builder
	for i, bl := range d.Blocks {
		if i > 0 && !(bl.Kind == Item && d.Blocks[i-1].Kind == Item) {
			b.WriteString("\n")
		}
		switch bl.Kind {
		case Heading:
			b.WriteString(strings.Repeat("#", bl.Level) + " " + plain(bl.Inline, d.Lang) + "\n")
		case Item:
			b.WriteString("- " + plain(bl.Inline, d.Lang) + "\n")
		case Paragraph:
			b.WriteString(plain(bl.Inline, d.Lang) + "\n")
		case TableKind, ChartKind:
			t := bl.Table
			if bl.Chart != nil {
				t = bl.Chart.Table()
				b.WriteString("**" + t.Title + "**\n\n")
			}
			b.WriteString("| " + strings.Join(escapeCells(t.Head), " | ") + " |\n|")
			for range t.Head {
				b.WriteString(" --- |")
			}
			b.WriteString("\n")
			for _, r := range t.Rows {
				cells := make([]string, len(r))
				for j, c := range r {
					cells[j] = plain([]Inline{c}, d.Lang)
				}
				b.WriteString("| " + strings.Join(escapeCells(cells), " | ") + " |\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func escapeCells(cs []string) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return out
}

// plain is the text of a line, figures printed.
func plain(l []Inline, lang string) string {
	var b strings.Builder
	for _, in := range l {
		if in.Fig != nil {
			b.WriteString(in.Fig.Text(lang))
		} else {
			b.WriteString(in.Text)
		}
	}
	return b.String()
}
