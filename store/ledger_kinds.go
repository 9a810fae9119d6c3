package store

import (
	"context"
	"database/sql"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// leafKind is how the records of one ledgered kind are read: their table,
// which of its rows are of the kind (rows, with the record as r; "" for
// all: rulings of two kinds share a table), how a leaf's natural key
// matches a row (join, with the leaf as l and the record as r), how a
// cadre's own rows are told (self, with its user id), and a finder of the
// kind's model.
type leafKind struct {
	table string
	rows  string
	join  string
	self  string
	find  func(q *gorm.DB) ([]models.Ledgered, error)
}

// plainReview tells the rulings of kind review (models.Review.Plain): a
// check-in's first ruling naming no region. key_text holds the seq of
// every other ruling as decimal text, compared as a number.
const plainReview = "r.seq = 1 AND r.region_id IS NULL"

// leafKinds lists every ledgered kind; a new kind is a row here.
var leafKinds = map[models.LeafKind]leafKind{
	models.LeafCheckIn: {table: "check_ins", join: "l.key_num = r.user_id AND l.key_text = r.client_id",
		self: "r.user_id = ?", find: find[models.CheckIn]},
	models.LeafReview: {table: "reviews", rows: plainReview, join: "l.key_num = r.check_in_id AND l.key_text = ''",
		self: "r.check_in_id IN (SELECT id FROM check_ins WHERE user_id = ?)", find: find[models.Review]},
	models.LeafSeminar: {table: "seminars", join: "l.key_num = r.opened_by AND l.key_text = r.client_id",
		self: "r.id IN (SELECT seminar_id FROM seminar_candidates WHERE user_id = ?)", find: findSeminars},
	models.LeafSeminarTalk: {table: "seminar_talks", join: "l.key_num = r.recorded_by AND l.key_text = r.client_id",
		self: "r.speaker_id = ?", find: find[models.SeminarTalk]},
	models.LeafKeyWorkTickOff: {table: "key_work_tick_offs", join: "l.key_num = r.submitted_by AND l.key_text = r.client_id",
		self: "r.submitted_by = ?", find: findTickOffs},
	models.LeafKeyWorkRuling: {table: "key_work_rulings", join: "l.key_num = r.tick_off_id AND l.key_text = ''",
		self: "r.tick_off_id IN (SELECT id FROM key_work_tick_offs WHERE submitted_by = ?)", find: find[models.KeyWorkRuling]},
	models.LeafSummaryVersion: {table: "summary_versions", join: "l.key_num = r.user_id AND l.key_text = r.client_id",
		self: "r.user_id = ?", find: find[models.SummaryVersion]},
	models.LeafSummaryReview: {table: "summary_reviews", join: "l.key_num = r.version_id AND l.key_text = ''",
		self: "r.summary_id IN (SELECT id FROM summaries WHERE user_id = ?)", find: find[models.SummaryReview]},
	// A policy version is nobody's own record: a cadre reads none.
	models.LeafPolicy: {table: "policy_versions", join: "l.key_num = r.org_unit_id AND l.key_text = CAST(r.version AS CHAR)",
		self: "r.created_by = ? AND 1 = 0", find: find[models.PolicyVersion]},
	models.LeafRuling: {table: "reviews", rows: "NOT (" + plainReview + ")", join: "l.key_num = r.check_in_id AND l.key_text = r.seq",
		self: "r.check_in_id IN (SELECT id FROM check_ins WHERE user_id = ?)", find: find[models.Review]},
	models.LeafActivityRuling: {table: "activity_reviews", rows: "r.seq > 1", join: "l.key_num = r.activity_id AND l.key_text = r.seq",
		self: "r.activity_id IN (SELECT id FROM activities WHERE user_id = ?)", find: find[models.ActivityReview]},
	models.LeafMakeUp: {table: "make_ups", join: "l.key_num = r.user_id AND l.key_text = r.client_id",
		self: "r.user_id = ?", find: find[models.MakeUp]},
	models.LeafMakeUpDecision: {table: "make_up_decisions", join: "l.key_num = r.make_up_id AND l.key_text = ''",
		self: "r.make_up_id IN (SELECT id FROM make_ups WHERE user_id = ?)", find: find[models.MakeUpDecision]},
	models.LeafAbsence: {table: "absences", join: "l.key_num = r.user_id AND l.key_text = r.client_id",
		self: "r.user_id = ?", find: find[models.Absence]},
	models.LeafAbsenceWithdrawal: {table: "absence_withdrawals", join: "l.key_num = r.absence_id AND l.key_text = ''",
		self: "r.absence_id IN (SELECT id FROM absences WHERE user_id = ?)", find: find[models.AbsenceWithdrawal]},
	models.LeafActivity: {table: "activities", join: "l.key_num = r.user_id AND l.key_text = r.client_id",
		self: "r.user_id = ?", find: findActivities},
	models.LeafActivityReview: {table: "activity_reviews", rows: "r.seq = 1", join: "l.key_num = r.activity_id AND l.key_text = ''",
		self: "r.activity_id IN (SELECT id FROM activities WHERE user_id = ?)", find: find[models.ActivityReview]},
	models.LeafContactReveal: {table: "contact_reveals", join: "l.key_num = r.actor_id AND l.key_text = r.ref",
		self: "r.interviewee_id IN (SELECT i.id FROM interviewees i JOIN activities a ON a.id = i.activity_id WHERE a.user_id = ?)",
		find: find[models.ContactReveal]},
	models.LeafSpotCheck: {table: "spot_checks", join: "l.key_num = r.inspector_id AND l.key_text = r.client_id",
		self: "r.inspector_id = ?", find: findSpotChecks},
	models.LeafFinding: {table: "findings", join: "l.key_num = r.inspector_id AND l.key_text = r.client_id",
		self: "r.inspector_id = ?", find: find[models.Finding]},
	models.LeafEscalation: {table: "escalations", join: "l.key_num = r.finding_id AND l.key_text = ''",
		self: "r.inspector_id = ?", find: find[models.Escalation]},
	models.LeafAccessBatch: {table: "access_batches", join: "l.key_num = 0 AND l.key_text = r.ref",
		self: "1 = 0 AND 0 = ?", find: findAccessBatches},
}

// on is k's join of a leaf to its record, limited to the kind's rows.
func (k leafKind) on() string {
	if k.rows == "" {
		return k.join
	}
	return k.join + " AND " + k.rows
}

// find runs q (FROM the kind's table AS r) into the kind's model.
func find[T any, P interface {
	*T
	models.Ledgered
}](q *gorm.DB) ([]models.Ledgered, error) {
	var rows []P
	if err := q.Select("r.*").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]models.Ledgered, len(rows))
	for i, r := range rows {
		out[i] = r
	}
	return out, nil
}

func kindOf(kind models.LeafKind) (leafKind, error) {
	k, ok := leafKinds[kind]
	if !ok {
		return leafKind{}, models.E(models.CodeInvalid, "unknown ledger kind %q", kind)
	}
	return k, nil
}

// LedgerRecord returns the record of kind with database id, for callers
// that may read its leaf (authz.ReadLedger: a cadre its own records, the
// discipline group and admins all). NOT_FOUND for an unknown id or one out
// of reach; FORBIDDEN for a role that reads no leaf.
func (s *Store) LedgerRecord(ctx context.Context, p *authz.Principal, kind models.LeafKind, id int64) (models.Ledgered, error) {
	r, err := reach(p, authz.ReadLedger)
	if err != nil {
		return nil, err
	}
	k, err := kindOf(kind)
	if err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Table(k.table+" r").Where("r.id = ?", id)
	if k.rows != "" {
		q = q.Where(k.rows)
	}
	if r != authz.All {
		q = q.Where(k.self, p.UserID)
	}
	rows, err := k.find(q)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, notFound(string(kind), id)
	}
	return rows[0], nil
}

// LeafRecord is a sequenced leaf with its record as it is now.
type LeafRecord struct {
	LeafRow
	Record models.Ledgered // nil when no record has the leaf's key
}

// allLedger refuses unless p may read every leaf.
func allLedger(p *authz.Principal) error {
	r, err := reach(p, authz.ReadLedger)
	if err == nil && r != authz.All {
		err = models.E(models.CodeForbidden, "only the discipline group and admins read the whole ledger")
	}
	return err
}

// LeavesFrom returns up to limit sequenced leaves from index from on, in
// index order, each with its record read by its natural key; for callers
// that read every leaf (FORBIDDEN otherwise). Paging by index keeps a
// reader of the whole log at one page of memory.
func (s *Store) LeavesFrom(ctx context.Context, p *authz.Principal, from uint64, limit int) ([]LeafRecord, error) {
	if err := allLedger(p); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	rows, err := db.Raw("SELECT id, kind, key_num, key_text, leaf_hash, seq FROM ledger_leaves WHERE seq >= ? ORDER BY seq LIMIT ?",
		int64(from), limit).Rows()
	if err != nil {
		return nil, mapErr(err)
	}
	var out []LeafRecord
	keys := map[models.LeafKind][]any{}
	for rows.Next() {
		var l LeafRecord
		var seq sql.NullInt64
		if err := rows.Scan(&l.ID, &l.Key.Kind, &l.Key.Num, &l.Key.Text, &l.Hash, &seq); err != nil {
			rows.Close()
			return nil, mapErr(err)
		}
		l.Seq = &seq.Int64
		out = append(out, l)
		keys[l.Key.Kind] = append(keys[l.Key.Kind], l.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	found := map[models.LeafKey]models.Ledgered{}
	for kind, ids := range keys {
		k, err := kindOf(kind)
		if err != nil {
			return nil, models.Wrap(models.CodeInternal, err, "a stored leaf of an unknown kind")
		}
		recs, err := k.find(db.Table(k.table+" r").Joins("JOIN ledger_leaves l ON "+k.on()).Where("l.id IN ?", ids))
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			found[r.LeafKey()] = r
		}
	}
	for i := range out {
		out[i].Record = found[out[i].Key]
	}
	return out, nil
}

// RecordsWithoutLeaf returns up to limit records of kind with ids in
// (after, upto] (upto 0: no upper bound) that have no leaf, in id order;
// for callers that read every leaf (FORBIDDEN otherwise).
func (s *Store) RecordsWithoutLeaf(ctx context.Context, p *authz.Principal, kind models.LeafKind, after, upto int64, limit int) ([]models.Ledgered, error) {
	if err := allLedger(p); err != nil {
		return nil, err
	}
	k, err := kindOf(kind)
	if err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Table(k.table+" r").Where("r.id > ?", after)
	if upto > 0 {
		q = q.Where("r.id <= ?", upto)
	}
	if k.rows != "" {
		q = q.Where(k.rows)
	}
	q = q.
		Where("NOT EXISTS (SELECT 1 FROM ledger_leaves l WHERE l.kind = ? AND "+k.join+")", string(kind)).
		Order("r.id").Limit(limit)
	return k.find(q)
}

// LeafKinds returns the ledgered kinds the store reads.
func LeafKinds() []models.LeafKind {
	return []models.LeafKind{models.LeafCheckIn, models.LeafReview, models.LeafSeminar, models.LeafSeminarTalk,
		models.LeafKeyWorkTickOff, models.LeafKeyWorkRuling, models.LeafSummaryVersion, models.LeafSummaryReview,
		models.LeafPolicy, models.LeafRuling, models.LeafActivityRuling, models.LeafMakeUp, models.LeafMakeUpDecision, models.LeafAbsence, models.LeafAbsenceWithdrawal,
		models.LeafActivity, models.LeafActivityReview, models.LeafContactReveal, models.LeafSpotCheck, models.LeafFinding, models.LeafEscalation, models.LeafAccessBatch}
}
