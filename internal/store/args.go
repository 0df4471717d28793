package store

import "strconv"

// Args builds the numbered placeholders ($1, $2 …) that both dialects
// accept, for queries assembled from optional filters.
type Args struct{ vals []any }

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	a.vals = append(a.vals, v)
	return "$" + strconv.Itoa(len(a.vals))
}

// Values returns the arguments in placeholder order.
func (a *Args) Values() []any { return a.vals }
