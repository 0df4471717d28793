package report

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"kexie/internal/fault"
)

// Font roles of an official document: the title (小标宋), headings of the
// first level (黑体), of the second (楷体), and the body (仿宋).
const (
	RoleTitle = "title"
	RoleHei   = "hei"
	RoleKai   = "kai"
	RoleBody  = "body"
)

// FontEnv names a TrueType CJK font file (.ttf, or .ttc whose first face
// is used) that PDF output and chart images use before the system's.
const FontEnv = "KEXIE_CJK_FONT"

// ErrNoFont is returned when no TrueType CJK font is found for PDF output.
var ErrNoFont = errors.New("report: no TrueType CJK font")

// systemFonts are, by role, Debian's TrueType CJK fonts in order of
// preference (Noto CJK is CFF, which the PDF writer cannot embed).
var systemFonts = map[string][]string{
	RoleTitle: {"truetype/arphic/uming.ttc", "truetype/wqy/wqy-zenhei.ttc", "truetype/wqy/wqy-microhei.ttc", "truetype/droid/DroidSansFallbackFull.ttf"},
	RoleHei:   {"truetype/wqy/wqy-microhei.ttc", "truetype/wqy/wqy-zenhei.ttc", "truetype/droid/DroidSansFallbackFull.ttf", "truetype/arphic/uming.ttc"},
	RoleKai:   {"truetype/arphic/ukai.ttc", "truetype/arphic/uming.ttc", "truetype/wqy/wqy-microhei.ttc", "truetype/wqy/wqy-zenhei.ttc", "truetype/droid/DroidSansFallbackFull.ttf"},
	RoleBody:  {"truetype/arphic/uming.ttc", "truetype/wqy/wqy-microhei.ttc", "truetype/wqy/wqy-zenhei.ttc", "truetype/droid/DroidSansFallbackFull.ttf"},
}

var fontDirs = []string{"/usr/share/fonts", "/usr/local/share/fonts"}

// Fonts are TrueType font data by role, read once.
type Fonts struct {
	data  map[string][]byte
	files map[string]string
}

var (
	fontsOnce sync.Once
	fontsVal  *Fonts
	fontsErr  error
)

// LoadFonts finds the TrueType CJK fonts for each role: the file named by
// KEXIE_CJK_FONT for every role, else Debian's (fonts-wqy-microhei at
// least; fonts-arphic-uming and -ukai give the serif and kai faces). The
// result is read once and shared.
func LoadFonts() (*Fonts, error) {
	fontsOnce.Do(func() { fontsVal, fontsErr = loadFonts(os.Getenv(FontEnv)) })
	return fontsVal, fontsErr
}

func loadFonts(override string) (*Fonts, error) {
	f := &Fonts{data: map[string][]byte{}, files: map[string]string{}}
	cache := map[string][]byte{}
	read := func(path string) ([]byte, error) {
		if b, ok := cache[path]; ok {
			return b, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		b, err = FirstFace(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		cache[path] = b
		return b, nil
	}
	roles := []string{RoleTitle, RoleHei, RoleKai, RoleBody}
	for _, role := range roles {
		var cands []string
		if override != "" {
			cands = []string{override}
		} else {
			for _, dir := range fontDirs {
				for _, rel := range systemFonts[role] {
					cands = append(cands, filepath.Join(dir, rel))
				}
			}
		}
		for _, c := range cands {
			b, err := read(c)
			if err != nil {
				if override != "" {
					return nil, fmt.Errorf("%s: %w", FontEnv, err)
				}
				continue
			}
			f.data[role], f.files[role] = b, c
			break
		}
		if f.data[role] == nil {
			return nil, fault.InvalidField("format", "report.error.no_font", "env", FontEnv)
		}
	}
	return f, nil
}

// Data is the font of a role.
func (f *Fonts) Data(role string) []byte { return f.data[role] }

// Files lists the font files used, for the record.
func (f *Fonts) Files() []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range f.files {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// FirstFace returns a TrueType font file as is, or the first face of a
// TrueType collection (.ttc) as a font file of its own: the face's table
// directory with the tables it points to copied after it.
func FirstFace(b []byte) ([]byte, error) {
	if len(b) < 12 {
		return nil, errors.New("not a font")
	}
	switch string(b[:4]) {
	case "\x00\x01\x00\x00", "true":
		return b, nil
	case "OTTO":
		return nil, errors.New("a CFF (OpenType) font, not TrueType")
	case "ttcf":
	default:
		return nil, errors.New("not a TrueType font")
	}
	if binary.BigEndian.Uint32(b[8:]) == 0 || len(b) < 16 {
		return nil, errors.New("an empty collection")
	}
	off := int(binary.BigEndian.Uint32(b[12:]))
	if off+12 > len(b) {
		return nil, errors.New("a truncated collection")
	}
	if !strings.HasPrefix(string(b[off:off+4]), "\x00\x01\x00\x00") && string(b[off:off+4]) != "true" {
		return nil, errors.New("a collection of CFF fonts, not TrueType")
	}
	n := int(binary.BigEndian.Uint16(b[off+4:]))
	dir := off + 12
	if dir+16*n > len(b) {
		return nil, errors.New("a truncated collection")
	}
	head := 12 + 16*n
	size := head
	for i := 0; i < n; i++ {
		rec := b[dir+16*i:]
		length := int(binary.BigEndian.Uint32(rec[12:]))
		size += (length + 3) &^ 3
	}
	out := make([]byte, head, size)
	copy(out, b[off:off+12])
	for i := 0; i < n; i++ {
		rec := b[dir+16*i : dir+16*i+16]
		at := int(binary.BigEndian.Uint32(rec[8:]))
		length := int(binary.BigEndian.Uint32(rec[12:]))
		if at < 0 || at+length > len(b) {
			return nil, errors.New("a table out of the file")
		}
		r := out[12+16*i : 12+16*i+16]
		copy(r, rec)
		binary.BigEndian.PutUint32(r[8:], uint32(len(out)))
		out = append(out, b[at:at+length]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out, nil
}
