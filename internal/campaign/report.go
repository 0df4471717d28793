package campaign

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"kexie/internal/fault"
)

// Figure is a figure of a campaign's report: a metric read for the owner
// unit over the campaign's dates.
type Figure struct {
	Metric  string   `json:"metric"`
	NameZH  string   `json:"name_zh"`
	NameEN  string   `json:"name_en"`
	Measure string   `json:"measure"`
	Period  string   `json:"period"`
	Value   *float64 `json:"value"`
}

// Report is what a campaign's summary says: the campaign with its units'
// progress and counts, its figures, its findings and its rectification
// items.
type Report struct {
	Campaign Campaign  `json:"campaign"`
	Figures  []Figure  `json:"figures"`
	Findings []Finding `json:"findings"`
	Rects    []Rect    `json:"rectifications"`
}

// Span is the campaign's dates as a period: from its first phase's start
// to the end of rectification.
func (k Campaign) Span() string {
	from := k.Rect.Start
	for _, p := range []Phase{k.Self, k.Site} {
		if p.Start != "" && p.Start < from {
			from = p.Start
		}
	}
	return from + ".." + k.Rect.End
}

// Summary gathers a campaign's report as the caller sees it. Figures the
// caller may not read (its scope does not hold the owner) are left empty.
func (s *Service) Summary(ctx context.Context, cl Caller, id int64) (Report, error) {
	k, err := s.Get(ctx, cl, id)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Campaign: k, Figures: []Figure{}, Findings: []Finding{}}
	span := k.Span()
	for _, code := range k.Metrics {
		m, err := s.metrics.Get(ctx, code)
		if errors.Is(err, fault.ErrNotFound) {
			continue
		} else if err != nil {
			return Report{}, err
		}
		f := Figure{Metric: code, NameZH: m.NameZH, NameEN: m.NameEN, Measure: m.Unit, Period: span}
		v, err := s.metrics.Value(ctx, cl.Read, code, k.Unit, span)
		if err == nil {
			f.Value = v.Value
		} else if !errors.Is(err, fault.ErrNotFound) && !errors.Is(err, fault.ErrInvalid) {
			return Report{}, err
		}
		rep.Figures = append(rep.Figures, f)
	}
	for _, u := range k.Units {
		if u.Findings == 0 {
			continue
		}
		fs, err := s.findings(ctx, id, u.id)
		if err != nil {
			return Report{}, err
		}
		rep.Findings = append(rep.Findings, fs...)
	}
	if rep.Rects, err = s.rects(ctx, cl, k, "", nil); err != nil {
		return Report{}, err
	}
	return rep, nil
}

// WriteXLSX writes the report as a workbook: a summary sheet, the units'
// progress, the findings, and the rectification items (in the columns
// of an import, then their state).
func (rep Report) WriteXLSX(w io.Writer, stateName func(string) string) error {
	x := excelize.NewFile()
	defer x.Close()
	k := rep.Campaign
	sheets := []struct {
		name string
		rows [][]any
	}{
		{"概况 Summary", nil}, {"单位 Units", nil}, {"问题 Findings", nil}, {"整改 Rectifications", nil},
	}
	sum := [][]any{
		{"督查 / Campaign", k.Title}, {"牵头单位 / Owner", k.UnitName}, {"期间 / Dates", k.Span()},
		{"单位数 / Units", k.Counts.Units}, {"已提交自查 / Self-inspections submitted", k.Counts.Submitted},
		{"已实地督查 / Inspected on site", k.Counts.Inspected}, {"发现问题 / Findings", k.Counts.Findings},
		{"整改事项 / Rectification items", k.Counts.Rects}, {"已销号 / Closed", k.Counts.Closed},
		{"待核验 / Awaiting verification", k.Counts.Reported}, {"整改中 / Open", k.Counts.Open}, {"已逾期 / Overdue", k.Counts.Overdue},
	}
	for _, f := range rep.Figures {
		row := []any{f.NameZH + " / " + f.NameEN + " (" + f.Measure + ")", ""}
		if f.Value != nil {
			row[1] = *f.Value
		}
		sum = append(sum, row)
	}
	sheets[0].rows = sum
	units := [][]any{{"单位代码 / Code", "单位 / Unit", "已答 / Answered", "自评分 / Self-score", "自查提交 / Submitted",
		"实地督查 / Inspected", "问题 / Findings", "整改 / Rectifications", "未销号 / Open", "督查员 / Inspectors"}}
	for _, u := range k.Units {
		sub, insp := "", ""
		if u.SubmittedAt != nil {
			sub = u.SubmittedAt.Format("2006-01-02")
		}
		if u.InspectedAt != nil {
			insp = u.InspectedAt.Format("2006-01-02")
		}
		units = append(units, []any{u.Unit, u.UnitName, u.Answered, u.Score, sub, insp, u.Findings, u.Rects, u.OpenRects, strings.Join(u.Inspectors, ", ")})
	}
	sheets[1].rows = units
	finds := [][]any{{"单位 / Unit", "问题 / Finding", "督查员 / Inspector", "时间 / Recorded"}}
	for _, f := range rep.Findings {
		finds = append(finds, []any{f.Unit, f.Body, f.Actor, f.CreatedAt.Format("2006-01-02")})
	}
	sheets[2].rows = finds
	rects := [][]any{{colHeader(colProblem), colHeader(colMeasures), colHeader(colUnit), colHeader(colStart), colHeader(colDue),
		"状态 / State", "进度 / Percent", "灯 / Light", "逾期 / Overdue"}}
	for _, r := range rep.Rects {
		overdue := ""
		if r.Overdue {
			overdue = "逾期 / overdue"
		}
		rects = append(rects, []any{r.Problem, r.Measures, r.Unit, r.Start, r.Due, stateName(r.State), r.Percent, r.Light, overdue})
	}
	sheets[3].rows = rects
	for i, sh := range sheets {
		if i == 0 {
			if err := x.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := x.NewSheet(sh.name); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(sh.name)
		if err != nil {
			return err
		}
		for r, row := range sh.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return x.Write(w)
}
