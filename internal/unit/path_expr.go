package unit

// PathOf returns a SQL expression for the path of the unit whose id is in
// column col, for other packages' queries that need a unit's path in the
// same round trip (the caller of a request, say) without reading the
// units table themselves.
func PathOf(col string) string { return "(SELECT path FROM units WHERE id = " + col + ")" }
