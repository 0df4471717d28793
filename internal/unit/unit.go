// Package unit is the organisation tree: units, their types and groups,
// and the Scope that limits every query to the subtrees a caller holds.
package unit

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"kexie/internal/fault"
)

// Unit is a node of the organisation tree.
type Unit struct {
	ID       int64    `json:"-"`
	Code     string   `json:"code"`
	Type     string   `json:"type"`
	Parent   string   `json:"parent,omitempty"`
	Path     string   `json:"path"`
	Depth    int      `json:"depth"`
	NameZH   string   `json:"name_zh"`
	NameEN   string   `json:"name_en"`
	OpenedOn string   `json:"opened_on,omitempty"`
	ClosedOn string   `json:"closed_on,omitempty"`
	Groups   []string `json:"groups"`
	Children int      `json:"children"`
	Version  int      `json:"version"`
}

// Name returns the unit's name in lang ("en" or Chinese by default).
func (u Unit) Name(lang string) string {
	if lang == "en" && u.NameEN != "" {
		return u.NameEN
	}
	return u.NameZH
}

// Closed says whether the unit has been closed.
func (u Unit) Closed() bool { return u.ClosedOn != "" }

// Create is a request to create a unit.
type Create struct {
	Code     string   `json:"code"`
	Type     string   `json:"type"`
	Parent   string   `json:"parent"`
	NameZH   string   `json:"name_zh"`
	NameEN   string   `json:"name_en"`
	OpenedOn string   `json:"opened_on"`
	Groups   []string `json:"groups"`
}

// Update is a partial update: nil fields are left as they are.
type Update struct {
	Type     *string   `json:"type"`
	NameZH   *string   `json:"name_zh"`
	NameEN   *string   `json:"name_en"`
	OpenedOn *string   `json:"opened_on"`
	Groups   *[]string `json:"groups"`
	// Version, when given, must match the stored version (optimistic lock).
	Version *int `json:"version"`
}

// Move re-parents a unit.
type Move struct {
	Parent string `json:"parent"`
}

// CloseReq closes a unit on a date; its history stays.
type CloseReq struct {
	ClosedOn string `json:"closed_on"`
}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)

// ValidCode says whether s may be a unit code: 1–32 letters, digits,
// '_', '-' or '.', starting with a letter or digit.
func ValidCode(s string) bool { return codeRE.MatchString(s) }

// Limits on names.
const (
	MaxNameZH = 100
	MaxNameEN = 200
)

func checkDate(c *fault.Check, field, v string) {
	if v == "" {
		return
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		c.Add(field, "error.date", "value", v)
	}
}

func checkName(c *fault.Check, field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		c.Add(field, "error.required")
	case utf8.RuneCountInString(v) > max:
		c.Add(field, "error.too_long", "max", max)
	case !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\r\n"):
		c.Add(field, "error.bad_text")
	}
}

func (in *Create) normalize() {
	in.Code = strings.TrimSpace(in.Code)
	in.Type = strings.TrimSpace(in.Type)
	in.Parent = strings.TrimSpace(in.Parent)
	in.NameZH = strings.TrimSpace(in.NameZH)
	in.NameEN = strings.TrimSpace(in.NameEN)
	in.OpenedOn = strings.TrimSpace(in.OpenedOn)
}

func (in Create) check(needParent bool) *fault.Check {
	c := &fault.Check{}
	if in.Code == "" {
		c.Add("code", "error.required")
	} else if !ValidCode(in.Code) {
		c.Add("code", "unit.code.invalid")
	}
	if in.Type == "" {
		c.Add("type", "error.required")
	}
	if needParent && in.Parent == "" {
		c.Add("parent", "error.required")
	}
	checkName(c, "name_zh", in.NameZH, MaxNameZH, true)
	checkName(c, "name_en", in.NameEN, MaxNameEN, false)
	checkDate(c, "opened_on", in.OpenedOn)
	if len(in.Groups) > 50 {
		c.Add("groups", "error.too_many", "max", 50)
	}
	return c
}

func (in Update) check() *fault.Check {
	c := &fault.Check{}
	if in.NameZH != nil {
		checkName(c, "name_zh", strings.TrimSpace(*in.NameZH), MaxNameZH, true)
	}
	if in.NameEN != nil {
		checkName(c, "name_en", strings.TrimSpace(*in.NameEN), MaxNameEN, false)
	}
	if in.OpenedOn != nil {
		checkDate(c, "opened_on", strings.TrimSpace(*in.OpenedOn))
	}
	if in.Type != nil && strings.TrimSpace(*in.Type) == "" {
		c.Add("type", "error.required")
	}
	if in.Groups != nil && len(*in.Groups) > 50 {
		c.Add("groups", "error.too_many", "max", 50)
	}
	return c
}
