package bulletin

import (
	"bytes"
	"fmt"
	"html/template"
	"time"

	"taskledger/domain"
	"taskledger/projections/scoring"
)

// page is the print page: A4, Chinese first, English second.
var page = template.Must(template.New("bulletin").Funcs(template.FuncMap{
	"role": RoleZH, "kind": scoring.Kind.Label, "task": taskText, "what": whatText, "soon": func() int { return SoonDays },
	"inc":  func(i int) int { return i + 1 },
	"pair": func(items []Item, head string) itemsTable { return itemsTable{Items: items, Head: head} },
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{{.Title}} {{.NumberText}}</title>
<style>
@page { size: A4; margin: 15mm; }
body { font-family: "Noto Sans CJK SC", "Droid Sans Fallback", "WenQuanYi Micro Hei", sans-serif; max-width: 180mm; margin: 1em auto; padding: 0 1em; color: #111; font-size: 11pt; }
h1 { color: #b40000; text-align: center; font-size: 20pt; margin-bottom: .2em; }
.no { text-align: center; border-bottom: 2px solid #b40000; padding-bottom: .5em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; font-size: 9.5pt; }
th, td { border: 1px solid #999; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.n { text-align: right; white-space: nowrap; }
h2 { font-size: 13pt; margin: 1.2em 0 .2em; }
.en { color: #666; font-size: .8em; font-weight: normal; }
@media (max-width: 600px) { body { font-size: 10pt; } table { font-size: 8.5pt; } }
@media print { body { margin: 0; max-width: none; } .noprint { display: none; } }
</style></head><body>
<h1>{{.Title}}</h1>
<p class="no">{{.NumberText}}</p>
<p>通报期间：{{.Period.Chinese}}（{{.Period.First}} 至 {{.Period.Last}}）。数据截至 {{.AsOfText}}（账本位置 {{.AsOfPosition}}），可据此复现。<br>
<span class="en">Period {{.Period}}; as of {{.AsOfText}}, log position {{.AsOfPosition}}.</span></p>
<h2>总体情况 <span class="en">Summary</span></h2>
<table><tr><th>责任事项</th><th>已办结</th><th>逾期</th><th>{{soon}}日内到期</th><th>本期完成</th><th>提前完成</th></tr>
<tr>{{with .Counts}}<td class="n">{{.Duties}}</td><td class="n">{{.Completed}}</td><td class="n">{{.Overdue}}</td><td class="n">{{.SoonDue}}</td><td class="n">{{.CompletedInPeriod}}</td><td class="n">{{.Early}}</td>{{end}}</tr></table>
<h2>一、逾期事项 <span class="en">Overdue</span></h2>
{{template "items" (pair .Overdue "逾期天数")}}
<h2>二、逾期单位 <span class="en">Units with overdue duties</span></h2>
{{if .Units}}<table><tr><th>序号</th><th>单位</th><th>逾期事项数</th></tr>
{{range $i, $u := .Units}}<tr><td class="n">{{inc $i}}</td><td>{{$u.Name}}</td><td class="n">{{$u.Overdue}}</td></tr>
{{end}}</table>{{else}}<p>无。</p>{{end}}
<h2>三、{{soon}}日内到期事项 <span class="en">Due within {{soon}} days</span></h2>
{{template "items" (pair .SoonDue "剩余天数")}}
<h2>四、提前完成事项 <span class="en">Completed early</span></h2>
{{template "items" (pair .Early "提前天数")}}
<h2>五、考核排名 <span class="en">Rankings</span></h2>
{{range .Rankings}}<h3>{{kind .Kind}}</h3>
{{if .Rows}}<table><tr><th>名次</th><th>单位</th><th>得分</th><th>等次</th></tr>
{{range .Rows}}<tr><td class="n">{{.Rank}}</td><td>{{.Name}}</td><td class="n">{{.Total}}</td><td>{{.Grade}}</td></tr>
{{end}}</table>{{else}}<p>无。</p>{{end}}{{end}}
</body></html>
{{define "items"}}{{if .Items}}<table><tr><th>序号</th><th>任务</th><th>责任单位</th><th>事项</th><th>期限</th><th>{{.Head}}</th></tr>
{{range $i, $it := .Items}}<tr><td class="n">{{inc $i}}</td><td>{{task $it}}</td><td>{{$it.UnitName}}（{{role $it.Role}}）</td><td>{{what $it}}</td><td>{{$it.Due}}</td><td class="n">{{$it.Days}}</td></tr>
{{end}}</table>{{else}}<p>无。</p>{{end}}{{end}}`))

// itemsTable is what the items template receives.
type itemsTable struct {
	Items []Item
	Head  string
}

// printPage is what the page template receives.
type printPage struct {
	Bulletin
	AsOfText string
}

// HTML renders the bulletin's print page.
func HTML(b Bulletin) ([]byte, error) {
	var buf bytes.Buffer
	if err := page.Execute(&buf, printPage{Bulletin: b, AsOfText: asOfText(b.AsOf)}); err != nil {
		return nil, fmt.Errorf("render bulletin page: %w", err)
	}
	return buf.Bytes(), nil
}

// asOfText writes the as-of instant in Beijing time.
func asOfText(t time.Time) string {
	return t.In(domain.Shanghai()).Format("2006年1月2日 15:04") + "（北京时间）"
}
