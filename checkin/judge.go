package checkin

import (
	"encoding/json"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
)

// probe is what the store reads the item's prior for.
func (it *item) probe() store.Probe {
	p := store.Probe{UserID: it.p.UserID, ClientID: it.in.ClientID, DeviceTime: it.in.DeviceTime.UTC(),
		WGSLat: it.loc.WGS84[1], WGSLon: it.loc.WGS84[0], AccuracyM: it.in.AccuracyM, LocalDate: it.date}
	for _, c := range it.loc.Candidates {
		p.Regions = append(p.Regions, c.Region.ID)
	}
	return p
}

// judgement is what judge decided for one item: its outcome, and for a new
// row that counts, the regions whose day it adds to.
type judgement struct {
	outcome  outcome
	countsAt []int64
}

// judge decides one item inside the transaction, from its prior and the
// new rows of its cadre earlier in the batch (stored after every row the
// prior saw): a principal whose session a revocation ended (the account is
// disabled, or its auth version moved past the token's) is refused before
// anything else, read under the cadre's lock so that no check-in of a
// disabled cadre is ever accepted; a resend of a stored check-in or of an
// earlier item is answered with that row; otherwise it picks the region,
// raises the flags, decides whether it counts and builds the row. It
// changes nothing but its result, so a batch may be judged again (a failed
// batch is retried item by item).
func (s *Service) judge(it *item, prior store.Prior, earlier []*models.CheckIn) judgement {
	if prior.Disabled || prior.AuthVersion != it.p.AuthVersion {
		return judgement{outcome: outcome{err: authz.SessionEnded()}}
	}
	if c := prior.Stored; c != nil {
		return judgement{outcome: outcome{row: c, replayed: true, review: prior.Review}}
	}
	if c := sentBefore(earlier, it.in.ClientID); c != nil {
		return judgement{outcome: outcome{row: c, replayed: true}}
	}
	if prior.BoundDevice == "" {
		return judgement{outcome: outcome{err: models.E(models.CodeDeviceNotBound, "no bound device; sign in on your phone first")}}
	}
	prev, repeated := withEarlier(prior.Previous, prior.Repeated, earlier, it)
	mine := map[int64]bool{}
	for _, a := range prior.Assignments {
		if a.ActiveOn(it.date) {
			mine[a.RegionID] = true
		}
	}
	chosen := regions.Choose(it.loc, mine)
	facts := presence.Facts{MockLocation: it.in.MockLocation, AccuracyM: it.in.AccuracyM, Lat: it.loc.WGS84[1], Lon: it.loc.WGS84[0],
		DeviceTime: it.in.DeviceTime, ServerTime: it.received, Offline: it.offline, DeviceMatches: prior.BoundDevice == it.p.DeviceID,
		RepeatedFix: repeated}
	if prev != nil {
		facts.Previous = &presence.PrevFix{Lat: prev.WGSLat, Lon: prev.WGSLon, AccuracyM: prev.AccuracyM, DeviceTime: prev.DeviceTime}
	}
	if chosen != nil && !mine[chosen.Region.ID] {
		facts.InsideUnassignedRegion, facts.UnassignedRegion = true, chosen.Region.Name
	}
	flags := presence.EvaluateFlags(facts, s.Policy)
	row := s.newRow(it, flags, chosen)
	placement := presence.Outside
	if chosen != nil {
		placement = presence.Placement(chosen.Verdict)
	}
	j := judgement{outcome: outcome{row: row}}
	if presence.Accepted(placement, flags, s.Policy) {
		row.Status = models.CheckInAccepted
		j.countsAt = CountsAt(row)
	}
	return j
}

// newRow builds the row of a new check-in, PENDING until judge accepts it.
func (s *Service) newRow(it *item, flags []presence.RaisedFlag, chosen *geofence.Candidate) *models.CheckIn {
	raw := []byte("[]")
	if flags != nil {
		raw, _ = json.Marshal(flags) // plain data: cannot fail
	}
	in := it.in
	row := &models.CheckIn{
		UserID: it.p.UserID, ClientID: in.ClientID, PayloadHash: it.hash, Lat: in.Lat, Lon: in.Lon, AccuracyM: in.AccuracyM,
		CoordSystem: string(in.CoordSystem), WGSLat: it.loc.WGS84[1], WGSLon: it.loc.WGS84[0], Altitude: in.Altitude, Speed: in.Speed,
		Provider: in.Provider, MockLocation: in.MockLocation, DeviceID: it.p.DeviceID, DeviceTime: in.DeviceTime.UTC(),
		ReceivedAt: it.received.UTC(), OccurredAt: it.occurred.UTC(), LocalDate: it.date, Offline: it.offline,
		Verdict: string(geofence.Outside), Flags: string(raw), Status: models.CheckInPending, PolicyVersion: s.PolicyVersion,
		Located: make(models.Located, 0, len(it.loc.Candidates)),
	}
	if c := chosen; c != nil {
		row.RegionID, row.RegionVersion, row.Verdict, row.EdgeDistanceM = &c.Region.ID, c.Region.Version, string(c.Verdict), c.EdgeDistanceM
	}
	for _, c := range it.loc.Candidates {
		row.Located = append(row.Located, models.CheckInRegion{RegionID: c.Region.ID, RegionVersion: c.Region.Version,
			Verdict: string(c.Verdict), EdgeDistanceM: c.EdgeDistanceM})
	}
	return row
}

// CountsAt returns the regions whose day a counting check-in adds to: the
// region it is recorded against, and every other region whose accuracy
// circle it lies wholly inside (a campus inside the county, say). Used when
// a check-in is accepted and when a reviewer confirms one; recomputation
// uses it too, so the day table and a rebuild agree.
func CountsAt(c *models.CheckIn) []int64 {
	if c.RegionID == nil {
		return nil
	}
	out := []int64{*c.RegionID}
	for _, r := range c.Located {
		if r.Verdict == string(geofence.Inside) && r.RegionID != *c.RegionID {
			out = append(out, r.RegionID)
		}
	}
	return out
}

// sentBefore returns the row of rows (a cadre's new check-ins earlier in
// the batch) with the given client id, if any: a resend within one sync.
func sentBefore(rows []*models.CheckIn, clientID string) *models.CheckIn {
	for _, c := range rows {
		if c.ClientID == clientID {
			return c
		}
	}
	return nil
}

// withEarlier completes an item's stored prior with its cadre's check-ins
// earlier in the batch, which are stored after every row the prior saw:
// the previous fix is the latest by device time not after the item's, the
// later-stored one winning a tie (as the prior's ORDER BY device_time, id
// does), and an identical earlier fix makes it repeated.
func withEarlier(prev *models.CheckIn, repeated bool, rows []*models.CheckIn, it *item) (*models.CheckIn, bool) {
	at := it.in.DeviceTime
	for _, c := range rows {
		if !c.DeviceTime.After(at) && (prev == nil || !c.DeviceTime.Before(prev.DeviceTime)) {
			prev = c
		}
		if c.WGSLat == it.loc.WGS84[1] && c.WGSLon == it.loc.WGS84[0] && c.AccuracyM == it.in.AccuracyM {
			repeated = true
		}
	}
	return prev, repeated
}

// DecodeFlags reads a stored flag list; a corrupt one is INTERNAL.
func DecodeFlags(raw string) ([]presence.RaisedFlag, error) {
	var flags []presence.RaisedFlag
	if raw == "" {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(raw), &flags); err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "stored flags do not decode")
	}
	return flags, nil
}
