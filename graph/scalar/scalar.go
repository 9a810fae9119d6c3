// Package scalar holds the GraphQL scalars onsite maps to Go types.
package scalar

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/henan-youth/onsite/models"
)

// MarshalID64 writes a database id as a GraphQL ID (a JSON string).
func MarshalID64(id int64) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(strconv.FormatInt(id, 10)))
	})
}

// UnmarshalID64 reads a GraphQL ID given as a string or integer. Anything
// else, or a non-positive number, is INVALID.
func UnmarshalID64(v any) (int64, error) {
	var id int64
	var err error
	switch v := v.(type) {
	case string:
		id, err = strconv.ParseInt(v, 10, 64)
	case json.Number:
		id, err = v.Int64()
	case int64:
		id = v
	case int:
		id = int64(v)
	default:
		return 0, models.E(models.CodeInvalid, "an ID must be a positive integer string")
	}
	if err != nil || id <= 0 {
		return 0, models.E(models.CodeInvalid, "an ID must be a positive integer string")
	}
	return id, nil
}
