// Package auth holds users, their roles at units, sessions, API tokens and
// the Principal: who is calling and which subtrees each permission covers.
package auth

import (
	"slices"

	"kexie/internal/unit"
)

// Role is held at a unit and applies to that unit's whole subtree.
type Role string

// The roles of kexie.
const (
	RoleAdmin     Role = "admin"      // everything in the subtree, including granting admin
	RoleUnitAdmin Role = "unit_admin" // units, users and roles in the subtree
	RoleDataEntry Role = "data_entry" // 填报: enters records and figures
	RoleApprover  Role = "approver"   // 审核: approves submitted data
	RoleInspector Role = "inspector"  // 督查: supervision campaigns
	RoleReviewer  Role = "reviewer"   // 评审专家: reviews applications
	RoleViewer    Role = "viewer"     // 领导查看: reads everything in the subtree
)

// Roles lists every role in the order pages show them.
var Roles = []Role{RoleAdmin, RoleUnitAdmin, RoleDataEntry, RoleApprover, RoleInspector, RoleReviewer, RoleViewer}

// Valid says whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Perm is something a role allows.
type Perm int

// Permissions checked by the services and handlers.
const (
	PermRead      Perm = iota // see units and what they hold
	PermUnitWrite             // create, change, move and close units
	PermUserAdmin             // manage users and grant roles
	PermAuditRead             // read the audit log
	PermDataEntry             // enter records and figures
	PermApprove               // approve and lock data
	PermInspect               // run supervision campaigns
	PermReview                // review applications
)

var rolePerms = map[Role][]Perm{
	RoleAdmin:     {PermRead, PermUnitWrite, PermUserAdmin, PermAuditRead, PermDataEntry, PermApprove, PermInspect, PermReview},
	RoleUnitAdmin: {PermRead, PermUnitWrite, PermUserAdmin, PermAuditRead, PermDataEntry},
	RoleDataEntry: {PermRead, PermDataEntry},
	RoleApprover:  {PermRead, PermApprove},
	RoleInspector: {PermRead, PermInspect, PermAuditRead},
	RoleReviewer:  {PermRead, PermReview},
	RoleViewer:    {PermRead},
}

// Allows says whether r carries p.
func (r Role) Allows(p Perm) bool { return slices.Contains(rolePerms[r], p) }

// Grant is a role held at a unit.
type Grant struct {
	ID       int64  `json:"id"`
	Role     Role   `json:"role"`
	Unit     string `json:"unit"`
	UnitName string `json:"unit_name,omitempty"`
	UnitPath string `json:"-"`
}

// Principal is the caller of a request: a user and its grants.
type Principal struct {
	UserID      int64
	Name        string
	DisplayName string
	Locale      string
	SessionID   string // empty for token callers
	CSRF        string
	Grants      []Grant
}

// Scope returns the subtrees in which the principal holds p.
func (p *Principal) Scope(perm Perm) unit.Scope {
	s := unit.Subtrees()
	if p == nil {
		return s
	}
	for _, g := range p.Grants {
		if g.Role.Allows(perm) && g.UnitPath != "" {
			s = s.Union(unit.Subtrees(g.UnitPath))
		}
	}
	return s
}

// Access returns what the principal reads and what it may change with perm.
func (p *Principal) Access(perm Perm) unit.Access {
	return unit.Access{Read: p.Scope(PermRead), Write: p.Scope(perm)}
}

// Can says whether the principal holds perm anywhere.
func (p *Principal) Can(perm Perm) bool { return !p.Scope(perm).Empty() }

// HasRoleAt says whether the principal holds role r at a unit whose
// subtree contains path.
func (p *Principal) HasRoleAt(r Role, path string) bool {
	for _, g := range p.Grants {
		if g.Role == r && unit.Subtrees(g.UnitPath).Contains(path) {
			return true
		}
	}
	return false
}
