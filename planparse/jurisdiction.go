package planparse

import (
	"fmt"
	"regexp"
	"strings"
)

// A plan belongs to a jurisdiction: the place whose government issued it
// (赤峰市, 包头市, 安徽省, 武汉市蔡甸区; 全国 for the State Council). The
// jurisdiction decides which registry may name the plan's units: a registry
// of another jurisdiction is never used, so another city's 市公安局 never
// becomes Chifeng's 公安局.

// nationalJurisdiction is the jurisdiction of a plan the State Council or a
// national ministry issues.
const nationalJurisdiction = "全国"

// provinces are the province-level divisions, written in full.
var provinces = []string{
	"北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省",
	"江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省",
	"广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
	"内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
	"香港特别行政区", "澳门特别行政区",
}

var (
	// cityRE is a prefecture-level place at the start of a text: 包头市,
	// 延边朝鲜族自治州, 锡林郭勒盟.
	cityRE = regexp.MustCompile(`^(\p{Han}{2,6}?(?:自治州|地区|市|盟|州))`)
	// countyRE is a county-level place at the start of a text: 立山区,
	// 宁城县, 克什克腾旗.
	countyRE = regexp.MustCompile(`^(\p{Han}{1,5}?(?:区|县|旗))`)
	// placeCueRE is what follows a place name that opens an issuer line or
	// a title: its government, a title's opening, a year.
	placeCueRE = regexp.MustCompile(`^(?:$|人民政府|政府|党委|委员会|办公室|关于|[《“"\d（(]|\p{Han}*?(?:实施方案|方案|办法|意见|通知|规划|计划))`)
)

// DetectJurisdiction reads the jurisdiction of a plan from its title, then
// from its first lines (the issuer's line of a notice): the place name the
// text opens with, followed by its government, a title or a year. It
// returns "" when no line opens with a place.
func DetectJurisdiction(title string, lines []string) string {
	for _, s := range append([]string{title}, lines...) {
		if j := placeOf(s); j != "" {
			return j
		}
	}
	return ""
}

// placeOf is the place a text opens with, if any: a province, a city, a
// county or a chain of them ("武汉市蔡甸区"). A city or county must be
// followed by a cue (its government, a year, a title) and must not read
// as a sentence ("关于推进城市…").
func placeOf(s string) string {
	s = strings.TrimLeft(strings.TrimSpace(s), "《“\"")
	if s == "" || strings.HasPrefix(s, "#") {
		return ""
	}
	if strings.HasPrefix(s, "国务院") || strings.HasPrefix(s, "中共中央") {
		return nationalJurisdiction
	}
	place := provinceOf(s)
	rest := s[len(place):]
	if !strings.HasSuffix(place, "市") { // a municipality has no cities
		if m := cityRE.FindString(rest); m != "" && plausiblePlace(m) && cued(rest[len(m):]) {
			place, rest = place+m, rest[len(m):]
		}
	}
	if m := countyRE.FindString(rest); m != "" && plausiblePlace(m) && placeCueRE.MatchString(rest[len(m):]) {
		place += m
	}
	return place
}

// provinceOf is the province-level division a text opens with, if any.
func provinceOf(s string) string {
	for _, p := range provinces {
		if strings.HasPrefix(s, p) {
			return p
		}
	}
	return ""
}

// cued reports whether what follows a city name confirms it: a cue, or a
// county under the city.
func cued(rest string) bool {
	if placeCueRE.MatchString(rest) {
		return true
	}
	m := countyRE.FindString(rest)
	return m != "" && plausiblePlace(m) && placeCueRE.MatchString(rest[len(m):])
}

// plausiblePlace rejects a "place" that is the start of a sentence.
func plausiblePlace(s string) bool {
	for _, w := range []string{"关于", "的", "推进", "加快", "进一步", "实施", "印发", "做好", "开展", "建设", "全", "本"} {
		if strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// documentJurisdiction reads a document's jurisdiction: from its title and
// first lines (DetectJurisdiction), failing that from the units it names:
// an embedded registry's jurisdiction when the text names one of its units
// with the place's prefix ("赤峰市生态环境局").
func documentJurisdiction(title string, lines []srcLine) string {
	if j := DetectJurisdiction(title, headLines(lines, 6)); j != "" {
		return j
	}
	for _, reg := range embeddedRegistries() {
		if namesUnitsOf(reg, lines) {
			return reg.Jurisdiction()
		}
	}
	return ""
}

// namesUnitsOf reports whether a line names one of the registry's units
// with one of its place prefixes.
func namesUnitsOf(reg *Registry, lines []srcLine) bool {
	for _, l := range lines {
		for _, p := range reg.prefixes {
			if !strings.Contains(l.text, p) {
				continue
			}
			for _, u := range reg.units {
				for _, n := range append([]string{u.Name}, u.Aliases...) {
					if strings.Contains(l.text, p+n) {
						return true
					}
				}
			}
		}
	}
	return false
}

// headLines are the first lines of a document, before its first heading,
// where an issuer's line stands.
func headLines(lines []srcLine, n int) []string {
	var out []string
	for _, l := range lines {
		if len(out) == n {
			break
		}
		if t := strings.TrimSpace(l.text); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// embeddedRegistries are the registries the package ships; each is used by
// default only for a plan of its own jurisdiction.
func embeddedRegistries() []*Registry { return []*Registry{ChifengRegistry()} }

// EmbeddedRegistry returns the embedded registry of a jurisdiction, if the
// package ships one (it ships Chifeng's, units/chifeng.json).
func EmbeddedRegistry(jurisdiction string) (*Registry, bool) {
	if jurisdiction == "" {
		return nil, false
	}
	for _, r := range embeddedRegistries() {
		if r.Jurisdiction() == jurisdiction {
			return r, true
		}
	}
	return nil, false
}

// chooseRegistry settles a plan's jurisdiction and the registry that seeds
// its units. The jurisdiction is Options.Jurisdiction, else the one read
// from the document, else the given registry's. A given registry is used
// only when it describes that jurisdiction (or none); without one, the
// embedded registry of that jurisdiction is used, if any. Otherwise the plan
// starts from an empty registry and every unit it names is new.
func chooseRegistry(opts Options, detected string) (*Registry, string, []Warning) {
	jur := strings.TrimSpace(opts.Jurisdiction)
	if jur == "" {
		jur = detected
	}
	given := opts.Registry
	if given == nil {
		if reg, ok := EmbeddedRegistry(jur); ok {
			return reg, jur, nil
		}
		return EmptyRegistry().withJurisdiction(jur), jur, nil
	}
	rj := given.Jurisdiction()
	if jur == "" {
		jur = rj
	}
	if rj == "" || rj == jur {
		return given.withJurisdiction(jur), jur, nil
	}
	w := Warning{Code: WarnRegistryJurisdiction,
		Message: fmt.Sprintf(
			"the unit registry describes %s but the plan belongs to %s; its units are not used (set the jurisdiction to %s to use them)", rj, jur, rj),
		MessageZH: fmt.Sprintf(
			"单位名录属于%s，而本方案属于%s，名录中的单位未予使用（如需使用，请将行政区域设为%s）", rj, jur, rj)}
	return EmptyRegistry().withJurisdiction(jur), jur, []Warning{w}
}
