package scoring

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Points is a score, a weight or a deduction in hundredths of a point, so
// that sums are exact and scorecards carry no floating-point noise. It
// marshals as a JSON number with at most two decimals ("95.5", "-5",
// "0.25").
type Points int64

// Whole returns n whole points.
func Whole(n int64) Points { return Points(n * 100) }

// maxPoints bounds any number a scheme or a result may hold, in hundredths.
const maxPoints = 1_000_000_000 * 100

// String returns the decimal form with at most two decimals and no
// trailing zeros, e.g. "95.5", "-5", "0.05".
func (p Points) String() string {
	neg := p < 0
	u := uint64(p)
	if neg {
		u = uint64(-p)
	}
	s := strconv.FormatUint(u/100, 10)
	if f := u % 100; f != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%02d", f), "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Float returns p as a float64 number of points (for display only).
func (p Points) Float() float64 { return float64(p) / 100 }

// MarshalJSON writes p as a JSON number.
func (p Points) MarshalJSON() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalJSON reads a JSON number with at most two decimals and no
// exponent.
func (p *Points) UnmarshalJSON(b []byte) error {
	v, err := ParsePoints(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ParsePoints parses a decimal number of points with at most two decimals,
// such as "5", "-3", "0.5" or "94.25". Exponents, quotes and more decimals
// are refused, so a scheme means exactly what it says.
func ParsePoints(s string) (Points, error) {
	body, neg := s, false
	if strings.HasPrefix(body, "-") {
		body, neg = body[1:], true
	}
	whole, frac, dot := strings.Cut(body, ".")
	if whole == "" || !digits(whole) || (dot && (frac == "" || !digits(frac))) {
		return 0, fmt.Errorf("%q is not a plain decimal number of points", s)
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q has more than two decimals", s)
	}
	if len(whole) > 1 && whole[0] == '0' {
		return 0, fmt.Errorf("%q has a leading zero", s)
	}
	if len(whole) > 10 {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt((frac + "0")[:2], 10, 64)
	}
	v := w*100 + f
	if v > maxPoints {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	if neg {
		v = -v
	}
	return Points(v), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// rat returns p as an exact rational number of points.
func (p Points) rat() *big.Rat { return big.NewRat(int64(p), 100) }

// roundPoints rounds an exact number of points to hundredths, halves away
// from zero.
func roundPoints(r *big.Rat) Points {
	h := new(big.Rat).Mul(r, big.NewRat(100, 1))
	num, den := new(big.Int).Set(h.Num()), h.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return Points(q.Int64())
}
