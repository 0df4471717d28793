package register_test

import (
	"maps"
	"testing"

	"kexie/internal/register"
)

// An attachment field's limits: a size up to register.MaxAttachment and
// types among those kexie accepts, written as an upload is checked.
func TestAttachmentLimits(t *testing.T) {
	cases := []struct {
		name    string
		maxSize int64
		accept  []string
		want    map[string]string
	}{
		{"none", 0, nil, map[string]string{}},
		{"both", 5 << 20, []string{".pdf", ".docx"}, map[string]string{}},
		{"the largest", register.MaxAttachment, nil, map[string]string{}},
		{"too large", register.MaxAttachment + 1, nil, map[string]string{"fields[3].max_size": "register.field.max_size"}},
		{"negative", -1, nil, map[string]string{"fields[3].max_size": "register.field.max_size"}},
		{"a kind kexie refuses", 0, []string{".pdf", ".exe"}, map[string]string{"fields[3].accept": "register.field.accept"}},
		{"upper case", 0, []string{".PDF"}, map[string]string{"fields[3].accept": "register.field.accept"}},
		{"no dot", 0, []string{"pdf"}, map[string]string{"fields[3].accept": "register.field.accept"}},
	}
	for _, c := range cases {
		s := talks()
		s.Fields[3].MaxSize, s.Fields[3].Accept = c.maxSize, c.accept
		if got := fieldKeys(s.Check(nil)); !maps.Equal(got, c.want) {
			t.Errorf("%s: faults %v, want %v", c.name, got, c.want)
		}
	}
	for n, want := range map[int64]string{32 << 20: "32 MB", 1536 << 10: "1.5 MB", 500 << 10: "500 KB", 314573: "307.2 KB", 1000: "1000 B",
		register.MaxAttachment: "100 MB"} {
		if got := register.SizeText(n); got != want {
			t.Errorf("SizeText(%d) = %q, want %q", n, got, want)
		}
	}
}
