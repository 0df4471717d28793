package demo

import (
	"context"
	"errors"
	"fmt"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/register"
	"kexie/internal/unit"
)

// Password is the password of the demo accounts. The demo is for trying
// kexie out; a real deployment creates its users with `kexie user add`.
const Password = "kexie-demo"

// Account is a demo user and the role it holds.
type Account struct {
	Name, DisplayName string
	Role              auth.Role
	Unit              string
}

// Accounts are the demo users: an administrator and one user per common
// kind of office, so scope can be seen at work.
var Accounts = []Account{
	{"admin", "系统管理员", auth.RoleAdmin, "320000"},
	{"leader", "省科协领导", auth.RoleViewer, "320000"},
	{"nanjing", "南京市科协管理员", auth.RoleUnitAdmin, "320100"},
	{"xuzhou", "徐州市科协管理员", auth.RoleUnitAdmin, "320300"},
	{"xuanwu", "玄武区科协填报员", auth.RoleDataEntry, "320102"},
	{"inspector", "省科协督查员", auth.RoleInspector, "320000"},
	{"province-approver", "省科协审核员", auth.RoleApprover, "320000"},
	{"nanjing-approver", "南京市科协审核员", auth.RoleApprover, "320100"},
}

// Result says what a load did.
type Result struct {
	UnitsCreated, GroupsSaved, UsersCreated int
	// Records is how many register records were created.
	Records int
}

// Load adds whatever of the demo province is missing: groups, units,
// accounts and, when regs is not nil, the records of its registers (see
// LoadRecords). A second run changes nothing.
func Load(ctx context.Context, units *unit.Service, users *auth.Service, regs *register.Service) (Result, error) {
	var res Result
	specs, err := Units()
	if err != nil {
		return res, err
	}
	existing, err := units.Groups(ctx)
	if err != nil {
		return res, err
	}
	have := map[string]bool{}
	for _, g := range existing {
		have[g.Code] = true
	}
	for _, g := range Groups() {
		if have[g.Code] {
			continue
		}
		if _, err := units.SaveGroup(ctx, unit.Group{Code: g.Code, NameZH: g.NameZH, NameEN: g.NameEN}); err != nil {
			return res, fmt.Errorf("demo group %s: %w", g.Code, err)
		}
		res.GroupsSaved++
	}
	sys := unit.System()
	for _, s := range specs {
		_, err := units.Get(ctx, sys.Read, s.Code)
		if err == nil {
			continue
		}
		if !errors.Is(err, fault.ErrNotFound) {
			return res, err
		}
		groups := s.Groups
		if groups == nil {
			groups = []string{}
		}
		if _, err := units.Create(ctx, sys, unit.Create{Code: s.Code, Parent: s.Parent, Type: s.Type,
			NameZH: s.NameZH, NameEN: s.NameEN, Groups: groups}); err != nil {
			return res, fmt.Errorf("demo unit %s: %w", s.Code, err)
		}
		res.UnitsCreated++
	}
	for _, a := range Accounts {
		_, err := users.UserByName(ctx, nil, a.Name)
		if err == nil {
			continue
		}
		if !errors.Is(err, fault.ErrNotFound) {
			return res, err
		}
		if _, err := users.CreateUser(ctx, nil, auth.NewUser{Name: a.Name, DisplayName: a.DisplayName,
			Password: Password, Role: a.Role, Unit: a.Unit}); err != nil {
			return res, fmt.Errorf("demo user %s: %w", a.Name, err)
		}
		res.UsersCreated++
	}
	if regs != nil {
		n, err := LoadRecords(ctx, regs)
		res.Records = n
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// Loaded says whether the demo province is present (its root exists).
func Loaded(ctx context.Context, units *unit.Service) (bool, error) {
	_, err := units.Get(ctx, unit.Everything(), rootCode)
	if errors.Is(err, fault.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
