package graph

import (
	"encoding/base64"

	"github.com/henan-youth/onsite/evidencelog"
	"github.com/henan-youth/onsite/graph/model"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
)

// leafKinds maps the GraphQL ledger kinds to the ledger's.
var leafKinds = map[model.LedgerKind]models.LeafKind{
	model.LedgerKindSeminar:           models.LeafSeminar,
	model.LedgerKindSeminarTalk:       models.LeafSeminarTalk,
	model.LedgerKindKeyworkTickoff:    models.LeafKeyWorkTickOff,
	model.LedgerKindKeyworkRuling:     models.LeafKeyWorkRuling,
	model.LedgerKindSummaryVersion:    models.LeafSummaryVersion,
	model.LedgerKindSummaryReview:     models.LeafSummaryReview,
	model.LedgerKindPolicy:            models.LeafPolicy,
	model.LedgerKindCheckIn:           models.LeafCheckIn,
	model.LedgerKindReview:            models.LeafReview,
	model.LedgerKindRuling:            models.LeafRuling,
	model.LedgerKindActivityRuling:    models.LeafActivityRuling,
	model.LedgerKindMakeUp:            models.LeafMakeUp,
	model.LedgerKindMakeUpDecision:    models.LeafMakeUpDecision,
	model.LedgerKindAbsence:           models.LeafAbsence,
	model.LedgerKindAbsenceWithdrawal: models.LeafAbsenceWithdrawal,
	model.LedgerKindActivity:          models.LeafActivity,
	model.LedgerKindActivityReview:    models.LeafActivityReview,
	model.LedgerKindContactReveal:     models.LeafContactReveal,
	model.LedgerKindSpotCheck:         models.LeafSpotCheck,
	model.LedgerKindFinding:           models.LeafFinding,
	model.LedgerKindEscalation:        models.LeafEscalation,
	model.LedgerKindAccessBatch:       models.LeafAccessBatch,
}

// ledgerKind is the GraphQL kind of k.
func ledgerKind(k models.LeafKind) model.LedgerKind {
	for g, l := range leafKinds {
		if l == k {
			return g
		}
	}
	return model.LedgerKind(k)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func b64s(hashes [][]byte) []string {
	out := make([]string, len(hashes))
	for i, h := range hashes {
		out[i] = b64(h)
	}
	return out
}

// toTreeSize reads an optional tree size argument: INVALID when negative.
func toTreeSize(n *int) (*uint64, error) {
	if n == nil {
		return nil, nil
	}
	if *n < 0 {
		return nil, models.E(models.CodeInvalid, "a tree size is not negative")
	}
	u := uint64(*n)
	return &u, nil
}

func inclusionProof(p *evidencelog.InclusionProof) *model.InclusionProof {
	return &model.InclusionProof{Index: int(p.Index), TreeSize: int(p.TreeSize), LeafHash: b64(p.LeafHash), Hashes: b64s(p.Hashes)}
}

func ledgerCheckpoint(cp *ledger.Checkpoint) *model.LedgerCheckpoint {
	return &model.LedgerCheckpoint{Origin: cp.Origin, Size: int(cp.Size), RootHash: b64(cp.Root), Note: string(cp.Note)}
}
