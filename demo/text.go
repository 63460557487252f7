package demo

import (
	"fmt"
	"math/rand/v2"
	"unicode/utf8"

	"taskledger/domain"
)

// texts holds the Chinese phrases the simulation writes. Every text it
// produces starts with NotePrefix.
type texts struct {
	activities []string
	extension  []string
	findings   []string
}

func newTexts() texts {
	return texts{
		activities: []string{
			"完成重点排放单位现场排查",
			"推进治理工程建设",
			"开展专项执法检查",
			"召开部门联席调度会",
			"完善工作台账和调度机制",
			"落实专项资金保障",
			"组织第三方技术评估",
			"督促企业落实整改措施",
			"完成阶段性目标任务",
			"开展政策宣传和入企帮扶",
		},
		extension: []string{
			"受冬季施工条件限制，工程无法按期完工",
			"项目资金尚未全部到位",
			"设备采购和安装周期延长",
			"涉及企业搬迁，协调难度较大",
			"需与上级部门衔接审批手续",
		},
		findings: []string{
			"督查发现：工作台账不完整，部分点位整治进度滞后于计划。",
			"督查发现：施工工地扬尘管控措施落实不到位。",
			"督查发现：燃煤锅炉淘汰清单未及时更新，存在漏报。",
			"督查发现：秸秆禁烧网格化巡查记录缺失。",
			"督查发现：重点企业在线监测设施运维不规范。",
		},
	}
}

func pick(rng *rand.Rand, list []string) string { return list[rng.IntN(len(list))] }

// short cuts s to at most n runes.
func short(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func (t texts) report(rng *rand.Rand, period domain.YearMonth, title string, p domain.Percent) string {
	return fmt.Sprintf("%s%d年%d月进度报告（%s）：本月%s，累计完成%d%%。",
		NotePrefix, period.Year(), int(period.Month()), title, pick(rng, t.activities), int(p))
}

func (t texts) itemised(period domain.YearMonth, title string, i, n int, p domain.Percent) string {
	return fmt.Sprintf("%s%d年%d月分项进度更新（%d/%d，%s）：累计完成%d%%。",
		NotePrefix, period.Year(), int(period.Month()), i, n, title, int(p))
}

func (t texts) falseReportCorrection(from, to domain.Percent) string {
	return fmt.Sprintf("%s根据督查反馈更正前期报送数据：经核实实际完成%d%%（此前报送%d%%），已作出书面说明。", NotePrefix, int(to), int(from))
}

func (t texts) correction(from, to domain.Percent) string {
	return fmt.Sprintf("%s更正：统计口径调整，部分项目尚未通过验收，进度由%d%%下调为%d%%。", NotePrefix, int(from), int(to))
}

func (t texts) rework(from, to domain.Percent) string {
	return fmt.Sprintf("%s根据验收意见返工整改，进度由%d%%调整为%d%%。", NotePrefix, int(from), int(to))
}

func (t texts) finished(title string) string {
	return fmt.Sprintf("%s%s相关工作已全部完成，累计完成100%%，申请验收。", NotePrefix, title)
}

func (t texts) evidence(what string) string {
	if what == "" {
		return NotePrefix + "各项工作已全部完成，附总结报告及佐证材料。"
	}
	return fmt.Sprintf("%s已完成“%s”，附验收报告、现场照片及工作台账。", NotePrefix, short(what, 40))
}

func (t texts) extensionReason(rng *rand.Rand, due domain.Date) string {
	return fmt.Sprintf("%s%s，申请延期至%s。", NotePrefix, pick(rng, t.extension), due)
}

func (t texts) grant(due domain.Date, late bool) string {
	if late {
		return fmt.Sprintf("%s经研究，同意延期至%s；原定期限已过，逾期情况按规定记录。", NotePrefix, due)
	}
	return fmt.Sprintf("%s经研究，同意延期至%s，请加快推进。", NotePrefix, due)
}

func (t texts) refuse() string {
	return NotePrefix + "延期理由不充分，不予同意，请按原定期限完成并加强调度。"
}

func (t texts) verify() string {
	return NotePrefix + "经现场核查，佐证材料齐全，予以确认。"
}

func (t texts) reject() string {
	return NotePrefix + "佐证材料不完整，现场核查发现部分点位未完成整治，退回补充。"
}

func (t texts) finding(rng *rand.Rand, kind domain.FindingKind) string {
	if kind == domain.FindingFalseReport {
		return NotePrefix + "督查发现：报送进度与现场核查严重不符，虚报已完成改造数量，属弄虚作假。"
	}
	return NotePrefix + pick(rng, t.findings)
}

func (t texts) rectified() string {
	return NotePrefix + "已按督查意见完成整改，整改报告已报送。"
}

func (t texts) source(revision bool) string {
	if revision {
		return NotePrefix + "市环境监测站月报（数据复核修订）"
	}
	return NotePrefix + "市环境监测站月报"
}
