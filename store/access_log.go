package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// AppendAccess stores a batch of the access log with its entries and its
// ledger leaf in one transaction, setting their ids. The server only
// (FORBIDDEN otherwise): the log records reads, nobody writes it.
// UNAVAILABLE when the database fails; nothing is stored then, or — when
// the commit's answer was lost — everything.
func (s *Store) AppendAccess(ctx context.Context, p *authz.Principal, b *models.AccessBatch, entries []*models.AccessEntry, leaf models.Leaf) error {
	if !p.IsSystem() {
		return models.E(models.CodeForbidden, "only the server writes the access log")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(b).Error; err != nil {
			return err
		}
		for _, e := range entries {
			e.BatchID = b.ID
		}
		if err := tx.CreateInBatches(entries, 200).Error; err != nil {
			return err
		}
		return writeLeaves(tx, []models.Leaf{leaf})
	})
}

// AccessFilter narrows AccessLog.
type AccessFilter struct {
	CadreID  *int64     // whose data was read
	ReaderID *int64     // who read it
	From, To *time.Time // At in [From, To)
}

// AccessLog pages through the access log, newest first: the discipline
// group reads every entry, a cadre those of reads of its own data
// (authz.ReadAccessLog; FORBIDDEN for other roles).
func (s *Store) AccessLog(ctx context.Context, p *authz.Principal, f AccessFilter, page Page) ([]*models.AccessEntry, PageInfo, error) {
	r, err := reach(p, authz.ReadAccessLog)
	if err != nil {
		return nil, PageInfo{}, err
	}
	n := page.First
	if n == 0 {
		n = DefaultPageSize
	}
	if n < 1 || n > MaxPageSize {
		return nil, PageInfo{}, models.E(models.CodeInvalid, "first must be between 1 and %d", MaxPageSize)
	}
	q := s.db.WithContext(ctx).Model(&models.AccessEntry{})
	if r != authz.All {
		q = q.Where("cadre_id = ?", p.UserID)
	}
	if page.After != "" {
		id, err := parseCursor(page.After)
		if err != nil {
			return nil, PageInfo{}, err
		}
		q = q.Where("id < ?", id)
	}
	if f.CadreID != nil {
		q = q.Where("cadre_id = ?", *f.CadreID)
	}
	if f.ReaderID != nil {
		q = q.Where("reader_id = ?", *f.ReaderID)
	}
	if f.From != nil {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("at < ?", f.To.UTC())
	}
	var rows []*models.AccessEntry
	if err := q.Order("id DESC").Limit(n + 1).Find(&rows).Error; err != nil {
		return nil, PageInfo{}, mapErr(err)
	}
	rows, info := trim(rows, n, func(e *models.AccessEntry) int64 { return e.ID })
	return rows, info, nil
}
