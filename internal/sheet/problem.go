package sheet

import (
	"fmt"
	"slices"
	"strings"

	"kexie/internal/fault"
)

// Problem is one thing wrong with an imported file, pointing at its cell.
type Problem struct {
	Sheet  string         `json:"sheet"`
	Row    int            `json:"row"`    // as Excel numbers it; 0 for the file as a whole
	Column string         `json:"column"` // the letter; "" for a whole row or a missing column
	Header string         `json:"header"` // the column's header, "类型 / Type"
	Field  string         `json:"field"`  // the column's field: code, type, name_zh …
	Value  string         `json:"value"`  // the cell as the file holds it
	Key    string         `json:"key"`    // translation key of the reason
	Args   map[string]any `json:"args,omitempty"`
}

// Cell is where the problem is, as Excel writes it: 组织机构!C5, or
// 组织机构!5 for a whole row; "" for the file as a whole.
func (p Problem) Cell() string {
	if p.Row == 0 {
		return ""
	}
	sheet := p.Sheet
	if strings.ContainsAny(sheet, " -'!()") {
		sheet = "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
	}
	return fmt.Sprintf("%s!%s%d", sheet, p.Column, p.Row)
}

// Refused is an import refused as a whole: every problem found, nothing
// written. It unwraps to fault.ErrInvalid.
type Refused struct {
	Problems []Problem
	// Format is the file's format as read (FormatXLSX or FormatCSV), ""
	// when it could not be read.
	Format string
}

// Error summarises the problems, for logs.
func (e *Refused) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "import refused: %d problem(s)", len(e.Problems))
	for i, p := range e.Problems {
		if i == 3 {
			b.WriteString("; …")
			break
		}
		fmt.Fprintf(&b, "; %s %s %s", p.Cell(), p.Field, p.Key)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, fault.ErrInvalid) true.
func (e *Refused) Unwrap() error { return fault.ErrInvalid }

// MaxProblems bounds the problems listed for one file; a file with more is
// wrong throughout and the first ones show how.
const MaxProblems = 10_000

// SortProblems orders problems by row, then column, and keeps at most
// MaxProblems of them, the last saying how many more there were.
func SortProblems(probs []Problem) []Problem {
	slices.SortStableFunc(probs, func(a, b Problem) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return ColumnIndex(a.Column) - ColumnIndex(b.Column)
	})
	if len(probs) > MaxProblems {
		rest := len(probs) - MaxProblems
		probs = append(probs[:MaxProblems:MaxProblems], Problem{Sheet: probs[0].Sheet, Key: "sheet.problems.more", Args: map[string]any{"count": rest}})
	}
	return probs
}

// Args turns "k", v, … into a map, as fault.Check does; nil for none.
func Args(kv ...any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		m[k] = kv[i+1]
	}
	return m
}
