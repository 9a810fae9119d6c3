package scalar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/henan-youth/onsite/models"
)

// MarshalFloat writes a Float as a JSON number. NaN and infinities have no
// JSON form; writing one fails, as a bug in the resolver.
func MarshalFloat(f float64) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("cannot write %v as a Float", f)
		}
		_, err := io.WriteString(w, strconv.FormatFloat(f, 'g', -1, 64))
		return err
	})
}

// UnmarshalFloat reads a Float given as a JSON number (in variables) or a
// literal. A string — even "34.83" — or a number out of range is INVALID:
// a client that sends coordinates as text has a bug worth seeing.
func UnmarshalFloat(_ context.Context, v any) (float64, error) {
	var f float64
	var err error
	switch v := v.(type) {
	case json.Number:
		f, err = strconv.ParseFloat(string(v), 64)
	case float64:
		f = v
	case int64:
		f = float64(v)
	case int:
		f = float64(v)
	default:
		return 0, models.E(models.CodeInvalid, "a Float must be a JSON number, not %s", jsonKind(v))
	}
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, models.E(models.CodeInvalid, "a Float must be a finite number")
	}
	return f, nil
}

// MarshalInt writes an Int.
func MarshalInt(i int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { io.WriteString(w, strconv.Itoa(i)) })
}

// UnmarshalInt reads an Int given as a JSON number without a fraction
// (in variables) or a literal, within 32 bits as GraphQL defines Int. A
// string, a fraction or a number out of range is INVALID.
func UnmarshalInt(v any) (int, error) {
	var n int64
	var err error
	switch v := v.(type) {
	case json.Number:
		n, err = strconv.ParseInt(string(v), 10, 32)
	case int64:
		n = v
	case int:
		n = int64(v)
	case float64:
		if v != math.Trunc(v) {
			err = errors.New("a fraction")
		}
		n = int64(v)
	default:
		return 0, models.E(models.CodeInvalid, "an Int must be a JSON number, not %s", jsonKind(v))
	}
	if err != nil || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, models.E(models.CodeInvalid, "an Int must be a whole number between %d and %d", math.MinInt32, math.MaxInt32)
	}
	return int(n), nil
}

// MarshalTime writes a Time as RFC 3339 with nanoseconds and its zone; the
// zero time is null.
func MarshalTime(t time.Time) graphql.Marshaler {
	if t.IsZero() {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(time.RFC3339Nano)))
	})
}

// UnmarshalTime reads a Time: an RFC 3339 string with a zone ("Z" or an
// offset), since a time without one names no instant. Anything else is
// INVALID.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, models.E(models.CodeInvalid,
		`a Time must be an RFC 3339 string with a zone, such as "2026-03-01T08:30:00+08:00"`)
}

// jsonKind names the JSON type of a decoded value, for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}
