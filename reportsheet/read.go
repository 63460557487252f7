package reportsheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// FileError is a file refused as a whole (its type, size, encoding or
// header), with a message in Chinese and in English.
type FileError struct {
	ZH string
	EN string
}

// Error returns the English message.
func (e *FileError) Error() string { return e.EN }

func refuse(zh, en string) *FileError { return &FileError{ZH: zh, EN: en} }

// Line is one data row of an uploaded file: its row number as a spreadsheet
// program shows it (1 is the first line of the file) and its cells by
// column header.
type Line struct {
	Row   int
	Cells map[string]string
}

// Blank reports whether a line leaves every fill-in column empty.
func (l Line) Blank() bool {
	return l.Cells[HeaderPercent] == "" && l.Cells[HeaderNote] == "" && l.Cells[HeaderPeriod] == ""
}

// Upload is a file read back: its format and its data rows.
type Upload struct {
	Format string
	Lines  []Line
	// Serial reports whether 报告期 cells may hold spreadsheet serial dates
	// (XLSX stores a date as a number of days since 1899-12-30).
	Serial bool
}

// Magic numbers of the files told apart by content.
var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	utf8BOM  = []byte("\xEF\xBB\xBF")
)

// Detect tells the file's format by its content: xlsx (a zip holding a
// workbook) or csv (text); declared, when not empty, must agree.
func Detect(b []byte, declared string) (string, error) {
	declared = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(declared), "."))
	if declared != "" && declared != XLSX && declared != CSV {
		return "", refuse(fmt.Sprintf("不支持的文件格式 %q：请上传 XLSX 或 CSV 文件", declared),
			fmt.Sprintf("unsupported format %q: upload an XLSX or CSV file", declared))
	}
	var got string
	switch {
	case len(b) == 0:
		return "", refuse("文件是空的", "the file is empty")
	case bytes.HasPrefix(b, oleMagic):
		return "", refuse("这是旧版 Excel（.xls）或其他 Office 文件：请在 Excel 中另存为 .xlsx 后上传",
			"this is a legacy Excel (.xls) or other OLE file: save it as .xlsx and upload that")
	case bytes.HasPrefix(b, zipMagic):
		got = XLSX
	case bytes.IndexByte(b, 0) >= 0:
		return "", refuse("文件不是 XLSX 或 CSV 表格（含有二进制内容）", "the file is neither XLSX nor CSV (it holds binary content)")
	default:
		got = CSV
	}
	if declared != "" && declared != got {
		return "", refuse(fmt.Sprintf("文件内容是 %s，与所选格式 %s 不符", strings.ToUpper(got), strings.ToUpper(declared)),
			fmt.Sprintf("the file's content is %s, not the declared %s", got, declared))
	}
	return got, nil
}

// Read reads an uploaded file: XLSX or CSV as its content shows (declared,
// when not empty, must agree). It checks the size, the type, the encoding,
// the header row and the number of rows; cells are returned as written,
// trimmed.
func Read(b []byte, declared string) (Upload, error) {
	if len(b) > MaxBytes {
		return Upload{}, refuse(fmt.Sprintf("文件超过 %d MiB 的上限", MaxBytes>>20), fmt.Sprintf("the file is larger than the limit of %d MiB", MaxBytes>>20))
	}
	format, err := Detect(b, declared)
	if err != nil {
		return Upload{}, err
	}
	var rows [][]string
	var numbers []int
	if format == XLSX {
		rows, err = xlsxRows(b)
	} else {
		rows, numbers, err = csvRows(b)
	}
	if err != nil {
		return Upload{}, err
	}
	lines, err := table(rows, numbers)
	if err != nil {
		return Upload{}, err
	}
	return Upload{Format: format, Lines: lines, Serial: format == XLSX}, nil
}

// xlsxRows reads the template's sheet (or else the first) of a workbook.
func xlsxRows(b []byte) ([][]string, error) {
	if err := checkZip(b); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped})
	if err != nil {
		return nil, refuse("无法打开 XLSX 文件："+err.Error(), "cannot open the XLSX file: "+err.Error())
	}
	defer f.Close()
	sheet := SheetName
	if idx, err := f.GetSheetIndex(sheet); err != nil || idx < 0 {
		sheet = f.GetSheetName(0)
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, refuse("无法读取工作表「"+sheet+"」", "cannot read sheet "+sheet+": "+err.Error())
	}
	return rows, nil
}

// checkZip checks that a zip is an XLSX workbook: it holds the package's
// content types and a workbook part.
func checkZip(b []byte) error {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return refuse("文件不是有效的 XLSX（压缩包已损坏）", "the file is not a valid XLSX (a damaged zip)")
	}
	has := map[string]bool{}
	for _, f := range z.File {
		has[f.Name] = true
	}
	if !has["[Content_Types].xml"] || !has["xl/workbook.xml"] {
		return refuse("文件是压缩包，但不是 Excel 工作簿（XLSX）", "the file is a zip archive but not an Excel workbook (XLSX)")
	}
	return nil
}

// csvRows decodes a CSV file (UTF-8 with or without BOM, else GB18030,
// which covers GBK) and returns its records with each record's line number.
func csvRows(b []byte) ([][]string, []int, error) {
	text, err := decodeText(b)
	if err != nil {
		return nil, nil, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	var numbers []int
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, nil, refuse(fmt.Sprintf("CSV 第 %d 行格式有误，无法读取", line), fmt.Sprintf("the CSV cannot be read at line %d: %v", line, err))
		}
		line, _ := r.FieldPos(0)
		rows, numbers = append(rows, rec), append(numbers, line)
		if len(rows) > MaxRows+headerRow+10 {
			break
		}
	}
	return rows, numbers, nil
}

// decodeText returns a CSV file's text: UTF-8 (a BOM is dropped), or
// GB18030/GBK as Excel saves CSV on a Chinese Windows.
func decodeText(b []byte) (string, error) {
	b = bytes.TrimPrefix(b, utf8BOM)
	if utf8.Valid(b) {
		return string(b), nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil || !utf8.Valid(out) || !bytes.Contains(out, []byte(HeaderRef)) {
		return "", refuse("无法识别 CSV 文件的编码：请保存为“CSV UTF-8（逗号分隔）”后上传",
			"the CSV file's encoding is neither UTF-8 nor GBK: save it as \"CSV UTF-8 (comma delimited)\" and upload that")
	}
	return string(out), nil
}

// table finds the header row (the first of the first rows holding every
// required header), and returns the rows below it as lines, with their
// row numbers (numbers[i], or i+1 without numbers).
func table(rows [][]string, numbers []int) ([]Line, error) {
	rowNo := func(i int) int {
		if i < len(numbers) {
			return numbers[i]
		}
		return i + 1
	}
	head := -1
	var cols map[string]int
	for i := 0; i < len(rows) && i < 10; i++ {
		if c := columns(rows[i]); c != nil {
			head, cols = i, c
			break
		}
	}
	if head < 0 {
		return nil, refuse("找不到表头：文件须含有「"+strings.Join(Required, "」「")+"」各列（请使用下载的报送模板）",
			"no header row: the file needs the columns "+strings.Join(Required, ", ")+" (use the downloaded template)")
	}
	var lines []Line
	for i := head + 1; i < len(rows); i++ {
		cells := map[string]string{}
		empty := true
		for h, c := range cols {
			if c < len(rows[i]) {
				v := strings.TrimSpace(rows[i][c])
				cells[h] = v
				empty = empty && v == ""
			}
		}
		if empty {
			continue
		}
		if len(lines) == MaxRows {
			return nil, refuse(fmt.Sprintf("文件超过 %d 行的上限，请分批上传", MaxRows), fmt.Sprintf("the file has more than %d rows: upload it in parts", MaxRows))
		}
		lines = append(lines, Line{Row: rowNo(i), Cells: cells})
	}
	return lines, nil
}

// columns maps the template's headers to their columns in a row, or nil
// when the row lacks a required header.
func columns(row []string) map[string]int {
	cols := map[string]int{}
	for i, v := range row {
		v = strings.TrimSpace(v)
		for _, h := range Headers {
			if v == h {
				if _, dup := cols[h]; !dup {
					cols[h] = i
				}
			}
		}
	}
	for _, h := range Required {
		if _, ok := cols[h]; !ok {
			return nil
		}
	}
	return cols
}
