package planparse

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that no input makes Parse panic, and that every task
// number of a well-formed plan synthesised from the input comes out as a
// task.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		// Slices of each document, cut anywhere (even mid-rune); small
		// seeds keep the fuzzer's minimisation fast. The whole documents
		// are tested elsewhere.
		for off := 0; off+1500 <= len(b); off += len(b) / 3 {
			f.Add(b[off : off+1500])
		}
	}
	for _, s := range []string{
		"", "（三）", "一、\n（三）（", "（三）甲。（牵头）", "（三）甲。（，，、、等负责）",
		"10、\n1.\n1、（一）\n", "（三）到2025年，达到%。（生态环境局负责）", "（三）从9999年99月99日起。（甲局负责）",
		"（三）甲（乙（丙）丁）。（A局牵头，B局配合。以下均需C落实）", "\xef\xbb\xbf（三）\r\n\r甲\x00",
		"序号\t领域\t任务\t牵头单位\t配合单位\t完成时限\n1\t甲\t乙。\tA局\t无\t2026年2月\n2\t\t\t\t\t\n", "（1）甲。（A局负责）\n一、乙。（B局负责）",
		"1.甲\n11.121乙。（A局负责）", "甲。2019年上半年、第三季度、年内完成。（A局负责）",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, reg := range []*Registry{ChifengRegistry(), EmptyRegistry()} {
			p, err := ParseBytes(data, Options{Registry: reg})
			if err == nil && (p == nil || len(p.Tasks) == 0) {
				t.Fatalf("no error and no tasks for %q", data)
			}
		}
		text, nums := synthesize(data)
		p, err := Parse(strings.NewReader(text), Options{})
		if err != nil {
			t.Fatalf("well-formed plan rejected: %v\n%s", err, text)
		}
		got := map[int]bool{}
		for _, task := range p.Tasks {
			got[task.Number] = true
		}
		for _, n := range nums {
			if !got[n] {
				t.Fatalf("task （%s） missing from the result\n%s", formatCN(n), text)
			}
		}
		if len(p.Tasks) != len(nums) {
			t.Fatalf("%d tasks for %d numbers %v\n%s", len(p.Tasks), len(nums), nums, text)
		}
	})
}

// synthesize builds a well-formed plan in the paren layout from arbitrary
// bytes: its task numbers, their text, continuation paragraphs, CRLF or LF,
// and returns it with the task numbers it holds.
func synthesize(data []byte) (string, []int) {
	const alphabet = "推进加强完善落实建设管理治理污染排放企业项目重点区域全市能源交通工业监测执法清单改造淘汰" +
		"，、；（含）“两高”PM2.5达到90%以上下降比2020年到2025年底前从2026年1月1日起元宝山区宁城县"
	runes := []rune(alphabet)
	next := func(i *int) byte {
		if len(data) == 0 {
			return 0
		}
		b := data[*i%len(data)]
		*i++
		return b
	}
	i := 0
	nl := "\n"
	if len(data) > 0 && data[0]&1 == 1 {
		nl = "\r\n"
	}
	var b strings.Builder
	b.WriteString("赤峰市测试行动实施方案" + nl + "一、总体要求" + nl + "（一）主要目标。到2025年，全市优良天数比率达到90%。" + nl + "二、重点任务" + nl)
	count := 1
	if len(data) > 1 {
		count = 1 + int(data[1])%20
	}
	var nums []int
	n := 2
	for k := 0; k < count; k++ {
		n += 1 + int(next(&i))%7
		if n > 199 {
			break
		}
		nums = append(nums, n)
		if next(&i)%5 == 0 {
			b.WriteString(formatCN(k+3) + "、第" + formatCN(k+3) + "章" + nl)
		}
		b.WriteString("（" + formatCN(n) + "）")
		words := 1 + int(next(&i))%40
		var body bytes.Buffer
		for w := 0; w < words; w++ {
			body.WriteString(string(runes[int(next(&i))%len(runes)]))
		}
		// The first rune of a line must not start a heading or an item.
		b.WriteString("任务" + body.String() + "。")
		switch next(&i) % 4 {
		case 0:
			b.WriteString("（赤峰市生态环境局牵头，工业和信息化局等按职责分工负责）")
		case 1:
			b.WriteString("（赤峰市发展改革委、能源局等按职责分工负责）")
		case 2:
			b.WriteString(nl + "加强" + body.String() + "。（赤峰市住房和城乡建设局负责）")
		}
		b.WriteString(nl)
	}
	return b.String(), nums
}

// TestLargeInputIsLinear guards against quadratic work: each document below
// took minutes at 1 MB before the scans were made linear. It compares the
// parse of 512 KiB with that of 8 KiB of the same text, so the machine's load
// cancels out: 64 times the text costs 64 times the work when it is linear,
// 4,096 times when it is quadratic. Caches and the collector make the
// measured cost grow a little faster than the text, so the bar is 512.
func TestLargeInputIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	for _, unit := range []string{
		"到2025年，全市比率达到90%，", "（甲局牵头，乙局配合）", "5月底完成，", "2025年底前，完成；",
		"比2020年下降10%，县城建成区达70%左右，", "（（（（", "1.甲。（省厅负责）\n",
	} {
		small := fastestParse(t, unit, 8<<10, 3)
		large := fastestParse(t, unit, 512<<10, 1)
		ratio := float64(large) / float64(small)
		t.Logf("%q: 8 KiB %v, 512 KiB %v: x%.0f", unit, small, large, ratio)
		if ratio > 512 {
			t.Errorf("%q: 512 KiB took %v, %.0f times the %v of 8 KiB (linear work: about 64)", unit, large, ratio, small)
		}
	}
}

// fastestParse parses a document holding size bytes of unit runs times and
// returns the fastest run, the one least disturbed by other work.
func fastestParse(t *testing.T, unit string, size, runs int) time.Duration {
	t.Helper()
	doc := "测试方案\n二、任务\n（三）任务。" + strings.Repeat(unit, size/len(unit)) + "（赤峰市生态环境局负责）\n"
	best := time.Duration(math.MaxInt64)
	for range runs {
		start := time.Now()
		if _, err := Parse(strings.NewReader(doc), Options{}); err != nil {
			t.Fatalf("%q: %v", unit, err)
		}
		best = min(best, time.Since(start))
	}
	return best
}
