package tasks

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// Bounds of the key-work input.
const (
	MaxItems      = 200 // items of a list created at once
	MaxPhotos     = 9   // photos of a tick-off
	MaxActivities = 50  // activities a tick-off links
)

// ItemInput is a key-work item: what is to be done, to what standard, by
// whom and by when.
type ItemInput struct {
	ClientID string // unique within its list; a resend returns the item added first
	Title    string
	Standard string // 标准要求
	OwnerID  int64  // 职责分工: a user of the list's unit or a unit below it
	Deadline string // 完成期限, YYYY-MM-DD inclusive
}

func (in *ItemInput) validate(field string) error {
	if !models.ValidClientID(in.ClientID) {
		return models.E(models.CodeInvalid, "%s: clientId must be 1–64 letters, digits or -_.:", field)
	}
	return in.validateFields(field)
}

// validateFields checks what an item says, its client id aside.
func (in *ItemInput) validateFields(field string) error {
	if err := text(field+" title", in.Title, 1, 500); err != nil {
		return err
	}
	if err := text(field+" standard", in.Standard, 1, 5000); err != nil {
		return err
	}
	return date(field+" deadline", in.Deadline)
}

func (in *ItemInput) item() *models.KeyWorkItem {
	return &models.KeyWorkItem{ClientID: in.ClientID, Title: in.Title, Standard: in.Standard, OwnerID: in.OwnerID, Deadline: in.Deadline}
}

// ListInput is a key-work list with its first items.
type ListInput struct {
	ClientID  string // unique per creator; a resend returns the list created first
	OrgUnitID int64
	Title     string
	Items     []ItemInput
}

// CreateList creates an org unit's key-work list with its items and tells
// each owner. It returns the list and whether it is the stored original of
// a resend. INVALID for malformed input or an owner outside the unit's
// subtree; FORBIDDEN unless p may write the unit's tasks; CONFLICT when p
// used the client id for another list; UNAVAILABLE when the database fails
// (the outcome is then unknown, and a resend with the same client id is
// always safe).
func (s *Service) CreateList(ctx context.Context, p *authz.Principal, in ListInput) (*models.KeyWorkList, bool, error) {
	if _, err := authz.Check(p, authz.WriteTasks); err != nil {
		return nil, false, err
	}
	if err := clientID(in.ClientID); err != nil {
		return nil, false, err
	}
	if err := text("title", in.Title, 1, 200); err != nil {
		return nil, false, err
	}
	if len(in.Items) > MaxItems {
		return nil, false, models.E(models.CodeInvalid, "at most %d items at once; add the rest one by one", MaxItems)
	}
	now := s.now()
	parts := []string{itoa(in.OrgUnitID), in.Title}
	seen := map[string]bool{}
	var items []*models.KeyWorkItem
	for i := range in.Items {
		it := &in.Items[i]
		if err := it.validate(fmt.Sprintf("item %d", i+1)); err != nil {
			return nil, false, err
		}
		if seen[it.ClientID] {
			return nil, false, models.E(models.CodeInvalid, "item clientId %q is given twice", it.ClientID)
		}
		seen[it.ClientID] = true
		row := it.item()
		row.CreatedAt, row.UpdatedAt = now, now
		items = append(items, row)
		parts = append(parts, it.ClientID, it.Title, it.Standard, itoa(it.OwnerID), it.Deadline)
	}
	l := &models.KeyWorkList{ClientID: in.ClientID, PayloadHash: fingerprint(parts...), OrgUnitID: in.OrgUnitID, Title: in.Title, CreatedAt: now}
	stored, replayed, err := s.Store.CreateKeyWorkList(ctx, p, l, items)
	if err != nil || replayed {
		return stored, replayed, err
	}
	for _, it := range items {
		s.tellOwner(ctx, it)
	}
	return stored, false, nil
}

// tellOwner tells an item's owner it is theirs.
func (s *Service) tellOwner(ctx context.Context, it *models.KeyWorkItem) {
	s.notify(ctx, []int64{it.OwnerID}, KindAssigned, "重点工作："+it.Title,
		fmt.Sprintf("您负责的重点工作「%s」，完成期限 %s，标准要求：%s", it.Title, it.Deadline, it.Standard))
}

// AddItem adds an item to a key-work list and tells its owner. It returns
// the item and whether it is the stored original of a resend. INVALID for
// malformed input or an owner outside the unit's subtree; FORBIDDEN
// unless p may write the list's unit's tasks; NOT_FOUND for an unknown
// list; CONFLICT when the client id names another item of the list.
func (s *Service) AddItem(ctx context.Context, p *authz.Principal, listID int64, in ItemInput) (*models.KeyWorkItem, bool, error) {
	if err := in.validate("item"); err != nil {
		return nil, false, err
	}
	now := s.now()
	row := in.item()
	row.ListID, row.CreatedAt, row.UpdatedAt = listID, now, now
	it, replayed, err := s.Store.AddKeyWorkItem(ctx, p, row)
	if err == nil && !replayed {
		s.tellOwner(ctx, it)
	}
	return it, replayed, err
}

// Revise changes an item's title, standard, owner or deadline, with a
// reason kept in its history, and tells a new owner. INVALID for
// malformed input or an owner outside the unit's subtree; FORBIDDEN unless
// p may write the list's unit's tasks; NOT_FOUND for an unknown item;
// CONFLICT for an item already ticked off.
func (s *Service) Revise(ctx context.Context, p *authz.Principal, itemID int64, in ItemInput, reason string) (*models.KeyWorkItem, error) {
	if err := in.validateFields("item"); err != nil {
		return nil, err
	}
	if err := text("reason", reason, 1, 1000); err != nil {
		return nil, err
	}
	before, err := s.Store.KeyWorkItemsByID(ctx, p, []int64{itemID})
	if err != nil {
		return nil, err
	}
	it, err := s.Store.ReviseKeyWorkItem(ctx, p, &models.KeyWorkChange{ItemID: itemID, Title: in.Title, Standard: in.Standard,
		OwnerID: in.OwnerID, Deadline: in.Deadline, Reason: reason, CreatedAt: s.now()})
	if err == nil && (before[itemID] == nil || before[itemID].OwnerID != it.OwnerID) {
		s.tellOwner(ctx, it)
	}
	return it, err
}

// TickOffInput is an owner's tick-off of an item: a statement of what was
// done against the standard, and the evidence — photos, linked
// activities, or both.
type TickOffInput struct {
	ClientID    string // unique per owner; a resend returns the tick-off stored first
	ItemID      int64
	Statement   string
	ActivityIDs []int64 // the owner's own activities
	Photos      []Photo
}

func (in *TickOffInput) validate() error {
	if err := clientID(in.ClientID); err != nil {
		return err
	}
	if err := text("statement", in.Statement, 1, 5000); err != nil {
		return err
	}
	if len(in.Photos)+len(in.ActivityIDs) == 0 {
		return models.E(models.CodeInvalid, "R10: an item is ticked off with evidence — at least one photo or one linked activity besides the statement")
	}
	if len(in.Photos) > MaxPhotos {
		return models.E(models.CodeInvalid, "at most %d photos", MaxPhotos)
	}
	if len(in.ActivityIDs) > MaxActivities {
		return models.E(models.CodeInvalid, "at most %d linked activities", MaxActivities)
	}
	return nil
}

// TickOff records the owner's tick-off of an item with its evidence (the
// photos kept in the blob store first) and its ledger leaf; the item then
// waits for a supervisor. It returns the tick-off and whether it is the
// stored original of a resend. INVALID for malformed input, no evidence,
// or a photo that is not a JPEG, PNG or HEIC image; FORBIDDEN for an item
// p does not own or an activity not p's; NOT_FOUND for an unknown item;
// CONFLICT when the item is not OPEN or p used the client id for another
// tick-off; UNAVAILABLE when the database fails (the outcome is then
// unknown, and a resend with the same client id is always safe).
func (s *Service) TickOff(ctx context.Context, p *authz.Principal, in TickOffInput) (*models.KeyWorkTickOff, bool, error) {
	if _, err := authz.Check(p, authz.ReportTasks); err != nil {
		return nil, false, err
	}
	if err := in.validate(); err != nil {
		return nil, false, err
	}
	acts := slices.Sorted(slices.Values(in.ActivityIDs))
	acts = slices.Compact(acts)
	photos, err := s.keepPhotos(ctx, in.Photos)
	if err != nil {
		return nil, false, err
	}
	parts := []string{itoa(in.ItemID), in.Statement, joinIDs(acts)}
	for _, ph := range photos {
		parts = append(parts, ph.SHA256)
	}
	t := &models.KeyWorkTickOff{SubmittedBy: p.UserID, ClientID: in.ClientID, PayloadHash: fingerprint(parts...), ItemID: in.ItemID,
		Statement: in.Statement, Activities: joinIDs(acts), CreatedAt: s.now(), Photos: photos}
	leaf, err := ledger.LeafOf(t)
	if err != nil {
		return nil, false, models.Wrap(models.CodeInternal, err, "ledger leaf of a tick-off")
	}
	return s.Store.TickOff(ctx, p, store.NewTickOff{TickOff: t, Activities: acts, Leaf: leaf})
}

// Rule confirms a tick-off (the item is ticked off, 销号) or returns it to
// its owner with a comment, ledgered. It returns the ruling and whether
// it is the stored original of a resend. INVALID for an unknown decision
// or a RETURN without a comment; FORBIDDEN outside p's reach or for one's
// own tick-off; NOT_FOUND for an unknown tick-off; CONFLICT when it is
// ruled on already or is not the one its item waits on.
func (s *Service) Rule(ctx context.Context, p *authz.Principal, tickOffID int64, d models.KeyWorkDecision, comment string) (*models.KeyWorkRuling, bool, error) {
	if _, err := authz.Check(p, authz.WriteTasks); err != nil {
		return nil, false, err
	}
	if d != models.KeyWorkConfirm && d != models.KeyWorkReturn {
		return nil, false, models.E(models.CodeInvalid, "unknown decision %q", d)
	}
	min := 0
	if d == models.KeyWorkReturn {
		min = 1
	}
	if err := text("comment", comment, min, 1000); err != nil {
		return nil, false, err
	}
	r := &models.KeyWorkRuling{TickOffID: tickOffID, DecidedBy: p.UserID, Decision: d, Comment: comment, CreatedAt: s.now()}
	leaf, err := ledger.LeafOf(r)
	if err != nil {
		return nil, false, models.Wrap(models.CodeInternal, err, "ledger leaf of a ruling")
	}
	return s.Store.RuleTickOff(ctx, p, r, leaf)
}

// RemindOverdue tells the owner of every item overdue today (not ticked
// off, its deadline passed) that it is overdue, once per deadline, and
// returns how many it told. An item is claimed before its owner is told,
// so two servers never tell the same owner twice; a notification that
// fails gives the claim up for the next run. Without a Notifier it claims
// nothing. For the scheduler; it acts as the server.
func (s *Service) RemindOverdue(ctx context.Context) (int, error) {
	if s.Notifier == nil {
		return 0, nil
	}
	sys := authz.System("overdue reminders")
	today, told, failed := s.Today(), 0, false
	for !failed {
		items, err := s.Store.ClaimOverdue(ctx, sys, today, 100)
		if err != nil {
			return told, err
		}
		for _, it := range items {
			err := s.Notifier.Notify(ctx, it.OwnerID, KindOverdue, "重点工作逾期："+it.Title,
				fmt.Sprintf("您负责的重点工作「%s」完成期限为 %s，至今未销号。", it.Title, it.Deadline))
			if err != nil {
				s.logger().WarnContext(ctx, "overdue reminder not sent; it is sent again next time", "item", it.ID, "err", err)
				if err := s.Store.UnclaimOverdue(ctx, sys, it.ID); err != nil {
					return told, err
				}
				failed = true // stop here: the same items would be claimed again at once
				continue
			}
			told++
		}
		if len(items) < 100 {
			break
		}
	}
	return told, nil
}

// Late reports whether a tick-off came after its item's deadline (in the
// service's calendar).
func (s *Service) Late(t *models.KeyWorkTickOff, it *models.KeyWorkItem) bool {
	return t.CreatedAt.In(s.loc()).Format("2006-01-02") > it.Deadline
}

// ActivityIDs reads a tick-off's linked activities.
func ActivityIDs(t *models.KeyWorkTickOff) []int64 {
	var out []int64
	for _, part := range strings.Split(t.Activities, ",") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// joinIDs writes ids comma-separated.
func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = itoa(id)
	}
	return strings.Join(parts, ",")
}
