package scoring

import (
	"bytes"
	"crypto/sha256"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"taskledger/domain"
)

// scenario is a small city: three bureaus, three counties and a body,
// with slips, extensions, reports, findings and measurements.
func scenario(t *testing.T) Input {
	jan := cst(2025, 1, 1, 9, 0)
	lead := newOb(t, transport.ID, 10, domain.RoleLead)
	lead.assign(jan)
	lead.milestone(jan, "m", "淘汰老旧车辆", date(2025, 3, 31))
	lead.milestone(jan, "n", "建成监控平台", date(2025, 9, 30))
	lead.reportMonths(2025, time.January, time.February, time.March, time.May)
	lead.slip(cst(2025, 4, 1, 0, 5), "m")
	lead.complete(cst(2025, 7, 1, 9, 0), "m")
	lead.request(cst(2025, 9, 1, 9, 0), "n", date(2025, 12, 31))
	lead.grant(cst(2025, 9, 5, 9, 0))

	sup := newOb(t, industry.ID, 10, domain.RoleSupport)
	sup.assign(jan)
	sup.milestone(jan, "m", "配合", date(2025, 3, 31))
	sup.reportMonths(2025, allMonths()...)
	sup.slip(cst(2025, 4, 1, 0, 5), "m")
	sup.finding(cst(2025, 6, 1, 9, 0), domain.FindingOther, "台账", date(2025, 7, 31))

	eco := newOb(t, ecology.ID, 21, domain.RoleLead)
	eco.assign(jan)
	eco.reportMonths(2025, allMonths()...)
	eco.finding(cst(2025, 8, 1, 9, 0), domain.FindingFalseReport, "虚报", domain.Date{})

	var obs []*domain.Obligation
	for _, u := range []Unit{hongshan, ningcheng, yuanbao} {
		b := newOb(t, u.ID, 12, domain.RoleImplementing)
		b.assign(jan)
		b.milestone(jan, "m", "完成", date(2025, 6, 30))
		b.reportMonths(2025, time.January, time.March, time.June)
		if u.ID != ningcheng.ID {
			b.slip(cst(2025, 7, 1, 0, 5), "m")
		}
		obs = append(obs, b.o)
	}
	body := newOb(t, customs.ID, 10, domain.RoleSupport)
	body.assign(jan)

	var values []IndicatorValue
	pos := uint64(1)
	for i, u := range []Unit{hongshan, ningcheng, yuanbao} {
		for j, m := range metricOrder() {
			base := []float64{27.3, 90.1, 1}[j] + float64(i)
			vs, _ := measured(u, m, pos, repeat(base, 11)...)
			values = append(values, vs...)
			pos += 100
		}
	}
	// A revision of 宁城县's January PM2.5.
	rev := values[0]
	rev.Unit, rev.Value, rev.Position, rev.EventID = ningcheng.ID, 19.7, 9999, domain.DeriveEventID("revision", 0)
	values = append(values, rev)

	return Input{
		Year: 2025, AsOf: endOf2025,
		Units:       []Unit{transport, industry, ecology, hongshan, ningcheng, yuanbao, customs},
		Obligations: append([]*domain.Obligation{lead.o, sup.o, eco.o, body.o}, obs...),
		Indicators:  values,
		Targets:     planTargets(),
		Baselines: []Baseline{
			{Unit: ningcheng.ID, Metric: domain.MetricPM25, Year: 2020, Value: 41.3},
			{Unit: yuanbao.ID, Metric: domain.MetricPM25, Year: 2020, Value: 37.1},
		},
	}
}

func shuffled(in Input, seed uint64) Input {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := in
	out.Units = append([]Unit(nil), in.Units...)
	out.Obligations = append([]*domain.Obligation(nil), in.Obligations...)
	out.Indicators = append([]IndicatorValue(nil), in.Indicators...)
	out.Targets = append([]domain.PlanTarget(nil), in.Targets...)
	out.Baselines = append([]Baseline(nil), in.Baselines...)
	r.Shuffle(len(out.Units), func(i, j int) { out.Units[i], out.Units[j] = out.Units[j], out.Units[i] })
	r.Shuffle(len(out.Obligations), func(i, j int) { out.Obligations[i], out.Obligations[j] = out.Obligations[j], out.Obligations[i] })
	r.Shuffle(len(out.Indicators), func(i, j int) { out.Indicators[i], out.Indicators[j] = out.Indicators[j], out.Indicators[i] })
	r.Shuffle(len(out.Targets), func(i, j int) { out.Targets[i], out.Targets[j] = out.Targets[j], out.Targets[i] })
	r.Shuffle(len(out.Baselines), func(i, j int) { out.Baselines[i], out.Baselines[j] = out.Baselines[j], out.Baselines[i] })
	// The as-of instant in another zone is the same instant.
	out.AsOf = in.AsOf.UTC()
	return out
}

// The same input, scheme and as-of give byte-identical JSON, whatever the
// order of the input, and the digest is the SHA-256 of those bytes.
func TestJSONIsByteIdentical(t *testing.T) {
	in := scenario(t)
	for _, kind := range []Kind{KindBureau, KindCounty} {
		first := compute(t, in, Default(), kind)
		want := first.JSON()
		for seed := uint64(1); seed <= 20; seed++ {
			got := compute(t, shuffled(in, seed), Default(), kind).JSON()
			if !bytes.Equal(got, want) {
				t.Fatalf("%s, shuffle %d: JSON differs\n%s\nwant\n%s", kind, seed, got, want)
			}
		}
		if first.Digest() != domain.Hash(sha256.Sum256(want)) {
			t.Fatalf("digest is not the SHA-256 of the JSON")
		}
		// Points carry at most two decimals; as-of is written in Shanghai.
		if m := regexp.MustCompile(`"(total|points|min)":-?\d+\.\d{3,}`).Find(want); m != nil {
			t.Fatalf("float noise: %s", m)
		}
		if !bytes.Contains(want, []byte(`"as_of":"2026-01-01T00:00:00+08:00"`)) {
			t.Fatalf("as_of: %s", want[:120])
		}
		// A decoded result encodes to the same bytes.
		back, err := DecodeResult(want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back.JSON(), want) {
			t.Fatalf("decode/encode changed the JSON")
		}
		if d := Diff(first, back); len(d) != 0 {
			t.Fatalf("diff of a result with itself: %+v", d)
		}
	}
}

// The scenario's bureau and county cards, hand-computed.
func TestScenarioTotals(t *testing.T) {
	in := scenario(t)
	bureaus := compute(t, in, Default(), KindBureau)
	got := map[domain.UnitID]string{}
	for _, c := range bureaus.Cards {
		got[c.Unit] = c.Total.String() + " " + c.Grade
	}
	// transport: slip −5; achieved 1 July, 92 days after 31 March, two
	// full 30 days beyond the first 30: −2; 8 missed reports (April,
	// June–December) −8; milestone n extended before it fell due: 85.
	// industry: SUPPORT slip −3, never achieved, 275 days late −5 (cap),
	// rectification overdue −2: 90.
	// ecology: false report −20: 80, capped at 不合格.
	want := map[domain.UnitID]string{transport.ID: "85 良好", industry.ID: "90 优秀", ecology.ID: "80 不合格"}
	for u, w := range want {
		if got[u] != w {
			t.Errorf("%s: %s, want %s\n%s", u, got[u], w, dump(cardOf(t, bureaus, Unit{ID: u})))
		}
	}
	if len(bureaus.Cards) != 3 || bureaus.Cards[0].Unit != industry.ID || bureaus.Cards[2].Unit != ecology.ID {
		t.Fatalf("bureau ranking: %s", bureaus.JSON())
	}
}

// Diff names what a recomputation changed.
func TestDiff(t *testing.T) {
	in := scenario(t)
	published := compute(t, in, Default(), KindBureau)
	if d := Diff(published, compute(t, shuffled(in, 7), Default(), KindBureau)); len(d) != 0 {
		t.Fatalf("same input: %+v", d)
	}
	// A false report on the transport bureau comes to light later.
	var lead *domain.Obligation
	for _, o := range in.Obligations {
		if o.Key.Unit == transport.ID {
			lead = o
		}
	}
	b := &ob{t: t, o: lead, key: lead.Key, n: 100}
	f := b.finding(cst(2025, 12, 20, 9, 0), domain.FindingFalseReport, "虚报", domain.Date{})
	re := compute(t, in, Default(), KindBureau)
	changes := Diff(published, re)
	var fields []string
	for _, c := range changes {
		fields = append(fields, string(c.Unit)+" "+c.Field+" "+c.Old+" → "+c.New)
	}
	got := strings.Join(fields, "\n")
	for _, w := range []string{
		"bureau.transport total 85 → 65",
		"bureau.transport grade 良好 → 不合格 (capped)",
		"bureau.transport rank 2 → 3",
		"bureau.ecology rank 3 → 2",
		"bureau.transport line_added  → bureau.false_report -20 chifeng-air/10/bureau.transport/LEAD",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("diff lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "bureau.industry") {
		t.Errorf("unchanged card listed:\n%s", got)
	}
	if l := re.Cards[2].Lines; re.Cards[2].Unit != transport.ID || !strings.Contains(string(marshal(l)), f.String()) {
		t.Errorf("the new line does not cite finding %s", f)
	}
	// A later as-of is a header change.
	in.AsOf = in.AsOf.Add(24 * time.Hour)
	if d := Diff(re, compute(t, in, Default(), KindBureau)); len(d) == 0 || d[0].Field != ChangeHeader {
		t.Fatalf("as-of change: %+v", d)
	}
	// Cards added and removed.
	less := re
	less.Cards = re.Cards[1:]
	d := Diff(less, re)
	if len(d) == 0 || d[0].Field != ChangeCardAdded {
		t.Fatalf("added card: %+v", d)
	}
	if d := Diff(re, less); len(d) == 0 || d[0].Field != ChangeCardRemoved {
		t.Fatalf("removed card: %+v", d)
	}
}

func TestComputeRefusesBadInput(t *testing.T) {
	b := newOb(t, transport.ID, 10, domain.RoleLead)
	b.assign(cst(2025, 1, 2, 9, 0))
	ok := Input{Year: 2025, AsOf: endOf2025, Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}
	yearly := Default()
	yearly.Year = 2024
	badScheme := Default()
	badScheme.Grades = nil
	for _, c := range []struct {
		name string
		edit func(*Input)
		s    Scheme
		kind Kind
		want string
	}{
		{"scheme for another year", nil, yearly, KindBureau, "scores 2024, not 2025"},
		{"invalid scheme", nil, badScheme, KindBureau, "grades"},
		{"bad kind", nil, Default(), "body", "kind"},
		{"no as-of", func(in *Input) { in.AsOf = time.Time{} }, Default(), KindBureau, "as-of"},
		{"bad year", func(in *Input) { in.Year = 25 }, Default(), KindBureau, "year 25"},
		{"unknown unit", func(in *Input) { in.Units = nil }, Default(), KindBureau, "not among the input units"},
		{"obligation twice", func(in *Input) { in.Obligations = append(in.Obligations, b.o) }, Default(), KindBureau, "listed twice"},
		{"nil obligation", func(in *Input) { in.Obligations = append(in.Obligations, nil) }, Default(), KindBureau, "nil"},
		{"unit twice", func(in *Input) { in.Units = append(in.Units, transport) }, Default(), KindBureau, "listed twice"},
		{"bad metric", func(in *Input) { in.Indicators = []IndicatorValue{{Unit: hongshan.ID, Metric: "so2"}} }, Default(), KindCounty, "metric"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := ok
			if c.edit != nil {
				c.edit(&in)
			}
			_, err := Compute(in, c.s, c.kind)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
	if _, err := Compute(ok, yearly, KindBureau); err == nil {
		t.Fatal("no error")
	}
	yearly.Year = 2025
	if _, err := Compute(ok, yearly, KindBureau); err != nil {
		t.Fatalf("scheme for the year: %v", err)
	}
}
