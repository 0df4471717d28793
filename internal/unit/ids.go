package unit

import (
	"context"
	"strings"

	"kexie/internal/store"
)

// IDsOfPath returns the ids of the units on a materialised path, root
// first: the units whose subtree figures a record at the path's unit
// counts in.
//
// Codes and ids never change, so a path always names the same ids: the
// answer is cached (a move gives a unit a new path, not new ids).
func (svc *Service) IDsOfPath(ctx context.Context, path string) ([]int64, error) {
	if v, ok := svc.pathIDs.Load(path); ok {
		return v.([]int64), nil
	}
	ids, err := svc.idsOfPath(ctx, path)
	if err != nil || len(ids) != len(Ancestors(path)) {
		return ids, err // a path with an unknown code is not cached
	}
	if svc.pathIDsN.Add(1) > maxCachedPaths {
		svc.pathIDs.Clear()
		svc.pathIDsN.Store(0)
	}
	svc.pathIDs.Store(path, ids)
	return ids, nil
}

// maxCachedPaths bounds the cache of IDsOfPath.
const maxCachedPaths = 200_000

func (svc *Service) idsOfPath(ctx context.Context, path string) ([]int64, error) {
	codes := Ancestors(path)
	if len(codes) == 0 {
		return nil, nil
	}
	var args store.Args
	ph := make([]string, len(codes))
	for i, c := range codes {
		ph[i] = args.Add(c)
	}
	rows, err := svc.db.Q(ctx).QueryContext(ctx, `SELECT code, id FROM units WHERE code IN (`+strings.Join(ph, ",")+`)`, args.Values()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byCode := make(map[string]int64, len(codes))
	for rows.Next() {
		var c string
		var id int64
		if err := rows.Scan(&c, &id); err != nil {
			return nil, err
		}
		byCode[c] = id
	}
	out := make([]int64, 0, len(codes))
	for _, c := range codes {
		if id, ok := byCode[c]; ok {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}
