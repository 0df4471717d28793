package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kexie/internal/demo"
	"kexie/internal/figure"
	"kexie/internal/report"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// reviewFigures are the texts of the review's figures (as printed).
func reviewFigures(t *testing.T, d *report.Doc) []string {
	t.Helper()
	want := map[string]bool{}
	for _, f := range demo.Figures() {
		if f.Metric == "" {
			continue
		}
		for _, g := range d.Figs {
			if g.Metric == f.Metric && g.Unit == f.Unit() && g.Value != nil {
				want[figure.Format(*g.Value, g.Measure, g.Decimals, g.Percent, "zh-CN")] = true
			}
		}
	}
	var out []string
	for w := range want {
		out = append(out, w)
	}
	if len(out) < 50 {
		t.Fatalf("only %d figures of the review found", len(out))
	}
	return out
}

// squeeze drops all white space (PDF text breaks lines anywhere, and
// LibreOffice spaces Latin from Chinese).
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (.ci/run installs it)", tool)
		}
		t.Skipf("%s is not installed", tool)
	}
	return p
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	tool := need(t, "pdftotext")
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// The review as DOCX is a valid WordprocessingML package in the GB/T 9704
// layout with every figure in its text and the chart as a picture; as PDF
// it embeds its fonts and its text holds every figure; LibreOffice opens
// the DOCX and converts it.
func TestDOCXAndPDF(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	a := demoApp(t, db)
	svc := a.Reports
	src, _ := report.Builtin("half-year-review")
	d, err := svc.Generate(ctx, unit.Everything(), src, "320000", "2021S1", "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	figs := reviewFigures(t, d)

	var docx bytes.Buffer
	if err := report.Write(&docx, d, "docx"); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(docx.Bytes()), int64(docx.Len()))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		if strings.HasSuffix(f.Name, ".png") {
			if _, err := png.Decode(bytes.NewReader(b)); err != nil {
				t.Errorf("%s: %v", f.Name, err)
			}
			parts[f.Name] = "png"
			continue
		}
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
		parts[f.Name] = string(b)
	}
	for _, p := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/_rels/document.xml.rels", "word/footer1.xml", "word/footer2.xml", "word/media/chart1.png"} {
		if parts[p] == "" {
			t.Errorf("no %s", p)
		}
	}
	doc, styles := parts["word/document.xml"], parts["word/styles.xml"]
	for _, w := range []string{
		`<w:pgSz w:w="11906" w:h="16838"/>`, `w:top="2098"`, `w:bottom="1984"`, `w:left="1587"`, `w:right="1474"`,
		`w:linePitch="579"`, `r:embed="rIdChart1"`, "江苏省科学技术协会2021年上半年工作总结", "一、坚持政治引领",
	} {
		if !strings.Contains(doc, w) {
			t.Errorf("document.xml lacks %s", w)
		}
	}
	for _, w := range []string{
		`w:eastAsia="方正小标宋简体" w:cs="Times New Roman" w:hint="eastAsia"/><w:sz w:val="44"/>`,   // 二号
		`w:eastAsia="仿宋_GB2312" w:cs="Times New Roman" w:hint="eastAsia"/><w:sz w:val="32"/>`, // 三号
		`w:eastAsia="黑体" w:cs="Times New Roman" w:hint="eastAsia"/><w:sz w:val="32"/>`,
		`w:eastAsia="楷体_GB2312" w:cs="Times New Roman" w:hint="eastAsia"/><w:sz w:val="32"/>`,
	} {
		if !strings.Contains(styles, w) {
			t.Errorf("styles.xml lacks %s", w)
		}
	}
	if !strings.Contains(parts["word/fontTable.xml"], `<w:font w:name="方正小标宋简体"><w:altName w:val="华文中宋"/>`) {
		t.Error("no fallback for the title font")
	}
	if !strings.Contains(parts["word/footer1.xml"], "— </w:t>") || !strings.Contains(parts["word/footer1.xml"], " PAGE ") {
		t.Error("no page number “— n —” in the footer")
	}
	for _, f := range figs {
		if !strings.Contains(doc, f) {
			t.Errorf("DOCX lacks %s", f)
		}
	}

	var pdf bytes.Buffer
	if err := report.Write(&pdf, d, "pdf"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) || !bytes.Contains(pdf.Bytes(), []byte("/FontFile2")) {
		t.Fatal("not a PDF with embedded TrueType fonts")
	}
	text := squeeze(pdfText(t, pdf.Bytes()))
	for _, f := range figs {
		if !strings.Contains(text, f) {
			t.Errorf("PDF text lacks %s", f)
		}
	}
	for _, w := range []string{"江苏省科学技术协会2021年上半年工作总结", "—1—", "—2—", "科普宣传周活动"} {
		if !strings.Contains(text, w) {
			t.Errorf("PDF text lacks %s", w)
		}
	}

	// LibreOffice opens the DOCX and converts it to PDF with every figure.
	soffice := need(t, "soffice")
	dir := t.TempDir()
	in := filepath.Join(dir, "review.docx")
	if err := os.WriteFile(in, docx.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "pdf", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	converted, err := os.ReadFile(filepath.Join(dir, "review.pdf"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no PDF: %v", err)
	}
	lo := squeeze(pdfText(t, converted))
	for _, f := range figs {
		if !strings.Contains(lo, f) {
			t.Errorf("LibreOffice's PDF lacks %s", f)
		}
	}
	if !strings.Contains(lo, "—1—") {
		t.Error("LibreOffice's PDF has no page number")
	}
}

// A first face of a collection is a font of its own; CFF and junk are
// refused.
func TestFirstFace(t *testing.T) {
	if _, err := report.FirstFace([]byte("OTTO........")); err == nil {
		t.Error("a CFF font taken")
	}
	if _, err := report.FirstFace([]byte("hello")); err == nil {
		t.Error("junk taken")
	}
	b, err := os.ReadFile("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
	if err != nil {
		t.Skip("fonts-wqy-microhei is not installed")
	}
	f, err := report.FirstFace(b)
	if err != nil || string(f[:4]) != "\x00\x01\x00\x00" || len(f) > len(b) {
		t.Errorf("first face: %v, %d bytes of %d", err, len(f), len(b))
	}
}
