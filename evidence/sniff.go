package evidence

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// DefaultMaxSize is the largest file accepted unless configured otherwise:
// 20 MiB.
const DefaultMaxSize int64 = 20 << 20

// ErrTooLarge and ErrEmpty refuse a file by its size; ErrUnsupported one
// whose content is not of an accepted kind. Check with errors.Is.
var (
	ErrTooLarge    = errors.New("evidence file too large")
	ErrEmpty       = errors.New("evidence file is empty")
	ErrUnsupported = errors.New("evidence file type not accepted")
)

// Kind is an accepted kind of file: its media type and how people call it.
type Kind struct {
	MediaType string
	Name      string
	NameZH    string
}

// kinds are the accepted media types, as the content detector names them.
var kinds = []Kind{
	{"application/pdf", "PDF", "PDF 文档"},
	{"image/png", "PNG image", "PNG 图片"},
	{"image/jpeg", "JPEG image", "JPEG 图片"},
	{"image/gif", "GIF image", "GIF 图片"},
	{"image/webp", "WebP image", "WebP 图片"},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document (.docx)", "Word 文档（.docx）"},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook (.xlsx)", "Excel 表格（.xlsx）"},
	{"application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint deck (.pptx)", "PowerPoint 演示文稿（.pptx）"},
	{"application/msword", "Word 97–2003 document (.doc)", "Word 97–2003 文档（.doc）"},
	{"application/vnd.ms-excel", "Excel 97–2003 workbook (.xls)", "Excel 97–2003 表格（.xls）"},
	{"application/vnd.ms-powerpoint", "PowerPoint 97–2003 deck (.ppt)", "PowerPoint 97–2003 演示文稿（.ppt）"},
	{"text/csv", "CSV table", "CSV 表格"},
	{"text/plain", "plain text", "纯文本"},
}

// Kinds lists the accepted kinds of file, for help texts and docs.
func Kinds() []Kind { return append([]Kind(nil), kinds...) }

// Detected is what the content of a file was found to be.
type Detected struct {
	// MediaType is the accepted media type, without parameters.
	MediaType string
	// Size is the file's length in bytes.
	Size int64
}

// Check inspects a file's bytes: its size against maxSize (DefaultMaxSize
// when not positive) and its kind from its content alone. A file that is
// none of Kinds is refused with ErrUnsupported, naming what it looks like.
func Check(data []byte, maxSize int64) (Detected, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	size := int64(len(data))
	switch {
	case size == 0:
		return Detected{}, ErrEmpty
	case size > maxSize:
		return Detected{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, size, maxSize)
	}
	mt := mediaType(data)
	for _, k := range kinds {
		if k.MediaType == mt {
			return Detected{MediaType: mt, Size: size}, nil
		}
	}
	return Detected{}, fmt.Errorf("%w: the content is %s", ErrUnsupported, mt)
}

// mediaType detects a file's media type from its bytes, without
// parameters (charset). OLE containers the detector cannot place more
// precisely stay application/x-ole-storage and are refused.
func mediaType(data []byte) string {
	m := mimetype.Detect(data)
	mt, _, _ := strings.Cut(m.String(), ";")
	return strings.TrimSpace(mt)
}
