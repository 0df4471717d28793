package demo

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// The generator's tools: a seeded random source per area, dates, exact
// splits of a total, and Chinese names, identity numbers and credit codes
// that pass the registers' checks. Everything is deterministic.

// newRand returns the random source of one part of the generator, seeded
// by its name so that changing one part leaves the others' records alone.
func newRand(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(20210630, h.Sum64()))
}

// date is a day as the registers take it.
func date(y int, m time.Month, d int) string {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// between returns a random day from from to to, both included ("2006-01-02").
func between(r *rand.Rand, from, to string) string {
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || b.Before(a) {
		panic("demo: bad date range " + from + ".." + to)
	}
	days := int(b.Sub(a).Hours()/24) + 1
	return a.AddDate(0, 0, r.IntN(days)).Format(time.DateOnly)
}

// laterOf returns the later of two days.
func laterOf(a, b string) string {
	if a > b {
		return a
	}
	return b
}

// split divides total into n parts of at least min each, at random but
// adding up exactly; spread widens the differences (0 gives equal parts).
func split(r *rand.Rand, total int64, n int, min int64, spread float64) []int64 {
	if n <= 0 || total < int64(n)*min {
		panic(fmt.Sprintf("demo: cannot split %d into %d parts of at least %d", total, n, min))
	}
	rest := total - int64(n)*min
	w := make([]float64, n)
	sum := 0.0
	for i := range w {
		w[i] = 1 + spread*r.ExpFloat64()
		sum += w[i]
	}
	out := make([]int64, n)
	var given int64
	for i := range out {
		part := int64(float64(rest) * w[i] / sum)
		out[i] = min + part
		given += part
	}
	for left := rest - given; left > 0; left-- {
		out[r.IntN(n)]++
	}
	return out
}

// num is a number as the registers take it from JSON text.
func num[T ~int | ~int64](n T) string { return fmt.Sprint(int64(n)) }

// pick returns a random element of list.
func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// weighted returns an index drawn with the given weights.
func weighted(r *rand.Rand, weights []float64) int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	x := r.Float64() * sum
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// unique draws from gen until it gives a string not yet in used, and
// records it; after many tries it numbers the last draw.
func unique(used map[string]bool, gen func() string) string {
	var s string
	for range 30 {
		if s = gen(); !used[s] {
			used[s] = true
			return s
		}
	}
	for i := 2; ; i++ {
		if t := fmt.Sprintf("%s（%d）", s, i); !used[t] {
			used[t] = true
			return t
		}
	}
}

// uniqueIn is unique within a scope (say a unit and a day): the same
// string may recur in another scope.
func uniqueIn(used map[string]bool, scope string, gen func() string) string {
	s := unique(used, func() string { return scope + "\x1f" + gen() })
	return s[strings.IndexByte(s, '\x1f')+1:]
}

// ordinal writes 1..99 in Chinese: 一, 十二, 二十三.
func ordinal(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n == 10:
		return "十"
	case n < 20:
		return "十" + digits[n-10]
	}
	return digits[n/10] + "十" + digits[n%10]
}

var (
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
		"高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘",
		"于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆",
		"汪", "范", "金", "石", "廖", "贾", "夏", "韦", "顾", "缪", "钱", "严", "秦", "季", "戴", "仲", "殷"}
	givenMale = []string{"伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波",
		"宇", "浩", "凯", "健", "俊", "帆", "建", "峰", "亮", "晨", "毅", "昊", "立", "文", "志", "国", "海", "东", "春", "永",
		"振", "新", "家", "兴", "德", "成", "林", "翔", "旭", "博", "远", "达", "航", "源", "卫", "庆", "思", "睿"}
	givenFemale = []string{"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "莹", "琳", "颖", "倩",
		"洁", "悦", "佳", "欣", "萍", "红", "梅", "岚", "蕾", "雯", "琴", "璐", "晶", "怡", "瑶", "蓉", "薇", "婧", "晓", "文",
		"秀", "丹", "露", "嘉", "宁"}
)

// person is a made-up person: a name, a gender and an identity number.
type person struct {
	Name, Gender, ID string
	Born             string
}

// people draws made-up people with distinct names and identity numbers.
type people struct {
	r     *rand.Rand
	names map[string]bool
	ids   map[string]bool
}

func newPeople(r *rand.Rand) *people {
	return &people{r: r, names: map[string]bool{}, ids: map[string]bool{}}
}

// name returns a name not given before by p, and the gender it suits.
func (p *people) name() (string, string) {
	gender := "male"
	given := givenMale
	if p.r.IntN(100) < 42 {
		gender, given = "female", givenFemale
	}
	n := unique(p.names, func() string {
		s := pick(p.r, surnames) + pick(p.r, given)
		if p.r.IntN(100) < 70 {
			s += pick(p.r, given)
		}
		return s
	})
	return n, gender
}

// person returns a new person born between the two years, registered
// (for the identity number's region) in the division with code region.
func (p *people) person(region string, bornFrom, bornTo int) person {
	name, gender := p.name()
	born := between(p.r, date(bornFrom, 1, 1), date(bornTo, 12, 31))
	var id string
	for {
		seq := p.r.IntN(500)*2 + 1 // odd for men
		if gender == "female" {
			seq--
		}
		id = idNumber(region, born, seq)
		if !p.ids[id] {
			p.ids[id] = true
			break
		}
	}
	return person{Name: name, Gender: gender, ID: id, Born: born}
}

// idNumber makes a resident identity number (GB 11643) with its check
// character: region (six digits), birth day, a sequence number.
func idNumber(region, born string, seq int) string {
	if len(region) != 6 {
		region = "320000"
	}
	body := region + strings.ReplaceAll(born, "-", "") + fmt.Sprintf("%03d", seq)
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(body[i]-'0') * weights[i]
	}
	return body + string("10X98765432"[sum%11])
}

// usccAlphabet is the character set of unified social credit codes.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// credit draws distinct unified social credit codes (GB 32100) of
// companies registered in a division, with their check character.
type credit struct {
	r    *rand.Rand
	used map[string]bool
}

func newCredit(r *rand.Rand) *credit { return &credit{r: r, used: map[string]bool{}} }

// code returns a new credit code of a company registered in region.
func (c *credit) code(region string) string {
	if len(region) != 6 {
		region = "320000"
	}
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	for {
		b := []byte("91" + region)
		for len(b) < 17 {
			b = append(b, usccAlphabet[c.r.IntN(len(usccAlphabet))])
		}
		sum := 0
		for i, ch := range b {
			sum += strings.IndexByte(usccAlphabet, ch) * weights[i]
		}
		s := string(append(b, usccAlphabet[(31-sum%31)%31]))
		if !c.used[s] {
			c.used[s] = true
			return s
		}
	}
}

// mobile returns a plausible mobile number.
func mobile(r *rand.Rand) string {
	prefixes := []string{"130", "133", "135", "136", "138", "139", "150", "151", "152", "158", "177", "180", "181", "187", "189"}
	return pick(r, prefixes) + fmt.Sprintf("%08d", r.IntN(100000000))
}

// shuffled returns a shuffled copy of list.
func shuffled[T any](r *rand.Rand, list []T) []T {
	out := slices.Clone(list)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
