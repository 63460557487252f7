package domain

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/google/uuid"
)

// TestEncoderAgreesWithStandardLibrary: for every event type, payloads
// filled with random values — strings that need escaping or are not valid
// UTF-8, extreme integers, nil and empty slices, nil pointers, zero and
// out-of-range dates — encode to exactly the bytes encoding/json's Marshal
// writes: those bytes are stored and hashed.
func TestEncoderAgreesWithStandardLibrary(t *testing.T) {
	reg := DefaultRegistry()
	rng := rand.New(rand.NewPCG(18, 7))
	planned := 0
	for _, sample := range AllEventTypes() {
		name := sample.EventType()
		typ := reg.types[name].typ
		if reg.types[name].encode != nil {
			planned++
		}
		for range 300 {
			v := reflect.New(typ).Elem()
			fillRandom(rng, v, 0)
			data := v.Interface().(EventData)
			want, err := json.Marshal(data)
			if err != nil {
				t.Fatalf("%s: encoding/json: %v", name, err)
			}
			_, _, got, err := reg.Encode(data)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s: Encode wrote\n%s (%v)\nencoding/json writes\n%s", name, got, err, want)
			}
		}
	}
	// Most types have a plan; a type losing its plan would still pass
	// above, only slower.
	if min := len(AllEventTypes()) * 3 / 4; planned < min {
		t.Errorf("only %d of %d event types have a writing plan; want at least %d", planned, len(AllEventTypes()), min)
	}
}

// TestEncoderPlansTheHotTypes: the payloads written most (progress
// reports, duties assigned) are written by the plan, not by encoding/json.
func TestEncoderPlansTheHotTypes(t *testing.T) {
	reg := DefaultRegistry()
	for _, name := range []string{"ProgressReported", "ResponsibilityAssigned", "CompletionClaimed", "DeadlineSlipped"} {
		r, ok := reg.types[name]
		if !ok {
			t.Fatalf("%s is not registered", name)
		}
		if r.encode == nil {
			t.Errorf("%s has no writing plan: every %s goes through encoding/json", name, name)
		}
	}
}

// TestPlainStringsAgreeWithStandardLibrary: a string written whole must
// be one encoding/json writes whole; any other is written by it.
func TestPlainStringsAgreeWithStandardLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 18))
	for range 20000 {
		s := randomString(rng)
		want, _ := json.Marshal(s)
		got, ok := appendJSONString(nil, s)
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("%q: wrote %s, encoding/json writes %s", s, got, want)
		}
	}
}

// stringPieces are what random strings are made of: plain text in both
// scripts and everything encoding/json escapes or replaces.
var stringPieces = []string{
	"", "a", "chifeng-air", "county.ningcheng", "已完成", "【模拟】", "进度40%",
	"<", ">", "&", `"`, `\`, "\n", "\t", "\x00", "\x1f", "\x7f", "\u2028", "\u2029",
	"\xff", "\xe2\x80", "\xed\xa0\x80", "é", "😀", "\u00e9\u0301",
}

func randomString(rng *rand.Rand) string {
	var b []byte
	for range rng.IntN(6) {
		b = append(b, stringPieces[rng.IntN(len(stringPieces))]...)
	}
	return string(b)
}

// fillRandom sets v, an addressable value, to random contents.
func fillRandom(rng *rand.Rand, v reflect.Value, depth int) {
	switch v.Type() {
	case reflect.TypeFor[Date]():
		v.Set(reflect.ValueOf(randomDate(rng)))
		return
	case reflect.TypeFor[YearMonth]():
		d := randomDate(rng)
		v.Set(reflect.ValueOf(YearMonth{y: d.y, m: d.m}))
		return
	case reflect.TypeFor[uuid.UUID]():
		if rng.IntN(4) > 0 {
			v.Set(reflect.ValueOf(uuid.New()))
		}
		return
	case reflect.TypeFor[json.RawMessage]():
		if raw := []string{"", "null", `{"a":[1,"<b>"]}`, `"x"`}[rng.IntN(4)]; raw != "" {
			v.SetBytes([]byte(raw))
		}
		return
	case reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(time.FixedZone("", 8*3600))))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(randomString(rng))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(pick(rng, 0, -1, 40, math.MinInt64>>(64-v.Type().Bits()), math.MaxInt64>>(64-v.Type().Bits())))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(pick(rng, 0, 1, 255)))
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Float32, reflect.Float64:
		v.SetFloat([]float64{0, 1.5, -3e-9, 1e21, 12.25}[rng.IntN(5)])
	case reflect.Array:
		for i := range v.Len() {
			fillRandom(rng, v.Index(i), depth+1)
		}
	case reflect.Slice:
		fillSlice(rng, v, depth)
	case reflect.Pointer:
		if depth < 4 && rng.IntN(2) == 0 {
			p := reflect.New(v.Type().Elem())
			fillRandom(rng, p.Elem(), depth+1)
			v.Set(p)
		}
	case reflect.Map:
		if depth < 4 && rng.IntN(2) == 0 {
			m := reflect.MakeMap(v.Type())
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillRandom(rng, k, depth+1)
			fillRandom(rng, e, depth+1)
			m.SetMapIndex(k, e)
			v.Set(m)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Field(i)
			if !f.CanSet() {
				f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
			}
			fillRandom(rng, f, depth+1)
		}
	}
}

// fillSlice makes v nil, empty or a few random elements long.
func fillSlice(rng *rand.Rand, v reflect.Value, depth int) {
	switch n := rng.IntN(4); {
	case n == 0 || depth >= 4:
	case n == 1:
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	default:
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fillRandom(rng, s.Index(i), depth+1)
		}
		v.Set(s)
	}
}

// randomDate returns the zero date, an ordinary one, or one whose year the
// writer leaves to encoding/json.
func randomDate(rng *rand.Rand) Date {
	switch rng.IntN(5) {
	case 0:
		return Date{}
	case 1:
		return Date{y: []int{10000, -1, 12345}[rng.IntN(3)], m: time.March, d: 9}
	}
	return Date{y: 1990 + rng.IntN(60), m: time.Month(1 + rng.IntN(12)), d: 1 + rng.IntN(28)}
}

func pick(rng *rand.Rand, xs ...int64) int64 { return xs[rng.IntN(len(xs))] }

// FuzzEncoderAgreesWithStandardLibrary: progress reports whose strings and
// figures the fuzzer makes, anything at all, encode to the bytes
// encoding/json writes (go test -fuzz FuzzEncoderAgreesWithStandardLibrary ./domain/).
func FuzzEncoderAgreesWithStandardLibrary(f *testing.F) {
	f.Add("chifeng-air", "county.ningcheng", "已完成<b>&\u2028", int64(40), "evidence.pdf")
	f.Add("", "", "\xff\x00\"\\", int64(-1), "")
	reg := DefaultRegistry()
	f.Fuzz(func(t *testing.T, plan, unit, note string, percent int64, attachment string) {
		p := ProgressReported{
			ObligationKey: ObligationKey{Plan: PlanID(plan), Task: TaskNo(percent), Unit: UnitID(unit), Role: Role(note)},
			Percent:       Percent(percent),
			Previous:      Percent(-percent),
			Note:          note,
		}
		if attachment != "" {
			p.Attachments = []EvidenceRef{{Name: attachment, Size: percent}}
		}
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		_, _, got, err := reg.Encode(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Encode wrote\n%s (%v)\nencoding/json writes\n%s", got, err, want)
		}
	})
}
