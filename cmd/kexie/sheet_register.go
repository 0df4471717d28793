package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kexie/internal/fault"
	"kexie/internal/i18n"
	"kexie/internal/register"
	"kexie/internal/sheet"
)

// importRegister imports a register's records from file (- for standard
// input) as the system, all or nothing, printing each problem where Excel
// shows it and, for a long import, its progress on standard error.
func importRegister(ctx context.Context, e *env, code, file string, opts register.ImportOptions, lang string) error {
	msgs, err := i18n.Load()
	if err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	var f *os.File
	name := "stdin"
	if file == "-" {
		// an import reads a workbook at random: standard input waits in a file
		if f, err = os.CreateTemp("", "kexie-stdin-*"); err != nil {
			return err
		}
		defer os.Remove(f.Name())
		if _, err := io.Copy(f, e.stdin); err != nil {
			f.Close()
			return err
		}
	} else {
		if f, err = os.Open(file); err != nil {
			return err
		}
		name = filepath.Base(file)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	opts.FileName = name
	last := time.Now()
	opts.Progress = func(p register.ImportProgress) {
		if time.Since(last) < 2*time.Second {
			return
		}
		last = time.Now()
		if p.Total > 0 {
			fmt.Fprintf(e.stderr, "%s: %d / %d\n", p.Phase, p.Done, p.Total)
		} else {
			fmt.Fprintf(e.stderr, "%s: %d\n", p.Phase, p.Done)
		}
	}
	res, err := a.Registers.Import(ctx, register.System(), code, f, st.Size(), opts)
	var refused *sheet.Refused
	if errors.As(err, &refused) {
		for _, p := range refused.Problems {
			fmt.Fprintln(e.stdout, problemLine(msgs, lang, name, p))
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

// registerFlags are the export flags of a register: the filters of its
// records list.
type registerFlags struct {
	code, unit, period, status, q, columns, format string
	where                                          whereFlags
}

func (rf *registerFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&rf.code, "register", "", "导出此台账的记录 / export records of this register")
	fs.StringVar(&rf.unit, "unit", "", "台账：只导出此组织及其子树 / registers: only this unit's subtree")
	fs.StringVar(&rf.period, "period", "", "台账：期间，如 2021、2021S1、2021Q3 / registers: a period such as 2021, 2021S1, 2021Q3")
	fs.StringVar(&rf.status, "status", "", "台账：状态 draft|submitted|approved|returned / registers: a status")
	fs.StringVar(&rf.q, "q", "", "台账：包含此文字 / registers: records holding this text")
	fs.StringVar(&rf.columns, "columns", "", "台账：只导出这些字段（逗号分隔） / registers: only these fields, comma-separated")
	fs.StringVar(&rf.format, "format", "", "xlsx 或 csv（默认看 --out 的扩展名） / xlsx or csv (default: from --out's extension)")
	fs.Var(&rf.where, "where", "台账：字段条件 FIELD[.OP]=VALUE，可重复 / registers: a field condition FIELD[.OP]=VALUE, repeatable")
}

// whereFlags are repeated --where FIELD[.OP]=VALUE conditions.
type whereFlags []register.Cond

func (w *whereFlags) String() string { return fmt.Sprint(*w) }

func (w *whereFlags) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return errors.New("FIELD[.OP]=VALUE")
	}
	field, op, _ := strings.Cut(key, ".")
	if op == "" {
		op = "eq"
	}
	*w = append(*w, register.Cond{Field: field, Op: op, Value: value})
	return nil
}

// exportRegister writes a register's records matching the flags, as the
// system sees them, to out (- for standard output).
func exportRegister(ctx context.Context, e *env, rf registerFlags, out, lang string) error {
	format := rf.format
	if format == "" {
		format = register.ExportXLSX
		if strings.EqualFold(filepath.Ext(out), ".csv") {
			format = register.ExportCSV
		}
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	f := register.Filter{Under: rf.unit, Period: rf.period, Status: rf.status, Q: rf.q, Conds: rf.where, Sort: "date"}
	opts := register.ExportOptions{Format: format, Lang: lang}
	if rf.columns != "" {
		opts.Fields = strings.Split(rf.columns, ",")
	}
	var n int
	write := func(w io.Writer) error {
		var err error
		n, err = a.Registers.Export(ctx, register.System(), rf.code, f, opts, w)
		return err
	}
	if out == "-" {
		return write(e.stdout)
	}
	if err := writeAtomically(out, write); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已导出 / exported: %d 条记录 / records → %s\n", n, out)
	return nil
}
