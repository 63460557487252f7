// Package reportsheet writes a unit's progress-report template (报送模板) as
// an XLSX workbook and reads a filled one back, as XLSX or as CSV saved
// from it (UTF-8 with or without a byte-order mark, or GBK/GB18030 as
// Excel on a Chinese Windows saves it).
//
// The template lists a unit's duties one row each under a title block,
// with three columns to fill (进展百分比, 进展情况, 报告期) and a hidden,
// locked column (编号) that names each row's duty for the ledger; the sheet
// is protected so that only the fill-in cells can be edited.
//
// Reading checks only the shape of the file: its type, size, encoding,
// header row and row count. What a cell means (a percent from 0 to 100,
// a month, a duty the uploader holds) is the application layer's to judge.
package reportsheet

// SheetName is the name of the template's sheet.
const SheetName = "进展报送"

// The column headers, as a person sees them.
const (
	HeaderNo        = "序号"
	HeaderPlan      = "方案"
	HeaderTask      = "任务"
	HeaderMilestone = "里程碑"
	HeaderDue       = "完成期限"
	HeaderStatus    = "当前状态"
	HeaderLast      = "最近报送进度（%）"
	HeaderPercent   = "进展百分比"
	HeaderNote      = "进展情况"
	HeaderPeriod    = "报告期"
	HeaderRef       = "编号"
)

// Headers are the template's columns, in order; the last (编号) is hidden.
var Headers = []string{HeaderNo, HeaderPlan, HeaderTask, HeaderMilestone, HeaderDue, HeaderStatus, HeaderLast,
	HeaderPercent, HeaderNote, HeaderPeriod, HeaderRef}

// Required are the columns an uploaded file must have: the row's reference
// and the three fill-in columns.
var Required = []string{HeaderRef, HeaderPercent, HeaderNote, HeaderPeriod}

// Limits of an uploaded file.
const (
	// MaxBytes bounds an uploaded file: 5 MiB.
	MaxBytes = 5 << 20
	// MaxRows bounds the data rows of an uploaded file.
	MaxRows = 5000
	// maxUnzipped bounds what an XLSX may unpack to (a zip bomb is refused).
	maxUnzipped = 64 << 20
)

// The formats.
const (
	XLSX = "xlsx"
	CSV  = "csv"
)
