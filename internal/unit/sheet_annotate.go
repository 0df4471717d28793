package unit

import (
	"io"

	"kexie/internal/sheet"
)

// ErrNothingToAnnotate means the problems cannot be shown in the file
// itself: it is not a workbook, or every problem concerns the whole file.
var ErrNothingToAnnotate = sheet.ErrNothingToAnnotate

// Annotate writes to w a copy of the workbook data in which every cell a
// problem points at is filled red and carries a comment giving the
// reason, as message words it; a problem about a whole row marks the
// row's first cell. Everything else in the workbook is left as it was,
// so the user corrects the marked cells and imports the copy.
func Annotate(data []byte, probs []Problem, message func(Problem) string, w io.Writer) error {
	return sheet.Annotate(data, probs, message, w, MaxImportUnzip)
}
