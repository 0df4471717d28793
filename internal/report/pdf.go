package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/signintech/gopdf"
)

// The GB/T 9704 page in points.
const (
	mm        = 72 / 25.4
	pdfPageW  = 210 * mm
	pdfPageH  = 297 * mm
	pdfTop    = 37 * mm
	pdfBottom = 35 * mm
	pdfLeft   = 28 * mm
	pdfRight  = 26 * mm
	pdfWidth  = pdfPageW - pdfLeft - pdfRight
	pdfPitch  = 28.95 // 22 lines to the page
	bodySize  = 16    // 三号
	titleSize = 22    // 二号
	tableSize = 12    // 小四
)

// noLineStart are the marks that never begin a line (they hang at the end
// of the line before instead).
const noLineStart = "，。、；：？！）》」』”’％%,.;:?!)]}"

type pdfWriter struct {
	gp     *gopdf.GoPdf
	y      float64
	widths map[string]map[rune]float64 // font+size → rune → width
	font   string
	size   float64
}

// PDF writes the document as a PDF in the layout of DOCX: A4, the
// standard margins, 22 lines of 仿宋-sized text to the page, the title
// and headings in their sizes, tables, charts as pictures, page numbers
// "— 1 —" outside at the foot. The CJK fonts found by LoadFonts are
// embedded (only the characters used).
func PDF(w io.Writer, d *Doc) error {
	fs, err := LoadFonts()
	if err != nil {
		return err
	}
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: gopdf.Rect{W: pdfPageW, H: pdfPageH}, Unit: gopdf.UnitPT})
	gp.SetInfo(gopdf.PdfInfo{Title: d.Title, Creator: "kexie"})
	for _, role := range []string{RoleTitle, RoleHei, RoleKai, RoleBody} {
		if err := gp.AddTTFFontData(role, fs.Data(role)); err != nil {
			return fmt.Errorf("pdf font %s: %w", role, err)
		}
	}
	p := &pdfWriter{gp: gp, widths: map[string]map[rune]float64{}}
	p.newPage()
	for i, b := range d.Blocks {
		switch b.Kind {
		case Heading:
			text := plain(b.Inline, d.Lang)
			switch b.Level {
			case 1:
				if err := p.paragraph(text, RoleTitle, titleSize, 35, 0, 1); err != nil {
					return err
				}
				p.y += pdfPitch
			case 2:
				err = p.paragraph(text, RoleHei, bodySize, pdfPitch, 2, 0)
			case 3:
				err = p.paragraph(text, RoleKai, bodySize, pdfPitch, 2, 0)
			default:
				err = p.paragraph(text, RoleBody, bodySize, pdfPitch, 2, 0)
			}
		case Paragraph, Item:
			err = p.paragraph(plain(b.Inline, d.Lang), RoleBody, bodySize, pdfPitch, 2, 0)
		case TableKind:
			err = p.table(b.Table, d.Lang)
		case ChartKind:
			err = p.chart(b.Chart)
		}
		if err != nil {
			return fmt.Errorf("pdf block %d: %w", i, err)
		}
	}
	pages := gp.GetNumberOfPages()
	for n := 1; n <= pages; n++ {
		if err := gp.SetPage(n); err != nil {
			return err
		}
		if err := p.setFont(RoleBody, 14); err != nil {
			return err
		}
		s := fmt.Sprintf("— %d —", n)
		wd := p.width(s)
		x := pdfPageW - pdfRight - 14 - wd // odd pages: right, one character in
		if n%2 == 0 {
			x = pdfLeft + 14
		}
		gp.SetXY(x, pdfPageH-pdfBottom+7*mm)
		if err := gp.Text(s); err != nil {
			return err
		}
	}
	_, err = gp.WriteTo(w)
	return err
}

func (p *pdfWriter) newPage() {
	p.gp.AddPage()
	p.y = pdfTop
}

func (p *pdfWriter) setFont(role string, size float64) error {
	if p.font == role && p.size == size {
		return nil
	}
	p.font, p.size = role, size
	return p.gp.SetFont(role, "", size)
}

// width measures s in the current font, rune by rune (cached).
func (p *pdfWriter) width(s string) float64 {
	key := fmt.Sprint(p.font, p.size)
	m := p.widths[key]
	if m == nil {
		m = map[rune]float64{}
		p.widths[key] = m
	}
	total := 0.0
	for _, r := range s {
		w, ok := m[r]
		if !ok {
			w, _ = p.gp.MeasureTextWidth(string(r))
			m[r] = w
		}
		total += w
	}
	return total
}

// lines breaks text into lines no wider than width (the first indent
// characters narrower), CJK anywhere, Latin words whole where they fit,
// closing punctuation never first.
func (p *pdfWriter) lines(text string, width, first float64) []string {
	var out []string
	var cur []rune
	curW := 0.0
	limit := width - first
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		w := p.width(string(r))
		if curW+w > limit && len(cur) > 0 && !strings.ContainsRune(noLineStart, r) {
			// keep a Latin word or number whole when it fits a line
			cut := len(cur)
			if isWordRune(r) {
				j := len(cur)
				for j > 0 && isWordRune(cur[j-1]) {
					j--
				}
				if j > 0 && j < len(cur) {
					cut = j
				}
			}
			out = append(out, string(cur[:cut]))
			cur = append([]rune(nil), cur[cut:]...)
			curW = p.width(string(cur))
			limit = width
		}
		cur = append(cur, r)
		curW += w
	}
	if len(cur) > 0 || len(out) == 0 {
		out = append(out, string(cur))
	}
	return out
}

func isWordRune(r rune) bool {
	return r < 0x80 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '%')
}

// paragraph writes text in a font, indent characters in on the first
// line, align 0 (justified) or 1 (centred).
func (p *pdfWriter) paragraph(text, role string, size, pitch float64, indent, align int) error {
	if err := p.setFont(role, size); err != nil {
		return err
	}
	first := float64(indent) * size
	ls := p.lines(text, pdfWidth, first)
	for i, l := range ls {
		if p.y+pitch > pdfPageH-pdfBottom+0.01 {
			p.newPage()
		}
		x := pdfLeft
		if i == 0 {
			x += first
		}
		lw := p.width(l)
		spacing := 0.0
		if align == 1 {
			x = pdfLeft + (pdfWidth-lw)/2
		} else if i < len(ls)-1 && utf8.RuneCountInString(l) > 1 {
			avail := pdfWidth - (x - pdfLeft)
			spacing = (avail - lw) / float64(utf8.RuneCountInString(l)-1)
			if spacing < 0 || spacing > size/2 {
				spacing = 0
			}
		}
		if err := p.gp.SetCharSpacing(spacing); err != nil {
			return err
		}
		// the baseline sits so the line's glyphs are centred in its pitch
		p.gp.SetXY(x, p.y+(pitch-size)/2)
		if err := p.gp.Cell(nil, l); err != nil {
			return err
		}
		p.y += pitch
	}
	return p.gp.SetCharSpacing(0)
}

// table draws a table with borders, its head repeated on each page.
func (p *pdfWriter) table(t *Table, lang string) error {
	cols := len(t.Head)
	if cols == 0 {
		return nil
	}
	widths := make([]float64, cols)
	first := pdfWidth * 0.32
	if cols == 1 {
		first = pdfWidth
	}
	for j := range widths {
		widths[j] = (pdfWidth - first) / float64(max(cols-1, 1))
	}
	widths[0] = first
	const pad, lineH = 4.0, tableSize * 1.35
	row := func(cells []string, head bool) error {
		role := RoleBody
		if head {
			role = RoleHei
		}
		if err := p.setFont(role, tableSize); err != nil {
			return err
		}
		wrapped := make([][]string, cols)
		n := 1
		for j := 0; j < cols; j++ {
			text := ""
			if j < len(cells) {
				text = cells[j]
			}
			wrapped[j] = p.lines(text, widths[j]-2*pad, 0)
			n = max(n, len(wrapped[j]))
		}
		h := float64(n)*lineH + 2*pad
		if p.y+h > pdfPageH-pdfBottom {
			return errPageFull
		}
		x := pdfLeft
		for j := 0; j < cols; j++ {
			p.gp.SetLineWidth(0.5)
			p.gp.RectFromUpperLeftWithStyle(x, p.y, widths[j], h, "D")
			for k, l := range wrapped[j] {
				lw := p.width(l)
				tx := x + pad
				switch {
				case head:
					tx = x + (widths[j]-lw)/2
				case j > 0:
					tx = x + widths[j] - pad - lw
				}
				p.gp.SetXY(tx, p.y+pad+float64(k)*lineH+(lineH-tableSize)/2)
				if err := p.gp.Cell(nil, l); err != nil {
					return err
				}
			}
			x += widths[j]
		}
		p.y += h
		return nil
	}
	withHead := func(cells []string) error {
		err := row(cells, false)
		if err == errPageFull {
			p.newPage()
			if err := row(t.Head, true); err != nil {
				return err
			}
			err = row(cells, false)
		}
		return err
	}
	if p.y+3*tableSize*1.35 > pdfPageH-pdfBottom {
		p.newPage()
	}
	if err := row(t.Head, true); err != nil {
		return err
	}
	for _, r := range t.Rows {
		cells := make([]string, len(r))
		for j, c := range r {
			cells[j] = plain([]Inline{c}, lang)
		}
		if err := withHead(cells); err != nil {
			return err
		}
	}
	p.y += pdfPitch / 2
	return nil
}

type pageFull struct{}

func (pageFull) Error() string { return "page full" }

var errPageFull error = pageFull{}

// chart places the chart's picture, 150 mm wide, with its title under it.
func (p *pdfWriter) chart(c *Chart) error {
	png, w, h, err := ChartPNG(c)
	if err != nil {
		return err
	}
	img, err := gopdf.ImageHolderByBytes(png)
	if err != nil {
		return err
	}
	iw := 150 * mm
	ih := iw * float64(h) / float64(w)
	if p.y+ih+pdfPitch > pdfPageH-pdfBottom {
		p.newPage()
	}
	if err := p.gp.ImageByHolder(img, pdfLeft+(pdfWidth-iw)/2, p.y, &gopdf.Rect{W: iw, H: ih}); err != nil {
		return err
	}
	p.y += ih
	return p.paragraph(c.Title, RoleKai, 14, pdfPitch, 0, 1)
}
