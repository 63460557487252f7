// Package evidencetest makes small files of each kind for tests of
// evidence uploads: a PDF, a PNG, a Word document, a Windows program.
package evidencetest

import (
	"archive/zip"
	"bytes"
	"fmt"
)

// PDF returns a minimal PDF document whose text includes note, so that
// different notes give different files.
func PDF(note string) []byte {
	return fmt.Appendf(nil, "%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%% %s\ntrailer << /Root 1 0 R >>\n%%%%EOF\n", note)
}

// PNG returns the signature and header chunk of a 1×1 PNG image.
func PNG() []byte {
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
}

// Docx returns a Word document container: a zip holding
// [Content_Types].xml and a word/ part.
func Docx() []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`},
		{"word/document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>`},
	} {
		fw, err := w.Create(f.name)
		if err != nil {
			panic(err)
		}
		if _, err := fw.Write([]byte(f.body)); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Exe returns the start of a Windows program (an MZ header).
func Exe() []byte {
	b := make([]byte, 256)
	copy(b, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
	copy(b[64:], "This program cannot be run in DOS mode.")
	return b
}
