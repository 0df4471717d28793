package campaign

import (
	"context"
	"fmt"
	"slices"

	"kexie/internal/fault"
	"kexie/internal/store"
)

// checkFiles refuses attachments that do not exist, that the caller did
// not upload, and that are not already attached at the unit in this
// campaign (an answer saved again keeps its files).
func (s *Service) checkFiles(ctx context.Context, ch *fault.Check, cl Caller, field string, campaignID, unitID int64, ids []int64) error {
	if len(ids) > MaxFiles {
		ch.Add(field, "error.too_many", "max", MaxFiles)
		return nil
	}
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			ch.Add(fmt.Sprintf("%s[%d]", field, i), "campaign.file.twice", "id", id)
			continue
		}
		var n int
		err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM files f WHERE f.id = $1 AND (f.created_by = $2 OR $3 = 1
			OR f.id IN (SELECT cf.file_id FROM campaign_files cf WHERE cf.campaign_id = $4 AND cf.unit_id = $5))`,
			id, cl.UserID, boolInt(cl.UserID == 0), campaignID, unitID).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			ch.Add(fmt.Sprintf("%s[%d]", field, i), "campaign.file.unknown", "id", id)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// attach records that files are attached to (kind, ref) at a unit.
func (s *Service) attach(ctx context.Context, campaignID, unitID int64, kind string, ref int64, ids []int64) error {
	for _, id := range ids {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO campaign_files(campaign_id, file_id, unit_id, kind, ref_id) VALUES ($1, $2, $3, $4, $5)`,
			campaignID, id, unitID, kind, ref); err != nil {
			return err
		}
	}
	return nil
}

// filesOf returns the files attached to each ref of kind at a unit (0:
// any unit), keyed by ref.
func (s *Service) filesOf(ctx context.Context, campaignID, unitID int64, kind string) (map[int64][]File, error) {
	var args store.Args
	q := `SELECT cf.ref_id, f.id, f.name, f.size, f.content_type FROM campaign_files cf JOIN files f ON f.id = cf.file_id
		WHERE cf.campaign_id = ` + args.Add(campaignID) + ` AND cf.kind = ` + args.Add(kind)
	if unitID != 0 {
		q += ` AND cf.unit_id = ` + args.Add(unitID)
	}
	rows, err := s.db.Q(ctx).QueryContext(ctx, q+` ORDER BY f.id`, args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]File{}
	for rows.Next() {
		var ref int64
		var f File
		if err := rows.Scan(&ref, &f.ID, &f.Name, &f.Size, &f.ContentType); err != nil {
			return nil, err
		}
		out[ref] = append(out[ref], f)
	}
	return out, rows.Err()
}

// FileFor says whether the caller may download file id of a campaign:
// it is attached there at a unit the caller sees, or the caller uploaded
// it. Anything else is not found.
func (s *Service) FileFor(ctx context.Context, cl Caller, campaignID, fileID int64) error {
	if _, err := s.header(ctx, cl, campaignID); err != nil {
		return err
	}
	var args store.Args
	var n int
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM campaign_files cf JOIN units u ON u.id = cf.unit_id
		WHERE cf.campaign_id = `+args.Add(campaignID)+` AND cf.file_id = `+args.Add(fileID)+` AND `+
		seen(cl, "cf.campaign_id", "cf.unit_id", "u.path", &args), args.Values()...).Scan(&n)
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM files WHERE id = $1 AND created_by = $2`, fileID, cl.UserID).Scan(&n); err != nil {
		return err
	}
	if n > 0 && cl.UserID != 0 {
		return nil
	}
	return fault.NotFound("file", fileID)
}
