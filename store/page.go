package store

import (
	"encoding/base64"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/models"
)

// MaxPageSize is the largest page any list returns, whatever the client asks.
const MaxPageSize = 100

// DefaultPageSize is used when the client does not say.
const DefaultPageSize = 20

// Page asks for First items after the opaque cursor After (keyset
// pagination by id, stable under concurrent inserts).
type Page struct {
	First int
	After string
}

// PageInfo says whether more items follow and where the page ended.
type PageInfo struct {
	HasNextPage bool
	EndCursor   string
}

// Cursor encodes an id as an opaque cursor.
func Cursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id, 10)))
}

// ParseCursor decodes a cursor made by Cursor; a malformed one is
// INVALID. Lists ranked in memory page by position with it.
func ParseCursor(c string) (int64, error) { return parseCursor(c) }

// parseCursor decodes a cursor; a malformed one is INVALID.
func parseCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "id:") {
		return 0, models.E(models.CodeInvalid, "malformed cursor")
	}
	id, err := strconv.ParseInt(string(b[3:]), 10, 64)
	if err != nil || id < 0 {
		return 0, models.E(models.CodeInvalid, "malformed cursor")
	}
	return id, nil
}

// apply validates the page and returns the query limited to First+1 rows
// after the cursor, ordered by table.id. First outside 1..MaxPageSize is
// INVALID.
func (p Page) apply(db *gorm.DB, table string) (*gorm.DB, int, error) {
	n := p.First
	if n == 0 {
		n = DefaultPageSize
	}
	if n < 1 || n > MaxPageSize {
		return nil, 0, models.E(models.CodeInvalid, "first must be between 1 and %d", MaxPageSize)
	}
	if p.After != "" {
		id, err := parseCursor(p.After)
		if err != nil {
			return nil, 0, err
		}
		db = db.Where(table+".id > ?", id)
	}
	return db.Order(table + ".id").Limit(n + 1), n, nil
}

// trim cuts the extra probe row and builds PageInfo.
func trim[T any](rows []T, n int, id func(T) int64) ([]T, PageInfo) {
	info := PageInfo{HasNextPage: len(rows) > n}
	if info.HasNextPage {
		rows = rows[:n]
	}
	if len(rows) > 0 {
		info.EndCursor = Cursor(id(rows[len(rows)-1]))
	}
	return rows, info
}

// keyBy indexes loader rows by a key (an id, or the id they belong to).
func keyBy[T any](rows []T, key func(T) int64) map[int64]T {
	out := make(map[int64]T, len(rows))
	for _, r := range rows {
		out[key(r)] = r
	}
	return out
}

// list runs a paged query: the page applied to q (ordered by table.id),
// then the probe row trimmed into PageInfo. Errors are mapped.
func list[T any](q *gorm.DB, table string, page Page, id func(*T) int64) ([]*T, PageInfo, error) {
	q, n, err := page.apply(q, table)
	if err != nil {
		return nil, PageInfo{}, err
	}
	var rows []*T
	if err := q.Find(&rows).Error; err != nil {
		return nil, PageInfo{}, mapErr(err)
	}
	rows, info := trim(rows, n, id)
	return rows, info, nil
}
