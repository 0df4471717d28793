package register

// SheetHeaders says which column each header names, for tests: a field's
// code, or unit, unit_name, status; "" for none.
func SheetHeaders(reg *Register) func(string) string {
	cols := regColumns(reg)
	h := regHeaders(cols)
	return func(s string) string {
		i, ok := h.Match(s)
		if !ok {
			return ""
		}
		switch cols[i].kind {
		case colUnit:
			return "unit"
		case colUnitName:
			return "unit_name"
		case colStatus:
			return "status"
		}
		return cols[i].field.Code
	}
}
