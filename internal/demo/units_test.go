package demo

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func mustUnits(t *testing.T) []UnitSpec {
	t.Helper()
	us, err := Units()
	if err != nil {
		t.Fatalf("Units: %v", err)
	}
	return us
}

func TestCodesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, u := range mustUnits(t) {
		if seen[u.Code] {
			t.Errorf("duplicate code %s", u.Code)
		}
		seen[u.Code] = true
	}
}

func TestParentsExistAndComeFirst(t *testing.T) {
	us := mustUnits(t)
	if len(us) == 0 || us[0].Code != "320000" || us[0].Parent != "" || us[0].Type != "province" {
		t.Fatalf("first unit is %+v, want root 320000 of type province", us[0])
	}
	seen := map[string]bool{}
	for _, u := range us {
		switch {
		case u.Code == "320000":
			if u.Parent != "" {
				t.Errorf("root has parent %q", u.Parent)
			}
		case u.Parent == "":
			t.Errorf("unit %s has no parent", u.Code)
		case !seen[u.Parent]:
			t.Errorf("unit %s: parent %s missing or after it", u.Code, u.Parent)
		}
		seen[u.Code] = true
	}
}

func TestTypesKnown(t *testing.T) {
	for _, u := range mustUnits(t) {
		if !unitTypes[u.Type] {
			t.Errorf("unit %s: unknown type %q", u.Code, u.Type)
		}
	}
}

func TestNamesNotEmpty(t *testing.T) {
	for _, u := range mustUnits(t) {
		if strings.TrimSpace(u.NameZH) == "" || strings.TrimSpace(u.NameEN) == "" {
			t.Errorf("unit %s: empty name (%q, %q)", u.Code, u.NameZH, u.NameEN)
		}
	}
	for _, g := range Groups() {
		if strings.TrimSpace(g.NameZH) == "" || strings.TrimSpace(g.NameEN) == "" {
			t.Errorf("group %s: empty name", g.Code)
		}
	}
}

func TestCities(t *testing.T) {
	want := []struct{ code, zh, en string }{
		{"320100", "南京", "Nanjing"},
		{"320200", "无锡", "Wuxi"},
		{"320300", "徐州", "Xuzhou"},
		{"320400", "常州", "Changzhou"},
		{"320500", "苏州", "Suzhou"},
		{"320600", "南通", "Nantong"},
		{"320700", "连云港", "Lianyungang"},
		{"320800", "淮安", "Huai'an"},
		{"320900", "盐城", "Yancheng"},
		{"321000", "扬州", "Yangzhou"},
		{"321100", "镇江", "Zhenjiang"},
		{"321200", "泰州", "Taizhou"},
		{"321300", "宿迁", "Suqian"},
	}
	var cities []UnitSpec
	for _, u := range mustUnits(t) {
		if u.Type == "city" {
			cities = append(cities, u)
		}
	}
	if len(cities) != len(want) {
		t.Fatalf("got %d cities, want %d", len(cities), len(want))
	}
	for i, w := range want {
		c := cities[i]
		if c.Code != w.code || c.Parent != "320000" {
			t.Errorf("city %d: code %s parent %s, want %s under 320000", i, c.Code, c.Parent, w.code)
		}
		if c.NameZH != w.zh+"市科学技术协会" {
			t.Errorf("city %s: NameZH %q", c.Code, c.NameZH)
		}
		if c.NameEN != w.en+" Association for Science and Technology" {
			t.Errorf("city %s: NameEN %q", c.Code, c.NameEN)
		}
	}
}

var (
	sixDigits = regexp.MustCompile(`^32\d{4}$`)
	countyZH  = regexp.MustCompile(`^\p{Han}+[区县市]科学技术协会$`)
	countyEN  = regexp.MustCompile(`^[A-Z][a-z]+(?:'[a-z]+)? (?:District|County|City) Association for Science and Technology$`)
)

func TestCounties(t *testing.T) {
	us := mustUnits(t)
	byCode := map[string]UnitSpec{}
	for _, u := range us {
		byCode[u.Code] = u
	}
	n := 0
	for _, u := range us {
		if u.Type != "county" {
			continue
		}
		n++
		if !sixDigits.MatchString(u.Code) || strings.HasSuffix(u.Code, "00") {
			t.Errorf("county %s: not a county-level GB/T 2260 code in Jiangsu", u.Code)
		}
		if p := byCode[u.Parent]; p.Type != "city" {
			t.Errorf("county %s: parent %s is not a city", u.Code, u.Parent)
		}
		if u.Code[:4] != u.Parent[:4] {
			t.Errorf("county %s: code does not start with its city's prefix %s", u.Code, u.Parent[:4])
		}
		if !countyZH.MatchString(u.NameZH) {
			t.Errorf("county %s: odd Chinese name %q", u.Code, u.NameZH)
		}
		if !countyEN.MatchString(u.NameEN) {
			t.Errorf("county %s: odd English name %q", u.Code, u.NameEN)
		}
		// Suffixes must agree: 区 District, 县 County, 市 City.
		suffix := map[string]string{"区": " District ", "县": " County ", "市": " City "}
		zh := strings.TrimSuffix(u.NameZH, "科学技术协会")
		if !strings.Contains(u.NameEN, suffix[zh[len(zh)-len("区"):]]) {
			t.Errorf("county %s: %q and %q disagree on kind", u.Code, u.NameZH, u.NameEN)
		}
		if strings.Contains(zh, "市辖区") || strings.Contains(zh, "开发区") {
			t.Errorf("county %s: pseudo-division %q", u.Code, zh)
		}
	}
	// Jiangsu has 55 districts, 21 county-level cities and 19 counties.
	if n != 95 {
		t.Errorf("got %d counties, want 95", n)
	}
}

func TestGeographicCodes(t *testing.T) {
	for _, u := range mustUnits(t) {
		geo := u.Type == "province" || u.Type == "city" || u.Type == "county"
		if geo != sixDigits.MatchString(u.Code) {
			t.Errorf("unit %s of type %s: six-digit codes are for geographic units only", u.Code, u.Type)
		}
	}
}

func TestOrganisations(t *testing.T) {
	prefix := map[string]*regexp.Regexp{
		"society":       regexp.MustCompile(`^SOC\d{3}$`),
		"university":    regexp.MustCompile(`^UNI\d{2}$`),
		"enterprise":    regexp.MustCompile(`^ENT\d{2}$`),
		"rural":         regexp.MustCompile(`^RUR\d{2}$`),
		"haizhi_base":   regexp.MustCompile(`^HZ\d{2}$`),
		"offshore_base": regexp.MustCompile(`^OFF\d{2}$`),
		"edu_base":      regexp.MustCompile(`^EDU\d{2}$`),
		"kexiao":        regexp.MustCompile(`^KX\d{2}$`),
		"museum":        regexp.MustCompile(`^MUS\d{2}$`),
		"volunteer_org": regexp.MustCompile(`^VOL\d{2}$`),
	}
	us := mustUnits(t)
	typeOf := map[string]string{}
	count := map[string]int{}
	for _, u := range us {
		typeOf[u.Code] = u.Type
		count[u.Type]++
	}
	for _, u := range us {
		re, ok := prefix[u.Type]
		if !ok {
			continue
		}
		if !re.MatchString(u.Code) {
			t.Errorf("unit %s of type %s: code does not match %s", u.Code, u.Type, re)
		}
		switch pt := typeOf[u.Parent]; {
		case u.Type == "society" && u.Parent != "320000":
			t.Errorf("society %s: parent %s, want 320000", u.Code, u.Parent)
		case u.Type == "rural" && pt != "county":
			t.Errorf("rural association %s: parent %s is a %s, want a county", u.Code, u.Parent, pt)
		case u.Type == "haizhi_base" && pt != "city":
			t.Errorf("haizhi base %s: parent %s is a %s, want a city", u.Code, u.Parent, pt)
		case pt != "province" && pt != "city" && pt != "county":
			t.Errorf("unit %s: parent %s is a %s, want a geographic unit", u.Code, u.Parent, pt)
		}
	}
	want := map[string]int{
		"province": 1, "city": 13, "county": 95,
		"society": 50, "university": 8, "enterprise": 10, "rural": 4,
		"haizhi_base": 3, "offshore_base": 1, "edu_base": 4, "kexiao": 4,
		"museum": 3, "volunteer_org": 3,
	}
	for typ, n := range want {
		if count[typ] != n {
			t.Errorf("%d units of type %s, want %d (update docs/demo-data.md too)", count[typ], typ, n)
		}
	}
}

func TestGroups(t *testing.T) {
	gs := Groups()
	defined := map[string]bool{}
	for _, g := range gs {
		if defined[g.Code] {
			t.Errorf("duplicate group %s", g.Code)
		}
		defined[g.Code] = true
	}
	members := map[string][]string{}
	for _, u := range mustUnits(t) {
		for _, g := range u.Groups {
			if !defined[g] {
				t.Errorf("unit %s: undefined group %q", u.Code, g)
			}
			members[g] = append(members[g], u.Code)
		}
	}
	for _, g := range gs {
		if len(members[g.Code]) == 0 {
			t.Errorf("group %s has no members", g.Code)
		}
	}
	eq := func(g string, want ...string) {
		t.Helper()
		if !slices.Equal(members[g], want) {
			t.Errorf("group %s = %v, want %v", g, members[g], want)
		}
	}
	eq("kczg_pilot", "320300", "320400")
	eq("southern", "320100", "320200", "320400", "320500", "321100")
	eq("central", "320600", "321000", "321200")
	eq("northern", "320300", "320700", "320800", "320900", "321300")
	if n := len(members["reform_county"]); n < 5 || n > 8 {
		t.Errorf("reform_county has %d members, want about 6", n)
	}
	us := mustUnits(t)
	typeOf := map[string]string{}
	for _, u := range us {
		typeOf[u.Code] = u.Type
	}
	for _, c := range members["reform_county"] {
		if typeOf[c] != "county" {
			t.Errorf("reform_county member %s is a %s", c, typeOf[c])
		}
	}
}

func TestResultsAreCopies(t *testing.T) {
	us := mustUnits(t)
	for i := range us {
		if len(us[i].Groups) > 0 {
			us[i].Groups[0] = "mutated"
		}
		us[i].NameZH = "mutated"
	}
	for _, u := range mustUnits(t) {
		if u.NameZH == "mutated" || slices.Contains(u.Groups, "mutated") {
			t.Fatalf("Units shares state between calls: %+v", u)
		}
	}
	gs := Groups()
	gs[0].Code = "mutated"
	if Groups()[0].Code == "mutated" {
		t.Fatal("Groups shares state between calls")
	}
}

func TestParseRejectsBadData(t *testing.T) {
	const head = "code,parent,type,name_zh,name_en,groups\n"
	groups := map[string]bool{"g": true}
	cases := map[string]string{
		"header":       "code,parent,kind,name_zh,name_en,groups\n320000,,province,a,b,\n",
		"no rows":      head,
		"field count":  head + "320000,,province,a,b\n",
		"empty name":   head + "320000,,province,,b,\n",
		"unknown type": head + "320000,,planet,a,b,\n",
		"no parent":    head + "320100,,city,a,b,\n",
		"root parent":  head + "320000,320100,province,a,b,\n",
		"group":        head + "320000,,province,a,b,nope\n",
		"group twice":  head + "320000,,province,a,b,g;g\n",
		"utf8":         head + "320000,,province,\xff,b,\n",
	}
	for name, in := range cases {
		if _, err := parseUnits(name, []byte(in), groups); err == nil {
			t.Errorf("%s: parseUnits accepted %q", name, in)
		}
	}
	gcases := map[string]string{
		"header":    "code,name\nx,y\n",
		"empty":     "code,name_zh,name_en\nx,,z\n",
		"duplicate": "code,name_zh,name_en\nx,y,z\nx,y,z\n",
	}
	for name, in := range gcases {
		if _, err := parseGroups(name, []byte(in)); err == nil {
			t.Errorf("%s: parseGroups accepted %q", name, in)
		}
	}
}

func TestParseAcceptsGoodData(t *testing.T) {
	in := "\uFEFFcode,parent,type,name_zh,name_en,groups\n" +
		"320000,,province,省,Province,\n" +
		` 320100 , 320000 ,city,"市, 一",City,g; h` + "\n"
	us, err := parseUnits("ok", []byte(in), map[string]bool{"g": true, "h": true})
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 2 || us[1].Code != "320100" || us[1].Parent != "320000" || us[1].NameZH != "市, 一" ||
		!slices.Equal(us[1].Groups, []string{"g", "h"}) || us[0].Groups != nil {
		t.Fatalf("parsed %+v", us)
	}
}

func TestOrder(t *testing.T) {
	u := func(code, parent string) UnitSpec { return UnitSpec{Code: code, Parent: parent} }
	got, err := order([]UnitSpec{u("C", "B"), u("320000", ""), u("B", "320000"), u("D", "320000")})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, x := range got {
		codes = append(codes, x.Code)
	}
	if want := []string{"320000", "B", "C", "D"}; !slices.Equal(codes, want) {
		t.Errorf("order = %v, want %v", codes, want)
	}
	if _, err := order([]UnitSpec{u("320000", ""), u("A", "X")}); err == nil {
		t.Error("order accepted an unknown parent")
	}
	if _, err := order([]UnitSpec{u("320000", ""), u("A", "320000"), u("A", "320000")}); err == nil {
		t.Error("order accepted a duplicate code")
	}
	if _, err := order([]UnitSpec{u("320000", ""), u("A", "B"), u("B", "A")}); !errors.Is(err, errCycle) {
		t.Errorf("order on a cycle: err = %v, want errCycle", err)
	}
}
