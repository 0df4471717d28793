package register

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/store"
)

// File is an uploaded attachment: its bytes live under the data
// directory, named by their SHA-256; its description in the database, so
// several app servers sharing the directory share the files.
type File struct {
	ID          int64     `json:"id"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	CreatedAt   time.Time `json:"created_at"`
}

// Files stores attachments.
type Files struct {
	db  *store.DB
	dir string
}

// NewFiles keeps files under dataDir/files.
func NewFiles(db *store.DB, dataDir string) *Files {
	return &Files{db: db, dir: filepath.Join(dataDir, "files")}
}

// allowedTypes are the file kinds kexie accepts, by extension, with the
// content types their bytes may sniff as.
var allowedTypes = map[string][]string{
	".pdf":  {"application/pdf"},
	".jpg":  {"image/jpeg"},
	".jpeg": {"image/jpeg"},
	".png":  {"image/png"},
	".gif":  {"image/gif"},
	".webp": {"image/webp"},
	".docx": {"application/zip"},
	".xlsx": {"application/zip"},
	".pptx": {"application/zip"},
	".zip":  {"application/zip"},
	".doc":  {"application/octet-stream"},
	".xls":  {"application/octet-stream"},
	".txt":  {"text/plain; charset=utf-8"},
	".csv":  {"text/plain; charset=utf-8"},
	".mp4":  {"video/mp4"},
}

// FileTypes lists the extensions of the file kinds kexie accepts
// (".pdf"), in order: an attachment field may narrow them.
func FileTypes() []string {
	return slices.Sorted(maps.Keys(allowedTypes))
}

// SizeText writes a number of bytes as people read it: "32 MB",
// "500 KB", "1.5 MB" (a megabyte being 1,024 kilobytes, as Windows
// counts).
func SizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return decimals(float64(n)/(1<<20)) + " MB"
	case n >= 1<<10:
		return decimals(float64(n)/(1<<10)) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// decimals writes x with at most two decimals, none trailing.
func decimals(x float64) string {
	s := strconv.FormatFloat(x, 'f', 2, 64)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// TooLarge refuses a file over max bytes at field.
func TooLarge(field string, max int64) error {
	return fault.InvalidField(field, "register.file.too_large", "max", max, "size", SizeText(max))
}

// Save streams r into a new file of at most max bytes, checking that its
// bytes are what its name says.
func (fs *Files) Save(ctx context.Context, name string, r io.Reader, max int64) (File, error) {
	name = filepath.Base(strings.TrimSpace(name))
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		// PostgreSQL cannot store it, and no file of an office has it
		return File{}, fault.InvalidField("file", "error.bad_text")
	}
	ext := strings.ToLower(filepath.Ext(name))
	kinds, ok := allowedTypes[ext]
	if !ok || name == "" || len([]rune(name)) > 200 {
		return File{}, fault.InvalidField("file", "register.file.type", "name", name)
	}
	if err := os.MkdirAll(fs.dir, 0o750); err != nil {
		return File{}, err
	}
	tmp, err := os.CreateTemp(fs.dir, "upload-*")
	if err != nil {
		return File{}, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	head := make([]byte, 512)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	sniffed := http.DetectContentType(head)
	if !sniffOK(sniffed, kinds) {
		return File{}, fault.InvalidField("file", "register.file.mismatch", "name", name)
	}
	size, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(io.MultiReader(strings.NewReader(string(head)), r), max+1))
	if err != nil {
		return File{}, fmt.Errorf("save upload: %w", err)
	}
	if size > max {
		return File{}, TooLarge("file", max)
	}
	if size == 0 {
		return File{}, fault.InvalidField("file", "register.file.empty")
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := fs.path(sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return File{}, err
	}
	if err := tmp.Close(); err != nil {
		return File{}, err
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return File{}, err
	}
	ct := mime.TypeByExtension(ext)
	if ct == "" {
		ct = "application/octet-stream"
	}
	f := File{SHA256: sum, Size: size, Name: name, ContentType: ct, CreatedAt: time.Now().UTC()}
	err = fs.db.WithTx(ctx, func(ctx context.Context) error {
		a := audit.ActorFrom(ctx)
		var by any
		if a.UserID != 0 {
			by = a.UserID
		}
		if err := fs.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO files(sha256, size, name, content_type, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, sum, size, name, ct, f.CreatedAt, by).Scan(&f.ID); err != nil {
			return err
		}
		return nil
	})
	return f, err
}

func sniffOK(sniffed string, kinds []string) bool {
	for _, k := range kinds {
		if k == "application/octet-stream" || strings.HasPrefix(sniffed, strings.Split(k, ";")[0]) {
			return true
		}
	}
	return false
}

func (fs *Files) path(sum string) string { return filepath.Join(fs.dir, sum[:2], sum) }

// Get returns a file's description.
func (fs *Files) Get(ctx context.Context, id int64) (File, error) {
	var f File
	err := fs.db.Q(ctx).QueryRowContext(ctx, `SELECT id, sha256, size, name, content_type, created_at FROM files WHERE id = $1`, id).
		Scan(&f.ID, &f.SHA256, &f.Size, &f.Name, &f.ContentType, &f.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, fault.NotFound("file", id)
	}
	return f, err
}

// Open opens a file's bytes.
func (fs *Files) Open(f File) (*os.File, error) { return os.Open(fs.path(f.SHA256)) }
