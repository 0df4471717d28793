package sheet

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings a text file may be in.
const (
	encUTF8    = "utf-8"
	encUTF16   = "utf-16"
	encGB18030 = "gb18030"
)

// decideWindow is how many bytes after the first non-ASCII one decide
// between UTF-8 and GB18030.
const decideWindow = 64 << 10

// textReader turns a text file into UTF-8 as it is read: UTF-8 with or
// without a BOM, UTF-16 with a BOM (Excel's "Unicode text"), or GB18030
// (which covers GBK and GB2312, what Chinese Excel writes as "CSV"). The
// choice between UTF-8 and GB18030 is made at the first byte that is not
// ASCII, from what follows it: ASCII reads the same in both, so a file
// may stream through before it is known.
type textReader struct {
	src      *bufio.Reader
	out      io.Reader // once decided
	encoding string
}

func newTextReader(r io.Reader) *textReader {
	src := bufio.NewReaderSize(r, decideWindow+utf8.UTFMax)
	t := &textReader{src: src}
	head, _ := src.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		t.encoding = encUTF16
		t.out = transform.NewReader(src, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		_, _ = src.Discard(3)
		t.encoding, t.out = encUTF8, src
	}
	return t
}

func (t *textReader) Read(p []byte) (int, error) {
	if t.out != nil {
		return t.out.Read(p)
	}
	// Undecided: pass ASCII through, and decide at the first other byte.
	buf, err := t.src.Peek(1)
	if len(buf) == 0 {
		return 0, err
	}
	n := t.src.Buffered()
	if n > len(p) {
		n = len(p)
	}
	buf, _ = t.src.Peek(n)
	for i, c := range buf {
		if c >= utf8.RuneSelf {
			if i > 0 {
				return t.src.Read(p[:i])
			}
			t.decide()
			return t.out.Read(p)
		}
	}
	return t.src.Read(p[:n])
}

// decide looks at the window that starts at the first non-ASCII byte: if
// it is valid UTF-8 (a sequence cut by the window's end aside), the file
// is UTF-8, else GB18030.
func (t *textReader) decide() {
	win, err := t.src.Peek(decideWindow)
	atEOF := err != nil
	valid := true
	for i := 0; i < len(win); {
		if win[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(win[i:])
		if r == utf8.RuneError && size <= 1 {
			if !atEOF && !utf8.FullRune(win[i:]) {
				break // cut by the window
			}
			valid = false
			break
		}
		i += size
	}
	if valid {
		t.encoding, t.out = encUTF8, t.src
		return
	}
	t.encoding = encGB18030
	t.out = transform.NewReader(t.src, simplifiedchinese.GB18030.NewDecoder())
}

// textOK says whether a cell read through a textReader is text: valid
// UTF-8, no control characters but tab and line breaks, and, when it was
// decoded from another encoding, no byte that encoding could not read.
func textOK(s, encoding string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	if !utf8.ValidString(s) {
		return false
	}
	if (encoding == encGB18030 || encoding == encUTF16) && strings.ContainsRune(s, utf8.RuneError) {
		return false
	}
	return true
}
