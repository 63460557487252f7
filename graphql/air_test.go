package graphql

import (
	"strings"
	"testing"
)

// Indicators with day counts go in through recordIndicator (a county's and
// the whole city's), and airQuality answers the HJ 663 figures: the city
// first, from its own records, then the counties.
func TestAirQualityThroughGraphQL(t *testing.T) {
	e := newEnv(t, envOptions{})
	const rec = `mutation($unit: ID!, $metric: Metric!, $period: String!, $value: Float, $valid: Int, $good: Int, $key: String!) {
	  recordIndicator(input: {unit: $unit, metric: $metric, period: $period, value: $value, validDays: $valid, goodDays: $good, idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } events { type } } }`
	for i, v := range []map[string]any{
		{"unit": "county.a", "metric": "PM25", "period": "2025-01", "value": 40, "valid": 31},
		{"unit": "county.a", "metric": "PM25", "period": "2025-02", "value": 10, "valid": 28},
		{"unit": "全市", "metric": "PM25", "period": "2025-01", "value": 28, "valid": 31},
		{"unit": "全市", "metric": "PM25", "period": "2025-02", "value": 22, "valid": 28},
		{"unit": "全市", "metric": "GOOD_DAY_RATIO", "period": "2025-01", "valid": 31, "good": 25},
		{"unit": "全市", "metric": "GOOD_DAY_RATIO", "period": "2025-02", "valid": 26, "good": 26},
		{"unit": "全市", "metric": "NOX_REDUCTION", "period": "2025-02", "value": 120.5},
		{"unit": "county.a", "metric": "PM25", "period": "2025-02-27", "value": 55, "valid": 1},
	} {
		v["key"] = "air-" + string(rune('a'+i))
		e.ok("coordinator", rec, v)
	}
	// Refused input records nothing and says why.
	bad := e.post("coordinator", rec, map[string]any{"unit": "county.a", "metric": "GOOD_DAY_RATIO", "period": "2025-02", "valid": 20, "good": 21, "key": "bad"})
	if bad.code() != "INVALID_ARGUMENT" || !strings.Contains(bad.msg(), "21 good days is more than the 20 valid days") || !strings.Contains(bad.msgZH(), "优良天数 21 天多于有效天数 20 天") {
		t.Fatalf("good days over valid days: %s", bad.Raw)
	}

	d := e.ok("county", `{ airQuality(year: 2025) { unit kind city name
	  figures { metric assessable value display validDays goodDays throughMonth shortMonths reason }
	  emissions { pollutant reducedTonnes status } } }`, nil)
	rows := d["airQuality"].([]any)
	if len(rows) != 3 {
		t.Fatalf("%d rows: %v", len(rows), rows)
	}
	city := rows[0].(map[string]any)
	if city["unit"] != "city.p" || city["kind"] != "CITY" || city["city"] != true || city["name"] != "全市" {
		t.Fatalf("city row %v", city)
	}
	figs := city["figures"].([]any)
	pm := figs[0].(map[string]any)
	// (28×31 + 22×28) / 59 = 25.15…
	if pm["assessable"] != true || pm["display"] != "25.2" || pm["validDays"] != float64(59) || pm["throughMonth"] != float64(2) {
		t.Fatalf("city pm25 %v", pm)
	}
	gd := figs[1].(map[string]any)
	// (25 + 26) / 57 = 89.47%
	if gd["display"] != "89.47" || gd["goodDays"] != float64(51) {
		t.Fatalf("city good-day ratio %v", gd)
	}
	if hd := figs[2].(map[string]any); hd["assessable"] != false || hd["value"] != nil || hd["reason"] != "未记录" {
		t.Fatalf("city heavy days %v", hd)
	}
	if nox := city["emissions"].([]any)[0].(map[string]any); nox["reducedTonnes"] != 120.5 || nox["status"] != "NO_TARGET" {
		t.Fatalf("city nox %v", nox)
	}
	// County A: the monthly February value stands for the month; its
	// daily value does not count twice. (40×31 + 10×28) / 59 = 25.76.
	a := rows[1].(map[string]any)
	if pm := a["figures"].([]any)[0].(map[string]any); a["unit"] != "county.a" || pm["display"] != "25.8" {
		t.Fatalf("county a %v", a)
	}

	// The measurements keep their day counts.
	m := e.ok("county", `{ unit(id: "county.a") { indicators(year: 2025) { period day value validDays goodDays } } }`, nil)
	ms := m["unit"].(map[string]any)["indicators"].([]any)
	if len(ms) != 3 || ms[2].(map[string]any)["day"] != "2025-02-27" || ms[0].(map[string]any)["validDays"] != float64(31) {
		t.Fatalf("measurements %v", ms)
	}
}
