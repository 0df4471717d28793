package report

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// GB/T 9704 page: A4 with the standard margins, in twentieths of a point
// (1 mm = 56.7 twips), and the body's line pitch (22 lines to the page).
const (
	pageW        = 11906
	pageH        = 16838
	marginTop    = 2098 // 37 mm
	marginBottom = 1984 // 35 mm
	marginLeft   = 1587 // 28 mm
	marginRight  = 1474 // 26 mm
	linePitch    = 579  // 28.95 pt
	textWidthMM  = 156  // 210 − 28 − 26
	emuPerMM     = 36000
)

// Fonts of an official document, each with the font Word and LibreOffice
// fall back to where the first is not installed.
var docxFonts = []struct{ name, alt, family string }{
	{"方正小标宋简体", "华文中宋", "roman"},
	{"仿宋_GB2312", "仿宋", "modern"},
	{"黑体", "SimHei", "modern"},
	{"楷体_GB2312", "楷体", "script"},
	{"宋体", "SimSun", "auto"},
	{"Times New Roman", "", "roman"},
}

// DOCX writes the document as a Word file in the style of Chinese
// official documents (GB/T 9704): A4, margins 37/35/28/26 mm, the title in
// 小标宋 二号 (22 pt), the body in 仿宋 三号 (16 pt) with 22 lines to the
// page, headings 一、 in 黑体, （一） in 楷体, 1. in bold 仿宋, page
// numbers "— 1 —" outside at the foot (right on odd pages, left on even),
// tables in 仿宋 and charts as pictures.
func DOCX(w io.Writer, d *Doc) error {
	z := zip.NewWriter(w)
	var charts [][]byte
	var body strings.Builder
	for _, b := range d.Blocks {
		switch b.Kind {
		case Heading:
			style := map[int]string{1: "KxTitle", 2: "Heading1", 3: "Heading2", 4: "Heading3"}[b.Level]
			body.WriteString(`<w:p><w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>` + runs(b.Inline, d.Lang) + `</w:p>`)
			if b.Level == 1 {
				body.WriteString(`<w:p/>`) // a blank line under the title
			}
		case Paragraph, Item:
			body.WriteString(`<w:p>` + runs(b.Inline, d.Lang) + `</w:p>`)
		case TableKind:
			body.WriteString(docxTable(b.Table, d.Lang))
		case ChartKind:
			png, wPx, hPx, err := ChartPNG(b.Chart)
			if err != nil {
				return err
			}
			charts = append(charts, png)
			n := len(charts)
			cx := int64(150) * emuPerMM
			cy := cx * int64(hPx) / int64(wPx)
			fmt.Fprintf(&body, `<w:p><w:pPr><w:pStyle w:val="KxCaption"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">`+
				`<wp:extent cx="%d" cy="%d"/><wp:docPr id="%d" name="chart%d"/>`+
				`<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">`+
				`<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="%d" name="chart%d.png"/><pic:cNvPicPr/></pic:nvPicPr>`+
				`<pic:blipFill><a:blip r:embed="rIdChart%d"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`+
				`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>`+
				`</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`, cx, cy, n, n, n, n, n, cx, cy)
			body.WriteString(`<w:p><w:pPr><w:pStyle w:val="KxCaption"/></w:pPr><w:r><w:t xml:space="preserve">` + esc(b.Chart.Title) + `</w:t></w:r></w:p>`)
		}
	}
	files := []struct{ name, text string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"docProps/core.xml", coreProps(d)},
		{"word/_rels/document.xml.rels", documentRels(len(charts))},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><w:body>` +
			body.String() + sectPr + `</w:body></w:document>`},
		{"word/styles.xml", stylesXML()},
		{"word/settings.xml", settingsXML},
		{"word/fontTable.xml", fontTableXML()},
		{"word/footer1.xml", footerXML("right")},
		{"word/footer2.xml", footerXML("left")},
	}
	for _, f := range files {
		fw, err := z.Create(f.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, f.text); err != nil {
			return err
		}
	}
	for i, png := range charts {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("word/media/chart%d.png", i+1), Method: zip.Store})
		if err != nil {
			return err
		}
		if _, err := fw.Write(png); err != nil {
			return err
		}
	}
	return z.Close()
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// runs is a line's text as one run (figures printed).
func runs(l []Inline, lang string) string {
	t := plain(l, lang)
	if t == "" {
		return ""
	}
	return `<w:r><w:t xml:space="preserve">` + esc(t) + `</w:t></w:r>`
}

func docxTable(t *Table, lang string) string {
	var b strings.Builder
	cols := len(t.Head)
	if cols == 0 {
		return ""
	}
	total := textWidthMM * 567 / 10
	first := total * 32 / 100
	if cols == 1 {
		first = total
	}
	rest := 0
	if cols > 1 {
		rest = (total - first) / (cols - 1)
	}
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="` + fmt.Sprint(total) + `" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		b.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="000000"/>`)
	}
	b.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`)
	for j := 0; j < cols; j++ {
		wd := rest
		if j == 0 {
			wd = first
		}
		b.WriteString(`<w:gridCol w:w="` + fmt.Sprint(wd) + `"/>`)
	}
	b.WriteString(`</w:tblGrid>`)
	cell := func(text string, j int, head bool) {
		wd := rest
		if j == 0 {
			wd = first
		}
		jc := "right"
		if head {
			jc = "center"
		} else if j == 0 {
			jc = "left"
		}
		style := "KxTableText"
		if head {
			style = "KxTableHead"
		}
		b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + fmt.Sprint(wd) + `" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="` + style + `"/><w:jc w:val="` + jc + `"/></w:pPr>`)
		if text != "" {
			b.WriteString(`<w:r><w:t xml:space="preserve">` + esc(text) + `</w:t></w:r>`)
		}
		b.WriteString(`</w:p></w:tc>`)
	}
	b.WriteString(`<w:tr><w:trPr><w:tblHeader/></w:trPr>`)
	for j, h := range t.Head {
		cell(h, j, true)
	}
	b.WriteString(`</w:tr>`)
	for _, r := range t.Rows {
		b.WriteString(`<w:tr><w:trPr><w:cantSplit/></w:trPr>`)
		for j := 0; j < cols; j++ {
			text := ""
			if j < len(r) {
				text = plain([]Inline{r[j]}, lang)
			}
			cell(text, j, false)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl><w:p/>`)
	return b.String()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`

func documentRels(charts int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdFonts" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/><Relationship Id="rIdFooterOdd" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/><Relationship Id="rIdFooterEven" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/>`)
	for i := 1; i <= charts; i++ {
		fmt.Fprintf(&b, `<Relationship Id="rIdChart%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/chart%d.png"/>`, i, i)
	}
	b.WriteString(`</Relationships>`)
	return b.String()
}

func coreProps(d *Doc) string {
	now := time.Now().UTC().Format(time.RFC3339)
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>` +
		esc(d.Title) + `</dc:title><dc:creator>kexie</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">` + now + `</dcterms:created></cp:coreProperties>`
}

var sectPr = fmt.Sprintf(`<w:sectPr><w:footerReference w:type="default" r:id="rIdFooterOdd"/><w:footerReference w:type="even" r:id="rIdFooterEven"/>`+
	`<w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="851" w:footer="1134" w:gutter="0"/>`+
	`<w:docGrid w:type="lines" w:linePitch="%d"/></w:sectPr>`, pageW, pageH, marginTop, marginRight, marginBottom, marginLeft, linePitch)

const settingsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:evenAndOddHeaders/><w:defaultTabStop w:val="640"/><w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`

// rFonts names a Chinese font for East Asian text and Times New Roman
// for Latin letters and digits.
func rFonts(east string) string {
	return `<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="` + east + `" w:cs="Times New Roman" w:hint="eastAsia"/>`
}

func stylesXML() string {
	para := func(id, name, based string, ppr, rpr string) string {
		s := `<w:style w:type="paragraph" w:customStyle="1" w:styleId="` + id + `"><w:name w:val="` + name + `"/>`
		if based != "" {
			s += `<w:basedOn w:val="` + based + `"/>`
		}
		return s + `<w:qFormat/><w:pPr>` + ppr + `</w:pPr><w:rPr>` + rpr + `</w:rPr></w:style>`
	}
	exact := fmt.Sprintf(`<w:spacing w:before="0" w:after="0" w:line="%d" w:lineRule="exact"/>`, linePitch)
	indent := `<w:ind w:firstLineChars="200" w:firstLine="640"/>`
	size := func(halfPts int) string {
		return fmt.Sprintf(`<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, halfPts, halfPts)
	}
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr>` + rFonts("仿宋_GB2312") + size(32) +
		`<w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>` + exact + `</w:pPr></w:pPrDefault></w:docDefaults>` +
		`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/><w:pPr><w:widowControl/><w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/><w:jc w:val="both"/>` + exact + indent + `</w:pPr><w:rPr>` + rFonts("仿宋_GB2312") + size(32) + `</w:rPr></w:style>` +
		para("KxTitle", "Title (小标宋 二号)", "Normal", `<w:keepNext/><w:jc w:val="center"/><w:spacing w:before="0" w:after="0" w:line="700" w:lineRule="exact"/><w:ind w:firstLineChars="0" w:firstLine="0"/><w:outlineLvl w:val="0"/>`, rFonts("方正小标宋简体")+size(44)) +
		para("Heading1", "heading 1", "Normal", `<w:keepNext/><w:outlineLvl w:val="0"/>`, rFonts("黑体")+size(32)) +
		para("Heading2", "heading 2", "Normal", `<w:keepNext/><w:outlineLvl w:val="1"/>`, rFonts("楷体_GB2312")+size(32)) +
		para("Heading3", "heading 3", "Normal", `<w:keepNext/><w:outlineLvl w:val="2"/>`, rFonts("仿宋_GB2312")+`<w:b/><w:bCs/>`+size(32)) +
		para("KxTableText", "Table text", "Normal", `<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLineChars="0" w:firstLine="0"/>`, rFonts("仿宋_GB2312")+size(24)) +
		para("KxTableHead", "Table head", "KxTableText", `<w:keepNext/>`, rFonts("黑体")+size(24)) +
		para("KxCaption", "Chart", "Normal", `<w:jc w:val="center"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLineChars="0" w:firstLine="0"/>`, rFonts("楷体_GB2312")+size(28)) +
		para("KxFooter", "footer", "Normal", `<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLineChars="0" w:firstLine="0"/>`, rFonts("宋体")+size(28)) +
		`</w:styles>`
}

func fontTableXML() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">`)
	for _, f := range docxFonts {
		b.WriteString(`<w:font w:name="` + f.name + `">`)
		if f.alt != "" {
			b.WriteString(`<w:altName w:val="` + f.alt + `"/><w:charset w:val="86"/>`)
		}
		b.WriteString(`<w:family w:val="` + f.family + `"/></w:font>`)
	}
	b.WriteString(`</w:fonts>`)
	return b.String()
}

// footerXML is the page number "— 1 —" in 宋体 四号, one character in
// from the side.
func footerXML(side string) string {
	ind := `<w:ind w:right="280" w:firstLine="0"/>`
	if side == "left" {
		ind = `<w:ind w:left="280" w:firstLine="0"/>`
	}
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:p><w:pPr><w:pStyle w:val="KxFooter"/><w:jc w:val="` + side + `"/>` + ind + `</w:pPr>` +
		`<w:r><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>`
}
