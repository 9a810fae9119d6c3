package evidencelog

import (
	"context"
	"io"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// walkPage is how many leaves or records one read of a walk takes: the
// walk's memory, whatever the log's size.
const walkPage = 1000

// walk calls leaf with every sequenced leaf in index order, its record's
// canonical bytes recomputed from the record as it is now, then orphan
// with every record that has no leaf. p must read every leaf.
func (s *Service) walk(ctx context.Context, p *authz.Principal, leaf func(ledger.Entry) error, orphan func(models.Ledgered, []byte) error) error {
	for from := uint64(0); ; {
		page, err := s.Store.LeavesFrom(ctx, p, from, walkPage)
		if err != nil {
			return err
		}
		for _, l := range page {
			e := ledger.Entry{Index: uint64(*l.Seq), Key: l.Key, Stored: l.Hash}
			if l.Record != nil {
				e.ID = l.Record.RecordID()
				if e.Record, err = ledger.Canonical(l.Record); err != nil {
					return models.Wrap(models.CodeInternal, err, "canonical bytes")
				}
			}
			if err := leaf(e); err != nil {
				return err
			}
		}
		if len(page) < walkPage {
			break
		}
		from = uint64(*page[len(page)-1].Seq) + 1
	}
	for _, kind := range store.LeafKinds() {
		for after := int64(0); ; {
			recs, err := s.Store.RecordsWithoutLeaf(ctx, p, kind, after, 0, walkPage)
			if err != nil {
				return err
			}
			for _, r := range recs {
				b, err := ledger.Canonical(r)
				if err != nil {
					return models.Wrap(models.CodeInternal, err, "canonical bytes")
				}
				if err := orphan(r, b); err != nil {
					return err
				}
			}
			if len(recs) < walkPage {
				break
			}
			after = recs[len(recs)-1].RecordID()
		}
	}
	return nil
}

// Export writes every sequenced leaf in index order with its record's
// canonical bytes, then every record without a leaf (ledger.ExportLine),
// and returns how many of each it wrote; for callers that read every leaf
// (FORBIDDEN otherwise). Records are read as they are now: an export is
// what a verifier checks against checkpoints held elsewhere.
func (s *Service) Export(ctx context.Context, p *authz.Principal, w io.Writer) (leaves, orphans int, err error) {
	ew, err := ledger.NewExportWriter(w)
	if err != nil {
		return 0, 0, err
	}
	err = s.walk(ctx, p, func(e ledger.Entry) error {
		leaves++
		return ew.Write(&ledger.ExportLine{Index: int64(e.Index), Kind: e.Key.Kind, Num: e.Key.Num, Text: e.Key.Text, ID: e.ID, Leaf: e.Stored, Record: e.Record})
	}, func(r models.Ledgered, b []byte) error {
		orphans++
		k := r.LeafKey()
		return ew.Write(&ledger.ExportLine{Index: -1, Kind: k.Kind, Num: k.Num, Text: k.Text, ID: r.RecordID(), Record: b})
	})
	if err != nil {
		return leaves, orphans, err
	}
	return leaves, orphans, ew.Flush()
}

// Verify recomputes the log from the records in the database and checks
// it against held checkpoints, reporting each problem as it is found; for
// callers that read every leaf (FORBIDDEN otherwise).
func (s *Service) Verify(ctx context.Context, p *authz.Principal, held []*ledger.Checkpoint, report func(ledger.Problem)) (ledger.Result, error) {
	v := ledger.NewVerifier(held, report)
	return s.VerifyWith(ctx, p, v, v.Add)
}

// VerifyWith is Verify into a verifier of the caller's, each leaf passed
// to add (which adds it to v, and may compare it with more).
func (s *Service) VerifyWith(ctx context.Context, p *authz.Principal, v *ledger.Verifier, add func(ledger.Entry) error) (ledger.Result, error) {
	err := s.walk(ctx, p, add, func(r models.Ledgered, _ []byte) error {
		v.Unledgered(r.LeafKey(), r.RecordID())
		return nil
	})
	return v.Finish(), err
}
