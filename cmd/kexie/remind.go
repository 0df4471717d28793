package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"kexie/internal/app"
)

// runRemind sends the reminders the plans' standing rules call for now,
// for a scheduler outside kexie (cron) or a one-off.
func runRemind(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "remind")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.Plans.RemindDue(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已催办 / reminders sent: %d\n", n)
	return nil
}

// remindEvery applies the plans' reminder rules at start and then every
// interval until ctx ends. A task is reminded again only once its
// plan's interval has passed since the last reminder, so a restart does
// not remind twice.
func remindEvery(ctx context.Context, a *app.App, log *slog.Logger, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if n, err := a.Plans.RemindDue(ctx); err != nil && ctx.Err() == nil {
			log.Warn("plan reminders", slog.Any("error", err))
		} else if n > 0 {
			log.Info("plan reminders sent", slog.Int("sent", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
