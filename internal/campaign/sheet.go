package campaign

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kexie/internal/fault"
	"kexie/internal/sheet"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// columns of a sheet of rectification items (巡视反馈问题清单), matched by
// header in Chinese or English; the problem, the unit and the deadline
// must be there.
var columns = []struct{ zh, en string }{
	{"问题", "Problem"}, {"整改措施", "Measures"}, {"责任单位", "Responsible unit"}, {"开始", "Start"}, {"整改时限", "Due"},
}

const (
	colProblem = iota
	colMeasures
	colUnit
	colStart
	colDue
	ncols
)

// SheetRow is a rectification item read from a sheet, with its row.
type SheetRow struct {
	Row int
	RectSpec
}

func colHeader(i int) string { return columns[i].zh + " / " + columns[i].en }

// ParseSheet reads rectification items from the first sheet of a
// workbook (or a CSV file): a header row naming the columns (问题,
// 整改措施, 责任单位, 开始, 整改时限, or in English), then one item a row.
// A cell that cannot be read is refused with its place; nothing is
// guessed.
func ParseSheet(data []byte, name string) ([]SheetRow, error) {
	rd, prob := sheet.Open(bytes.NewReader(data), int64(len(data)), name, sheet.Limits{})
	if prob != nil {
		return nil, fault.InvalidField("file", prob.Key, flatten(prob.Args)...)
	}
	defer rd.Close()
	h := sheet.Headers{}
	for i, c := range columns {
		h.Add(i, c.zh, c.en)
	}
	h.Add(colProblem, "反馈问题", "存在问题", "问题描述")
	h.Add(colUnit, "责任部门", "牵头单位", "单位代码")
	h.Add(colDue, "完成时限", "期限", "deadline")
	ch := &fault.Check{}
	var out []SheetRow
	var lay sheet.Layout
	found := false
	var head []sheet.Row
	for rd.Next() {
		r := rd.Row()
		if r.Blank() {
			continue
		}
		if r.Num > MaxSheetRow {
			ch.Add("file", "campaign.sheet.too_many_rows", "max", MaxSheetRow)
			break
		}
		if !found {
			head = append(head, r)
			var probs []sheet.Problem
			var ok bool
			lay, probs, ok = sheet.FindLayout(rd.Sheet(), []sheet.Row{r}, h, ncols, colProblem, colHeader)
			if !ok {
				if len(head) >= 10 {
					break
				}
				continue
			}
			for _, p := range probs {
				ch.Add(fmt.Sprintf("row %d %s", p.Row, p.Column), p.Key, flatten(p.Args)...)
			}
			for _, c := range []int{colUnit, colDue} {
				if !lay.Has(c) {
					ch.Add(fmt.Sprintf("row %d", r.Num), "campaign.sheet.column", "want", colHeader(c))
				}
			}
			if !ch.OK() {
				return nil, ch.Err()
			}
			found = true
			continue
		}
		cell := func(c int) string {
			if !lay.Has(c) {
				return ""
			}
			return strings.TrimSpace(r.Cell(lay.Index[c]))
		}
		date := func(c int) string {
			if !lay.Has(c) {
				return ""
			}
			return dateCell(ch, fmt.Sprintf("row %d %s", r.Num, lay.Letter(c)), r, lay.Index[c], rd.Date1904())
		}
		out = append(out, SheetRow{Row: r.Num, RectSpec: RectSpec{Problem: cell(colProblem), Measures: cell(colMeasures),
			Unit: cell(colUnit), Start: date(colStart), Due: date(colDue)}})
	}
	if p := rd.Problem(); p != nil {
		ch.Add("file", p.Key, flatten(p.Args)...)
	}
	if !found && ch.OK() {
		ch.Add("file", "campaign.sheet.no_header", "want", colHeader(colProblem))
	} else if found && len(out) == 0 && ch.OK() {
		ch.Add("file", "campaign.sheet.empty")
	}
	if err := ch.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func flatten(m map[string]any) []any {
	var out []any
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

// dateCell reads a date typed as text (2021-07-01) or stored as Excel's
// serial day.
func dateCell(ch *fault.Check, at string, r sheet.Row, col int, date1904 bool) string {
	s := strings.TrimSpace(r.Cell(col))
	if s == "" || r.Kind(col) != sheet.KindDate && r.Kind(col) != sheet.KindNumber {
		return textDate(s)
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 1 || n > 2_958_465 {
		ch.Add(at, "campaign.date.invalid", "value", s)
		return s
	}
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return base.AddDate(0, 0, int(n)).Format(time.DateOnly)
}

// textDate reads a date typed as text the ways offices write it
// (2021-09-30, 2021/9/30, 2021.9.30, 2021年9月30日); anything else is
// left as typed, for the check to refuse.
func textDate(s string) string {
	for _, layout := range []string{"2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly)
		}
	}
	return s
}

// Import opens the rectification items of a sheet in a campaign, all or
// none; the responsible unit may be given by code or by its Chinese name.
// A refusal names the row and column of each cell at fault.
func (s *Service) Import(ctx context.Context, cl Caller, campaignID int64, data []byte, name string) ([]int64, error) {
	k, err := s.header(ctx, cl, campaignID)
	if err != nil {
		return nil, err
	}
	if !k.Owner {
		return nil, fmt.Errorf("import into campaign %d: %w", campaignID, fault.ErrForbidden)
	}
	rows, err := ParseSheet(data, name)
	if err != nil {
		return nil, err
	}
	if len(rows) > MaxRects {
		return nil, fault.InvalidField("file", "error.too_many", "max", MaxRects)
	}
	specs := make([]RectSpec, len(rows))
	for i, r := range rows {
		specs[i] = r.RectSpec
		if code, err := s.unitByName(ctx, k.path, r.Unit); err != nil {
			return nil, err
		} else if code != "" {
			specs[i].Unit = code
		}
	}
	ids, err := s.Open(ctx, cl, campaignID, specs)
	if fields := fault.FieldsOf(err); fields != nil {
		// name the cells: items[3].due → row 5 (整改时限 / Due)
		ch := &fault.Check{}
		for _, f := range fields {
			var i int
			var rest string
			field := f.Field
			if n, _ := fmt.Sscanf(f.Field, "items[%d].%s", &i, &rest); n == 2 && i < len(rows) {
				field = fmt.Sprintf("row %d %s", rows[i].Row, rest)
			} else if len(rows) == 1 {
				field = fmt.Sprintf("row %d %s", rows[0].Row, f.Field)
			}
			ch.Add(field, f.Key, flatten(f.Args)...)
		}
		return nil, ch.Err()
	}
	return ids, err
}

// unitByName finds the code of the unit named name (Chinese) in the
// subtree at path; "" when there is none or several.
func (s *Service) unitByName(ctx context.Context, path, name string) (string, error) {
	var args store.Args
	var code string
	q := `SELECT code FROM units WHERE name_zh = ` + args.Add(strings.TrimSpace(name)) + ` AND ` + unit.Subtrees(path).Cond("path", &args)
	rows, err := s.db.Q(ctx).QueryContext(ctx, q+` LIMIT 2`, args.Values()...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		if err := rows.Scan(&code); err != nil {
			return "", err
		}
	}
	if n != 1 {
		return "", rows.Err()
	}
	return code, rows.Err()
}

var _ = sql.ErrNoRows
var _ = errors.New

// UnitCode finds the code of a unit named (in Chinese) within the
// campaign owner's subtree, for forms where a person types a name; ""
// when none or several have it.
func (s *Service) UnitCode(ctx context.Context, cl Caller, campaignID int64, name string) (string, error) {
	k, err := s.header(ctx, cl, campaignID)
	if err != nil {
		return "", err
	}
	return s.unitByName(ctx, k.path, name)
}
