package domain

import (
	"reflect"
	"testing"
	"time"
)

// TestIndicatorPayloadWithDays pins the encoding of a measurement that
// carries its day counts, and checks it decodes back as written.
func TestIndicatorPayloadWithDays(t *testing.T) {
	day := MustDate(2025, time.February, 3)
	cases := []struct {
		e    IndicatorMeasured
		want string
	}{
		{IndicatorMeasured{Unit: "county.ningcheng", Metric: MetricGoodDayRatio, Period: YearMonth{2025, time.February}, Value: 75, ValidDays: 28, GoodDays: 21, Source: "月报"},
			`{"unit":"county.ningcheng","metric":"good_day_ratio","period":"2025-02","value":75,"valid_days":28,"good_days":21,"source":"月报"}`},
		{IndicatorMeasured{Unit: "city.chifeng-air", Metric: MetricPM25, Period: YearMonth{2025, time.February}, Day: &day, Value: 41, ValidDays: 1},
			`{"unit":"city.chifeng-air","metric":"pm25","period":"2025-02","day":"2025-02-03","value":41,"valid_days":1}`},
		{IndicatorMeasured{Unit: "city.chifeng-air", Metric: MetricNOxReduction, Period: YearMonth{2025, time.December}, Value: 812.5},
			`{"unit":"city.chifeng-air","metric":"nox_reduction","period":"2025-12","value":812.5}`},
	}
	reg := DefaultRegistry()
	for _, c := range cases {
		name, v, payload, err := reg.Encode(c.e)
		if err != nil {
			t.Fatal(err)
		}
		if string(payload) != c.want {
			t.Errorf("encoded\n got %s\nwant %s", payload, c.want)
		}
		got, err := reg.Decode(&Event{Type: name, SchemaVersion: v, Payload: payload})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.e) {
			t.Errorf("round trip: got %+v, want %+v", got, c.e)
		}
	}
}

// TestOldIndicatorPayloadMeansWholeMonth decodes payloads written before
// day counts existed (the golden file's bytes): a monthly value counts with
// every day of its month, and an old good-day ratio stands for that share
// of them.
func TestOldIndicatorPayloadMeansWholeMonth(t *testing.T) {
	cases := []struct {
		payload     string
		valid, good float64
	}{
		{`{"unit":"county.ningcheng","metric":"pm25","period":"2025-01","value":31.5,"source":"月报","revision":true}`, 31, 0},
		{`{"unit":"county.ningcheng","metric":"good_day_ratio","period":"2024-02","value":50}`, 29, 14.5},
		{`{"unit":"county.ningcheng","metric":"heavy_pollution_days","period":"2025-04","value":2}`, 30, 0},
	}
	reg := DefaultRegistry()
	for _, c := range cases {
		got, err := reg.Decode(&Event{Type: "IndicatorMeasured", SchemaVersion: 1, Payload: []byte(c.payload)})
		if err != nil {
			t.Fatal(err)
		}
		m := got.(IndicatorMeasured)
		if m.ValidDays != 0 || m.Day != nil {
			t.Errorf("%s decoded with days %+v", c.payload, m)
		}
		if valid, good := m.Days(); valid != c.valid || good != c.good {
			t.Errorf("%s: days (%v, %v), want (%v, %v)", c.payload, valid, good, c.valid, c.good)
		}
	}
}
