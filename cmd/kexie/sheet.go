package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"kexie/internal/fault"
	"kexie/internal/i18n"
	"kexie/internal/register"
	"kexie/internal/unit"
)

// Usages of the spreadsheet commands.
const (
	importUsage = "用法 / usage: kexie import --units FILE [--dry-run] [--unit-scope CODE] | " +
		"kexie import --register CODE FILE [--dry-run] [--unit CODE]"
	exportUsage = "用法 / usage: kexie export --units [--under CODE] [--type T] --out FILE | " +
		"kexie export --register CODE [--unit CODE] [--period P] [--status S] [--q TEXT] [--where FIELD[.OP]=VALUE]… " +
		"[--columns A,B] [--format xlsx|csv] --out FILE"
)

// runImport imports units, or a register's records, from a workbook or
// CSV file, all or nothing.
func runImport(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "import")
	file := fs.String("units", "", "组织表 / units file (.xlsx or .csv; - for standard input)")
	reg := fs.String("register", "", "导入此台账的记录，文件在后 / import records of this register from the FILE that follows")
	dry := fs.Bool("dry-run", false, "只检查，不写入 / check and count only, write nothing")
	scopeCode := fs.String("unit-scope", "", "只能在此组织的子树内新建和修改 / act as the administrator of this unit's subtree")
	unitCode := fs.String("unit", "", "台账：只导入此组织及其子树的记录 / registers: only records of this unit's subtree")
	lang := fs.String("lang", i18n.ZH, "问题说明的语言 / language of the problems: zh-CN or en")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *reg != "" && *file == "" && len(pos) == 1 && *scopeCode == "" {
		return importRegister(ctx, e, *reg, pos[0], register.ImportOptions{DryRun: *dry, Unit: *unitCode}, i18n.Pick([]string{*lang}, ""))
	}
	if *file == "" || len(pos) > 0 || *reg != "" || *unitCode != "" {
		return errors.New(importUsage)
	}
	msgs, err := i18n.Load()
	if err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	access := unit.System()
	if *scopeCode != "" {
		u, err := a.Units.Get(ctx, unit.Everything(), *scopeCode)
		if err != nil {
			return fmt.Errorf("--unit-scope %s: %w", *scopeCode, err)
		}
		s := unit.Subtrees(u.Path)
		access = unit.Access{Read: s, Write: s}
	}
	var in io.Reader = e.stdin
	name := "stdin"
	if *file != "-" {
		f, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer f.Close()
		in, name = f, filepath.Base(*file)
	}
	res, err := a.Units.Import(ctx, access, in, unit.ImportOptions{DryRun: *dry, FileName: name})
	var refused *unit.ImportProblems
	if errors.As(err, &refused) {
		l := i18n.Pick([]string{*lang}, "")
		for _, p := range refused.Problems {
			fmt.Fprintln(e.stdout, problemLine(msgs, l, name, p))
		}
		n := len(refused.Problems)
		return fmt.Errorf("没有导入任何数据：%d 个问题 / nothing imported: %d problem(s): %w", n, n, fault.ErrInvalid)
	}
	if err != nil {
		return err
	}
	verb := "已导入 / imported"
	if res.DryRun {
		verb = "试运行，没有写入 / dry run, nothing written"
	}
	fmt.Fprintf(e.stdout, "%s: 新建 %d，修改 %d，未变 %d / %d created, %d updated, %d unchanged\n",
		verb, res.Created, res.Updated, res.Unchanged, res.Created, res.Updated, res.Unchanged)
	return nil
}

// problemLine is one problem for the terminal, where Excel would show it:
// 组织机构!C5 类型 / Type: 没有这种组织类型：xx (value "xx").
func problemLine(msgs i18n.Catalog, lang, file string, p unit.Problem) string {
	where := p.Cell()
	if where == "" {
		where = file
	}
	if p.Header != "" {
		where += " " + p.Header
	}
	line := where + ": " + msgs.T(lang, p.Key, p.Args)
	if p.Value != "" {
		line += fmt.Sprintf(" (value %q)", p.Value)
	}
	return line
}

// runExport writes units, or a register's records, as a file that
// `kexie import` reads back.
func runExport(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "export")
	units := fs.Bool("units", false, "导出组织 / export units")
	under := fs.String("under", "", "只导出此组织以下的组织 / only the units below this one")
	typ := fs.String("type", "", "只导出此类型 / only units of this type")
	group := fs.String("group", "", "只导出此分组 / only units in this group")
	closed := fs.Bool("closed", false, "包括已撤销的组织 / include closed units")
	out := fs.String("out", "", "输出文件，- 为标准输出 / output file, - for standard output")
	lang := fs.String("lang", i18n.ZH, "工作表名称的语言 / language of the sheet names: zh-CN or en")
	var rf registerFlags
	rf.add(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if rf.code != "" && !*units && *out != "" && len(pos) == 0 {
		return exportRegister(ctx, e, rf, *out, i18n.Pick([]string{*lang}, ""))
	}
	if !*units || *out == "" || len(pos) > 0 || rf.code != "" {
		return errors.New(exportUsage)
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	if *under != "" {
		if _, err := a.Units.Get(ctx, unit.Everything(), *under); err != nil {
			return fmt.Errorf("--under %s: %w", *under, err)
		}
	}
	f := unit.Filter{Under: *under, Type: *typ, Group: *group, Closed: *closed}
	l := i18n.Pick([]string{*lang}, "")
	if *out == "-" {
		return a.Units.Export(ctx, unit.Everything(), f, e.stdout, l)
	}
	if err := writeAtomically(*out, func(w io.Writer) error { return a.Units.Export(ctx, unit.Everything(), f, w, l) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已导出 / exported: %s\n", *out)
	return nil
}

// writeAtomically writes a file beside its target and renames it, so that
// a failed export leaves no half file.
func writeAtomically(out string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".kexie-export-*"+filepath.Ext(out))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
