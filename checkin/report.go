package checkin

import (
	"context"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// QuarterPresence is a cadre's quarter: on-site days at every region, and
// trips. Its rules' verdicts (R2 among them) are package verdict's.
type QuarterPresence struct {
	UserID   int64 // whose quarter it is
	Quarter  compliance.Quarter
	CountyID *int64 // the latest DISPATCH county overlapping the quarter
	Days     []*models.PresenceDay
	Trips    []presence.Trip
}

// Quarter reports userID's quarter q of year, read from the day table (no
// raw check-ins are scanned). Callers see only cadres they may read
// (NOT_FOUND otherwise); a bad quarter is INVALID.
func (s *Service) Quarter(ctx context.Context, p *authz.Principal, userID int64, year, q int) (*QuarterPresence, error) {
	qt := compliance.Quarter{Year: year, Q: q}
	if !qt.Valid() {
		return nil, models.E(models.CodeInvalid, "quarter must be 1–4 of a year between 2000 and 2100")
	}
	first, last := qt.FirstDate().String(), qt.LastDate().String()
	days, err := s.Store.Days(ctx, p, userID, first, last)
	if err != nil {
		return nil, err
	}
	stats := make([]presence.DayStat, len(days))
	for i, d := range days {
		stats[i] = presence.StatOf(*d)
	}
	out := &QuarterPresence{UserID: userID, Quarter: qt, Days: days, Trips: presence.Trips(stats, s.Policy)}
	county, err := s.Store.DispatchCountyIn(ctx, p, userID, first, last)
	if models.CodeOf(err) == models.CodeNotFound {
		return out, nil
	} else if err != nil {
		return nil, err
	}
	out.CountyID = &county.RegionID
	return out, nil
}
