package scheme

import (
	"context"
	"io"

	"github.com/xuri/excelize/v2"

	"kexie/internal/unit"
)

// Export writes a run's league table as the caller sees it (units in
// read) to a workbook: one row a unit with its rank, total, grade and
// TOPSIS closeness, then every node's points, headed by the node's code
// and name with its full marks; a second sheet explains each point (value,
// rule, weight).
func (s *Service) Export(ctx context.Context, read unit.Scope, id int64, w io.Writer) error {
	run, err := s.Run(ctx, unit.Everything(), id)
	if err != nil {
		return err
	}
	rows, err := s.Rows(ctx, read, id, true)
	if err != nil {
		return err
	}
	v, err := s.Version(ctx, run.Scheme, run.Version)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, n := range v.Nodes {
		names[n.Code] = n.NameZH
	}
	for _, a := range v.Bonuses {
		names[a.Code] = a.NameZH
	}
	x := excelize.NewFile()
	defer x.Close()
	const table, detail = "排名 League table", "得分依据 Points"
	if err := x.SetSheetName("Sheet1", table); err != nil {
		return err
	}
	if _, err := x.NewSheet(detail); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(table)
	if err != nil {
		return err
	}
	head := []any{"排名 / Rank", "单位代码 / Unit", "单位名称 / Name", "总分 / Total", "等级 / Grade", "一票否决 / Vetoed", "TOPSIS"}
	if len(rows) > 0 {
		for _, n := range rows[0].Nodes {
			head = append(head, n.Code+" "+names[n.Code]+" ("+ftoa(n.Max)+")")
		}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i, r := range rows {
		cells := []any{r.Rank, r.Unit, r.NameZH, r.Total, r.Grade, yes(r.Vetoed), round4(r.Topsis)}
		for _, n := range r.Nodes {
			cells = append(cells, n.Points)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	dw, err := x.NewStreamWriter(detail)
	if err != nil {
		return err
	}
	if err := dw.SetRow("A1", []any{"单位代码 / Unit", "指标 / Indicator", "名称 / Name", "值 / Value", "规则 / Rule", "权重 / Weight", "满分 / Full marks", "得分 / Points"}); err != nil {
		return err
	}
	line := 2
	for _, r := range rows {
		for _, n := range r.Nodes {
			var val any
			if n.Value != nil {
				val = *n.Value
			}
			cell, _ := excelize.CoordinatesToCellName(1, line)
			line++
			if err := dw.SetRow(cell, []any{r.Unit, n.Code, names[n.Code], val, n.Rule, n.Weight, n.Max, n.Points}); err != nil {
				return err
			}
		}
	}
	if err := dw.Flush(); err != nil {
		return err
	}
	return x.Write(w)
}

func yes(b bool) string {
	if b {
		return "是"
	}
	return ""
}
