package inspect

import (
	"context"
	"slices"

	"github.com/henan-youth/onsite/anomaly"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/store"
)

// MaxAnomalyDays bounds the period the detectors read.
const MaxAnomalyDays = 366

// Scope is the cadres and period the detectors look at.
type Scope struct {
	OrgUnitID *int64 // cadres of this unit's subtree; every cadre when nil
	From, To  string // dates, Asia/Shanghai
}

// Risks runs every detector over the stored evidence of the scope and
// returns each cadre with anomalies or earlier discrepancies, ranked by
// risk (anomaly.Rank), highest first: what to sample next. INVALID for a bad period; FORBIDDEN for anyone
// but the discipline group; NOT_FOUND for an unknown unit.
func (s *Service) Risks(ctx context.Context, p *authz.Principal, sc Scope) ([]anomaly.Risk, error) {
	if _, err := authz.Check(p, authz.ReadInspections); err != nil {
		return nil, err
	}
	if err := period(sc.From, sc.To, MaxAnomalyDays); err != nil {
		return nil, err
	}
	facts, err := s.Store.CadreFacts(ctx, p, sc.OrgUnitID, sc.From, sc.To)
	if err != nil {
		return nil, err
	}
	cadres := cadresOf(facts)
	var found []anomaly.Anomaly
	for _, id := range facts.Cadres {
		found = append(found, anomaly.Detect(*cadres[id], s.Rules)...)
	}
	found = append(found, anomaly.MakeUpsAboveNorm(facts.MakeUps, facts.UnitOf, s.Rules)...)
	var photos []anomaly.Photo
	for _, ph := range facts.Photos {
		a := anomaly.Photo{UserID: ph.UserID, ActivityID: ph.ActivityID, SHA256: ph.SHA256}
		if ph.PHash != nil {
			h := uint64(*ph.PHash)
			a.PHash = &h
		}
		photos = append(photos, a)
	}
	for _, a := range anomaly.Reused(photos, s.Rules) {
		if _, inScope := facts.UnitOf[a.UserID]; inScope {
			found = append(found, a)
		}
	}
	return anomaly.Rank(found, facts.Discrepancies, s.Rules), nil
}

// cadresOf groups the facts by cadre.
func cadresOf(f *store.CadreFacts) map[int64]*anomaly.Cadre {
	out := make(map[int64]*anomaly.Cadre, len(f.Cadres))
	for _, id := range f.Cadres {
		out[id] = &anomaly.Cadre{UserID: id}
	}
	for _, x := range f.Fixes {
		if c := out[x.UserID]; c != nil {
			c.Fixes = append(c.Fixes, anomaly.Fix{CheckInID: x.ID, Date: x.LocalDate, WGSLat: x.WGSLat, WGSLon: x.WGSLon,
				AccuracyM: x.AccuracyM, Verdict: x.Verdict, EdgeDistanceM: x.EdgeDistanceM})
		}
	}
	for _, d := range f.Days {
		if c := out[d.UserID]; c != nil {
			c.Days = append(c.Days, anomaly.Day{Date: d.Date, First: d.FirstAt, Last: d.LastAt, Counted: d.Counted})
		}
	}
	for _, d := range f.Devices {
		if c := out[d.UserID]; c != nil && !slices.ContainsFunc(c.Devices, func(x anomaly.Device) bool { return x.DeviceID == d.DeviceID }) {
			c.Devices = append(c.Devices, anomaly.Device{DeviceID: d.DeviceID, RequestedAt: d.RequestedAt})
		}
	}
	for _, a := range f.Activities {
		if c := out[a.UserID]; c != nil {
			c.Activities = append(c.Activities, anomaly.Activity{ID: a.ID, OccurredAt: a.OccurredAt})
		}
	}
	return out
}

// CadreRisk is Risks for one cadre over a period: its anomalies and score,
// a zero Risk when it has none. The refusals of Risks; NOT_FOUND for an
// unknown user.
func (s *Service) CadreRisk(ctx context.Context, p *authz.Principal, userID int64, from, to string) (*anomaly.Risk, error) {
	u, err := s.Store.User(ctx, p, userID)
	if err != nil {
		return nil, err
	}
	risks, err := s.Risks(ctx, p, Scope{OrgUnitID: &u.OrgUnitID, From: from, To: to})
	if err != nil {
		return nil, err
	}
	for _, r := range risks {
		if r.UserID == userID {
			return &r, nil
		}
	}
	return &anomaly.Risk{UserID: userID}, nil
}
