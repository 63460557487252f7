package graphql

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"taskledger/domain"
)

// Position is the GraphQL Position scalar: a log position.
type Position uint64

// ImplementsGraphQLType implements the engine's scalar interface.
func (Position) ImplementsGraphQLType(name string) bool { return name == "Position" }

// maxExactJSON is the largest integer a JSON number carries exactly in
// every client (2^53).
const maxExactJSON = 1 << 53

// UnmarshalGraphQL reads a position from an Int or Float literal or
// variable, or from a decimal string.
func (p *Position) UnmarshalGraphQL(input any) error {
	switch v := input.(type) {
	case int32:
		if v < 0 {
			return fmt.Errorf("position %d is negative", v)
		}
		*p = Position(v)
	case int64:
		if v < 0 {
			return fmt.Errorf("position %d is negative", v)
		}
		*p = Position(v)
	case int:
		if v < 0 {
			return fmt.Errorf("position %d is negative", v)
		}
		*p = Position(v)
	case float64:
		if v < 0 || v != math.Trunc(v) || v > maxExactJSON {
			return fmt.Errorf("position %v is not a whole number from 0 to 2^53", v)
		}
		*p = Position(v)
	case string:
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return fmt.Errorf("position %q is not a decimal integer", v)
		}
		*p = Position(n)
	default:
		return fmt.Errorf("a position is a non-negative integer, not %T", input)
	}
	return nil
}

// MarshalJSON writes the position as a JSON number.
func (p Position) MarshalJSON() ([]byte, error) { return strconv.AppendUint(nil, uint64(p), 10), nil }

// Date is the GraphQL Date scalar: a civil date in Asia/Shanghai.
type Date struct{ domain.Date }

// ImplementsGraphQLType implements the engine's scalar interface.
func (Date) ImplementsGraphQLType(name string) bool { return name == "Date" }

// UnmarshalGraphQL reads "YYYY-MM-DD".
func (d *Date) UnmarshalGraphQL(input any) error {
	s, ok := input.(string)
	if !ok {
		return fmt.Errorf("a date is a string YYYY-MM-DD, not %T", input)
	}
	v, err := domain.ParseDate(s)
	if err != nil {
		return err
	}
	d.Date = v
	return nil
}

// MarshalJSON writes "YYYY-MM-DD" (digits and dashes need no escaping).
func (d Date) MarshalJSON() ([]byte, error) {
	s := d.String()
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), nil
}

// dateOrNil returns a *Date, nil for the zero date.
func dateOrNil(d domain.Date) *Date {
	if d.IsZero() {
		return nil
	}
	return &Date{d}
}

// strOrNil returns a *string, nil for "".
func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
