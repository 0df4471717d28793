package report

import (
	"context"
	"strings"

	"kexie/internal/metric"
	"kexie/internal/period"
)

// Block kinds of a document.
const (
	Heading   = "heading" // Level 1 (title) to 4
	Paragraph = "paragraph"
	Item      = "item" // a list item
	TableKind = "table"
	ChartKind = "chart"
)

// Block is a heading, a paragraph, a list item or a table.
type Block struct {
	Kind   string   `json:"kind"`
	Level  int      `json:"level,omitempty"`
	Inline []Inline `json:"inline,omitempty"`
	Table  *Table   `json:"table,omitempty"`
	Chart  *Chart   `json:"chart,omitempty"`
}

// Doc is a generated report.
type Doc struct {
	Title  string  `json:"title"`
	Unit   string  `json:"unit"`
	Period string  `json:"period"`
	Lang   string  `json:"lang"`
	Blocks []Block `json:"blocks"`
	Figs   []Fig   `json:"figures"` // every figure printed, in order
	Empty  bool    `json:"empty"`   // no figure has data
}

// Generate evaluates t for the subtree of unitCode over periodID.
func Generate(ctx context.Context, src Source, t *Template, unitCode, periodID, lang string) (*Doc, error) {
	p, err := metric.ParsePeriod(periodID)
	if err != nil {
		return nil, err
	}
	return generateAt(ctx, src, t, unitCode, p, lang)
}

func generateAt(ctx context.Context, src Source, t *Template, unitCode string, p period.Period, lang string) (*Doc, error) {
	u, err := src.Units.Get(ctx, src.Scope, unitCode) // out of scope: not found
	if err != nil {
		return nil, err
	}
	ev := newEvaluator(ctx, src, u, p, lang)
	if err := ev.prefetch(t.Codes); err != nil {
		return nil, err
	}
	if err := ev.nodes(t.nodes); err != nil {
		return nil, err
	}
	d := build(ev.out)
	d.Unit, d.Period, d.Lang, d.Figs = unitCode, p.ID, lang, ev.figs
	d.Empty = true
	for _, f := range ev.figs {
		if f.Value != nil && *f.Value != 0 {
			d.Empty = false
			break
		}
	}
	return d, nil
}

// build splits the output into lines and the lines into blocks.
func build(segs []seg) *Doc {
	d := &Doc{}
	var line []Inline
	var para []Inline
	flushPara := func() {
		if len(para) > 0 {
			d.Blocks = append(d.Blocks, Block{Kind: Paragraph, Inline: para})
			para = nil
		}
	}
	endLine := func() {
		text := lineText(line)
		trim := strings.TrimSpace(text)
		switch {
		case trim == "":
			flushPara()
		case strings.HasPrefix(trim, "#"):
			flushPara()
			level := len(trim) - len(strings.TrimLeft(trim, "#"))
			if level > 4 {
				level = 4
			}
			d.Blocks = append(d.Blocks, Block{Kind: Heading, Level: level, Inline: trimInline(line, level)})
			if level == 1 && d.Title == "" {
				d.Title = strings.TrimSpace(strings.TrimLeft(trim, "#"))
			}
		case strings.HasPrefix(trim, "- ") || strings.HasPrefix(trim, "* "):
			flushPara()
			d.Blocks = append(d.Blocks, Block{Kind: Item, Inline: trimInline(line, 1)})
		default:
			para = append(para, trimInline(line, 0)...)
		}
		line = nil
	}
	for _, s := range segs {
		switch {
		case s.table != nil || s.chart != nil:
			if strings.TrimSpace(lineText(line)) != "" {
				endLine()
			}
			line = nil
			flushPara()
			if s.table != nil {
				d.Blocks = append(d.Blocks, Block{Kind: TableKind, Table: s.table})
			} else {
				d.Blocks = append(d.Blocks, Block{Kind: ChartKind, Chart: s.chart})
			}
		case s.fig != nil:
			line = append(line, Inline{Fig: s.fig})
		default:
			parts := strings.Split(s.text, "\n")
			for i, p := range parts {
				if i > 0 {
					endLine()
				}
				if p != "" {
					line = append(line, Inline{Text: p})
				}
			}
		}
	}
	endLine()
	flushPara()
	return d
}

func lineText(l []Inline) string {
	var b strings.Builder
	for _, in := range l {
		if in.Fig != nil {
			b.WriteString("0")
		} else {
			b.WriteString(in.Text)
		}
	}
	return b.String()
}

// trimInline drops the line's leading space and its marker (n "#", or the
// list's "- "), and trailing space.
func trimInline(l []Inline, marker int) []Inline {
	out := append([]Inline(nil), l...)
	for len(out) > 0 && out[0].Fig == nil {
		t := strings.TrimLeft(out[0].Text, " \t")
		if marker > 0 && t != "" {
			if t[0] == '#' {
				t = strings.TrimLeft(t, "#")
			} else {
				t = t[1:]
			}
			marker = 0
		}
		t = strings.TrimLeft(t, " \t")
		if t == "" {
			out = out[1:]
			continue
		}
		out[0].Text = t
		break
	}
	for len(out) > 0 && out[len(out)-1].Fig == nil {
		t := strings.TrimRight(out[len(out)-1].Text, " \t\r")
		if t == "" {
			out = out[:len(out)-1]
			continue
		}
		out[len(out)-1].Text = t
		break
	}
	return out
}

// Tables are the document's tables and the data of its charts, in order.
func (d *Doc) Tables() []*Table {
	var out []*Table
	for _, b := range d.Blocks {
		if b.Table != nil {
			out = append(out, b.Table)
		}
		if b.Chart != nil {
			out = append(out, b.Chart.Table())
		}
	}
	return out
}
