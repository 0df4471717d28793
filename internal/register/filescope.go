package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// FileFor returns an attachment if the caller uploaded it or can read a
// record, in any register, whose attachment fields refer to it. Anything
// else answers not found, like a file that does not exist.
func (s *Service) FileFor(ctx context.Context, read unit.Scope, userID, id int64) (File, error) {
	f, err := s.files.Get(ctx, id)
	if err != nil {
		return File{}, err
	}
	var by sql.NullInt64
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT created_by FROM files WHERE id = $1`, id).Scan(&by); err != nil {
		return File{}, err
	}
	if by.Valid && by.Int64 == userID {
		return f, nil
	}
	regs, err := s.List(ctx)
	if err != nil {
		return File{}, err
	}
	for _, reg := range regs {
		for _, fd := range reg.Schema.Fields {
			if fd.Type != TypeAttachment {
				continue
			}
			var args store.Args
			var hit int64
			err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id FROM `+Table(reg.Code)+` WHERE `+Column(fd.Code)+` LIKE `+
				args.Add(fmt.Sprintf(`%%"%d"%%`, id))+` AND `+read.IDCond("unit_id", &args)+` LIMIT 1`, args.Values()...).Scan(&hit)
			if err == nil {
				return f, nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return File{}, err
			}
		}
	}
	return File{}, fault.NotFound("file", id)
}
