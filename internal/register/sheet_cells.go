package register

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"kexie/internal/sheet"
)

// Cells become the text the service parses: Field.Parse forgives what
// people type (full-width digits, thousands separators, 是/否, labels in
// either language, dates written the Chinese way); what Excel stores is
// forgiven here — serial dates, percentages as fractions, the binary
// noise of a computed number.

// excel1904 is the days between Excel's two epochs.
const excel1904 = 1462

// wire turns a cell of field f into the text the service parses (nil for
// an empty cell), or the key of the reason it cannot.
func (im *importer) wire(f Field, text string, kind sheet.Kind) (any, string, []any) {
	switch kind {
	case sheet.KindNoValue:
		return nil, "regsheet.cell.formula", nil
	case sheet.KindError:
		return nil, "regsheet.cell.error", []any{"value", text}
	}
	if strings.TrimSpace(text) == "" {
		return nil, "", nil
	}
	numeric := kind == sheet.KindNumber || kind == sheet.KindDate || kind == sheet.KindPercent
	switch {
	case numeric && (f.Type == TypeDate || f.Type == TypeDateTime) && !yearLike(text):
		serial := text
		if im.date1904 {
			if v, err := strconv.ParseFloat(text, 64); err == nil {
				serial = strconv.FormatFloat(v+excel1904, 'f', -1, 64)
			}
		}
		if f.Type == TypeDate {
			if d, ok := ParseDate(serial, true); ok {
				return d, "", nil
			}
			return nil, "register.value.date", []any{"value", text}
		}
		if t, ok := ParseDateTime(serial, true); ok {
			return t.Format(time.RFC3339), "", nil
		}
		return nil, "register.value.datetime", []any{"value", text}
	case kind == sheet.KindPercent && f.Type == TypePercent:
		return shiftDecimal(numText(text), 2) + "%", "", nil
	case numeric:
		return numText(text), "", nil
	case im.format == sheet.FormatCSV && len(text) > 1 && text[0] == '\'' && strings.ContainsRune("=+-@", rune(text[1])):
		text = text[1:] // the apostrophe Export puts before what looks like a formula
	}
	if f.Type == TypeOption || f.Type == TypeOptions {
		return optionText(f, text), "", nil
	}
	return text, "", nil
}

// optionText turns the labels of an option field into codes, as people
// type them: in either language, with full-width or half-width brackets
// (a label such as 全国学会（协会） keeps its own), in any case. Several
// options are split on semicolons first, so that a label holding a comma
// or 、 stays whole; what matches no option is left for the service to
// refuse.
func optionText(f Field, s string) string {
	if code, ok := matchOption(f, s); ok {
		return code
	}
	if f.Type == TypeOption {
		return s
	}
	var codes []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == '\n' }) {
		if code, ok := matchOption(f, part); ok {
			codes = append(codes, code)
			continue
		}
		for _, p := range strings.FieldsFunc(part, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
			if code, ok := matchOption(f, p); ok {
				codes = append(codes, code)
			} else {
				codes = append(codes, strings.TrimSpace(p))
			}
		}
	}
	return strings.Join(codes, ";")
}

// matchOption finds the option whose code or label s is.
func matchOption(f Field, s string) (string, bool) {
	k := optionKey(s)
	if k == "" {
		return "", false
	}
	for _, o := range f.Options {
		if o.Code == strings.TrimSpace(s) || optionKey(o.NameZH) == k || (o.NameEN != "" && optionKey(o.NameEN) == k) || optionKey(o.Code) == k {
			return o.Code, true
		}
	}
	return "", false
}

func optionKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(Fold(s)), " ")) }

var wholeFloatRE = regexp.MustCompile(`^[0-9]+\.0+$`)

// unitCode is the unit column's cell as a code: trimmed, full-width
// characters folded, a code Excel stored as 320100.0 read as 320100.
func unitCode(s string, kind sheet.Kind) string {
	s = strings.TrimSpace(sheet.FoldWidth(s))
	if kind == sheet.KindNumber {
		s = numText(s)
	}
	if wholeFloatRE.MatchString(s) {
		s = s[:strings.IndexByte(s, '.')]
	}
	return s
}

// numText is a number as Excel stores it, written as Excel shows it: to
// 15 significant digits, without an exponent, so that 0.1+0.2 stored as
// 0.30000000000000004 reads as 0.3.
func numText(s string) string {
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '1' && s[i] <= '9' || (s[i] == '0' && digits > 0) {
			digits++
		}
	}
	if digits <= 15 && !strings.ContainsAny(s, "eE") {
		return s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// shiftDecimal multiplies a decimal number written in text by 10^n
// exactly: shiftDecimal("0.698", 2) is "69.8".
func shiftDecimal(s string, n int) string {
	sign := ""
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		sign, s = strings.TrimPrefix(s[:1], "+"), s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	for i := 0; i < n; i++ {
		if frac == "" {
			whole += "0"
			continue
		}
		whole, frac = whole+frac[:1], frac[1:]
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	frac = strings.TrimRight(frac, "0")
	if frac != "" {
		return sign + whole + "." + frac
	}
	return sign + whole
}

// yearLike says whether a number is more likely a year than a day of
// 1905: 2021 in a date column is a year, refused rather than guessed.
func yearLike(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1900 && n <= 2100
}
