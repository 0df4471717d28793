package demo

import (
	"context"
	"fmt"
	"strings"

	"kexie/internal/register"
	"kexie/internal/unit"
)

// The demo province's records: what its units did in 2021 (and some of
// 2020), generated so that the counts and sums of the first half-year are
// those of the mid-year work report (see review.go for the figures and
// figures_test.go for how each is read back from the records).

// ref names a record generated earlier by its handle; the loader puts its
// id in its place.
type ref string

// planned is one record to create: its unit, its values as the API takes them
// (text, numbers as decimal text, booleans, option codes), and the handle
// later rows use to refer to it.
type planned struct {
	unit   string
	handle string
	values map[string]any
}

// plan collects the rows of every register before anything is written.
type plan struct {
	u       *unitIndex
	schemas map[string]register.Schema
	rows    map[string][]planned
	seen    map[string]bool // register, unit and raw natural key of every row
	err     error
}

func newPlan(u *unitIndex, schemas []register.Schema) *plan {
	p := &plan{u: u, schemas: map[string]register.Schema{}, rows: map[string][]planned{}, seen: map[string]bool{}}
	for _, s := range schemas {
		p.schemas[s.Code] = s
	}
	return p
}

// add plans a record of register reg at unit. A second record with the
// same natural key at the same unit is a mistake of the generator.
func (p *plan) add(reg, unitCode, handle string, values map[string]any) {
	sc, ok := p.schemas[reg]
	if !ok {
		p.fail(fmt.Errorf("demo: no built-in register %s", reg))
		return
	}
	if !p.u.has(unitCode) {
		p.fail(fmt.Errorf("demo: %s record at unknown unit %s", reg, unitCode))
		return
	}
	parts := []string{reg, unitCode}
	for _, k := range sc.NaturalKey {
		parts = append(parts, fmt.Sprint(values[k]))
	}
	key := strings.Join(parts, "\x1f")
	if p.seen[key] {
		p.fail(fmt.Errorf("demo: two %s records at %s share the natural key %q", reg, unitCode, parts[2:]))
		return
	}
	p.seen[key] = true
	p.rows[reg] = append(p.rows[reg], planned{unit: unitCode, handle: handle, values: values})
}

func (p *plan) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

// LoadRecords adds the demo province's records that are missing and
// returns how many it created. Each register's records are written in one
// transaction; a record whose unit and natural key already exist is left
// as it is, so a second run creates nothing. The units must be loaded.
func LoadRecords(ctx context.Context, regs *register.Service) (int, error) {
	specs, err := Units()
	if err != nil {
		return 0, err
	}
	schemas, err := register.BuiltinSchemas()
	if err != nil {
		return 0, err
	}
	p := newPlan(newUnitIndex(specs), schemas)
	generate(p)
	if p.err != nil {
		return 0, p.err
	}
	l := &loader{regs: regs, ids: map[string]int64{}}
	total := 0
	for _, sc := range schemas { // in reference order: targets first
		rows := p.rows[sc.Code]
		if len(rows) == 0 {
			continue
		}
		n, err := l.put(ctx, sc.Code, rows)
		total += n
		if err != nil {
			return total, fmt.Errorf("demo records of %s: %w", sc.Code, err)
		}
	}
	return total, nil
}

// generate plans every record, area by area of the work report.
func generate(p *plan) {
	cohesion(p)
	reform(p)
	innovation(p)
	popularisation(p)
	organisation(p)
}

// loader writes planned rows, remembering the id of every handle.
type loader struct {
	regs *register.Service
	ids  map[string]int64
}

// put creates the rows of one register that do not exist yet, in one
// transaction, and returns how many it created.
func (l *loader) put(ctx context.Context, code string, rows []planned) (int, error) {
	reg, err := l.regs.Get(ctx, code)
	if err != nil {
		return 0, err
	}
	have := map[string]int64{}
	err = l.regs.EachRecord(ctx, unit.Everything(), code, register.Filter{Sort: "id"}, func(_ *register.Register, r *register.Record) error {
		have[r.Unit+"\x1f"+reg.NaturalKey(r.Values)] = r.ID
		return nil
	})
	if err != nil {
		return 0, err
	}
	created := 0
	err = l.regs.WithTx(ctx, func(ctx context.Context) error {
		for _, rw := range rows {
			vals, err := l.resolve(rw.values)
			if err != nil {
				return err
			}
			key, err := naturalKey(reg, vals)
			if err != nil {
				return fmt.Errorf("%s at %s: %w", code, rw.unit, err)
			}
			id, ok := have[rw.unit+"\x1f"+key]
			if !ok {
				rec, err := l.regs.Create(ctx, register.System(), code, register.Input{Unit: rw.unit, Values: vals})
				if err != nil {
					return fmt.Errorf("%s at %s %v: %w", code, rw.unit, vals, err)
				}
				id = rec.ID
				have[rw.unit+"\x1f"+key] = id
				created++
			}
			if rw.handle != "" {
				l.ids[rw.handle] = id
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return created, nil
}

// resolve replaces the refs among values by the ids of their records.
func (l *loader) resolve(values map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(values))
	for k, v := range values {
		if h, ok := v.(ref); ok {
			id, ok := l.ids[string(h)]
			if !ok {
				return nil, fmt.Errorf("demo: field %s refers to %s, which was not loaded first", k, h)
			}
			v = fmt.Sprint(id)
		}
		out[k] = v
	}
	return out, nil
}

// naturalKey is the natural key of values as the register stores it.
func naturalKey(reg *register.Register, values map[string]any) (string, error) {
	parsed := make(map[string]any, len(reg.Schema.NaturalKey))
	for _, k := range reg.Schema.NaturalKey {
		f, _ := reg.Schema.Field(k)
		v, err := f.FromJSON(values[k])
		if err != nil {
			return "", err
		}
		parsed[k] = v
	}
	return reg.NaturalKey(parsed), nil
}

// unitIndex finds the demo units the generator spreads records over.
type unitIndex struct {
	byCode      map[string]UnitSpec
	cities      []UnitSpec
	counties    map[string][]UnitSpec // city code → its counties
	allCounties []UnitSpec
	ofType      map[string][]UnitSpec
}

func newUnitIndex(specs []UnitSpec) *unitIndex {
	u := &unitIndex{byCode: map[string]UnitSpec{}, counties: map[string][]UnitSpec{}, ofType: map[string][]UnitSpec{}}
	for _, s := range specs {
		u.byCode[s.Code] = s
		u.ofType[s.Type] = append(u.ofType[s.Type], s)
		switch s.Type {
		case "city":
			u.cities = append(u.cities, s)
		case "county":
			u.counties[s.Parent] = append(u.counties[s.Parent], s)
			u.allCounties = append(u.allCounties, s)
		}
	}
	return u
}

func (u *unitIndex) has(code string) bool { _, ok := u.byCode[code]; return ok }

// short is a unit's name without its kind: 南京, 玄武区, 机械工程学会.
func (u *unitIndex) short(code string) string {
	s := u.byCode[code]
	n := s.NameZH
	switch s.Type {
	case "city":
		return strings.TrimSuffix(n, "市科学技术协会")
	case "county":
		return strings.TrimSuffix(n, "科学技术协会")
	case "society":
		return strings.TrimPrefix(n, "江苏省")
	case "university":
		return strings.TrimSuffix(n, "科学技术协会")
	case "province":
		return "省科协"
	}
	return n
}

// place is a unit's place name for a title: 南京市, 南京市玄武区 (a
// district's name alone may be ambiguous), 江阴市, 沛县, or the name of a
// society or university.
func (u *unitIndex) place(code string) string {
	s := u.byCode[code]
	switch s.Type {
	case "city":
		return u.short(code) + "市"
	case "county":
		if n := u.short(code); !strings.HasSuffix(n, "区") {
			return n
		}
		return u.short(s.Parent) + "市" + u.short(code)
	}
	return u.short(code)
}

// cityOf is the city a unit lies in, or "" for provincial units.
func (u *unitIndex) cityOf(code string) string {
	for s, ok := u.byCode[code]; ok; s, ok = u.byCode[s.Parent] {
		if s.Type == "city" {
			return s.Code
		}
	}
	return ""
}

// cityWeights are the cities' resident populations in millions (2020
// census, rounded): how the generator spreads activity over them.
var cityWeights = map[string]float64{
	"320100": 9.3, "320200": 7.5, "320300": 9.1, "320400": 5.3, "320500": 12.7, "320600": 7.7, "320700": 4.6,
	"320800": 4.6, "320900": 6.7, "321000": 4.6, "321100": 3.2, "321200": 4.5, "321300": 5.0,
}

// spread is a weighted pool of units that hold some kind of record.
type spread struct {
	codes   []string
	weights []float64
}

// draw returns one unit of the pool.
func (s *spread) draw(r interface{ Float64() float64 }) string {
	sum := 0.0
	for _, w := range s.weights {
		sum += w
	}
	x := r.Float64() * sum
	for i, w := range s.weights {
		if x < w {
			return s.codes[i]
		}
		x -= w
	}
	return s.codes[len(s.codes)-1]
}

func (s *spread) add(code string, w float64) {
	s.codes = append(s.codes, code)
	s.weights = append(s.weights, w)
}

// grassroots is the pool of the local associations and societies that hold
// popular events: cities and counties in proportion to population (a city
// weighs as much as one of its counties), then societies and universities
// with the share given.
func (u *unitIndex) grassroots(societyShare, universityShare float64) *spread {
	s := &spread{}
	geo := 0.0
	for _, c := range u.cities {
		n := float64(len(u.counties[c.Code]) + 1)
		w := cityWeights[c.Code] / n
		s.add(c.Code, w)
		for _, k := range u.counties[c.Code] {
			s.add(k.Code, w)
		}
		geo += cityWeights[c.Code]
	}
	others := 1 - societyShare - universityShare
	for _, so := range u.ofType["society"] {
		s.add(so.Code, geo*societyShare/others/float64(len(u.ofType["society"])))
	}
	for _, un := range u.ofType["university"] {
		s.add(un.Code, geo*universityShare/others/float64(len(u.ofType["university"])))
	}
	return s
}

// geography is the pool of cities and counties only, by population.
func (u *unitIndex) geography() *spread { return u.grassroots(0, 0) }
