package main

import (
	"context"
	"errors"
	"fmt"
)

// runMetric is `kexie metric verify [--metric CODE]`: it recomputes the
// figures from the raw records and reports every difference from the
// maintained facts. It exits non-zero when any differ.
func runMetric(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "metric")
	code := fs.String("metric", "", "只核对这个指标 / verify only this metric")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "verify" {
		return errors.New("用法 / usage: kexie metric verify [--metric CODE]")
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	if *code != "" {
		if _, err := a.Metrics.Get(ctx, *code); err != nil {
			return err
		}
	}
	diffs, err := a.Metrics.Verify(ctx, *code)
	if err != nil {
		return err
	}
	for _, d := range diffs {
		fmt.Fprintf(e.stdout, "%s unit#%d %s %q: stored %v, recomputed %v\n", d.Metric, d.UnitID, d.Day, d.Cat, d.Stored, d.Want)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%d 处不一致 / %d facts differ from the records", len(diffs), len(diffs))
	}
	fmt.Fprintln(e.stdout, "指标与原始记录一致 / every figure matches the records")
	return nil
}
