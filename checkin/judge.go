package checkin

import (
	"encoding/json"
	"time"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
)

// judgement carries one check-in through the recording transaction.
type judgement struct {
	svc      *Service
	in       *Input
	p        *auth.Principal
	facts    presence.Facts
	occurred time.Time
	date     string
	hash     string

	located  geofence.Result
	chosen   *geofence.Candidate // the region it is recorded against; nil when outside all
	assigned bool
}

// pick chooses the region a check-in is recorded against (regions.Choose,
// preferring the cadre's assignments on that date) and whether it is one of
// them (NOT_ASSIGNED otherwise).
func (j *judgement) pick(assignments []*models.Assignment) {
	mine := map[int64]bool{}
	for _, a := range assignments {
		mine[a.RegionID] = true
	}
	j.chosen = regions.Choose(j.located, mine)
	if j.chosen != nil {
		j.assigned = mine[j.chosen.Region.ID]
		j.facts.InsideUnassignedRegion = !j.assigned
		j.facts.UnassignedRegion = j.chosen.Region.Name
	}
}

// judge runs inside the transaction with the prior facts: it picks the
// region, raises the flags, decides whether the check-in counts and builds
// the rows. It may run more than once (a failed batch is retried item by
// item), so it changes nothing outside its result.
func (j judgement) judge(prior store.Prior) (*store.NewCheckIn, error) {
	j.pick(prior.Assignments)
	f := j.facts
	if prior.BoundDevice == "" {
		return nil, models.E(models.CodeDeviceNotBound, "no bound device; sign in on your phone first")
	}
	f.DeviceMatches = prior.BoundDevice == j.p.DeviceID
	if prev := prior.Previous; prev != nil {
		f.Previous = &presence.PrevFix{Lat: prev.WGSLat, Lon: prev.WGSLon, AccuracyM: prev.AccuracyM, DeviceTime: prev.DeviceTime}
	}
	f.RepeatedFix = prior.Repeated
	flags := presence.EvaluateFlags(f, j.svc.Policy)
	raw, err := json.Marshal(flags)
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "flags do not encode")
	}
	if flags == nil {
		raw = []byte("[]")
	}
	in := j.in
	row := &models.CheckIn{
		UserID: j.p.UserID, ClientID: in.ClientID, PayloadHash: j.hash, Lat: in.Lat, Lon: in.Lon, AccuracyM: in.AccuracyM,
		CoordSystem: string(in.CoordSystem), WGSLat: f.Lat, WGSLon: f.Lon, Altitude: in.Altitude, Speed: in.Speed,
		Provider: in.Provider, MockLocation: in.MockLocation, DeviceID: j.p.DeviceID, DeviceTime: in.DeviceTime.UTC(),
		ReceivedAt: f.ServerTime.UTC(), OccurredAt: j.occurred.UTC(), LocalDate: j.date, Offline: f.Offline,
		Verdict: string(geofence.Outside), Flags: string(raw), Status: models.CheckInPending, PolicyVersion: j.svc.PolicyVersion,
	}
	placement := presence.Outside
	if c := j.chosen; c != nil {
		row.RegionID, row.RegionVersion, row.Verdict, row.EdgeDistanceM = &c.Region.ID, c.Region.Version, string(c.Verdict), c.EdgeDistanceM
		placement = presence.Placement(c.Verdict)
	}
	row.Located = make(models.Located, 0, len(j.located.Candidates))
	for _, c := range j.located.Candidates {
		row.Located = append(row.Located, models.CheckInRegion{RegionID: c.Region.ID, RegionVersion: c.Region.Version,
			Verdict: string(c.Verdict), EdgeDistanceM: c.EdgeDistanceM})
	}
	n := &store.NewCheckIn{Row: row}
	if presence.Accepted(placement, flags, j.svc.Policy) {
		row.Status = models.CheckInAccepted
		n.CountsAt = CountsAt(row, row.Located)
	}
	return n, nil
}

// CountsAt returns the regions whose day a counting check-in adds to: the
// region it is recorded against, and every other region whose accuracy
// circle it lies wholly inside (a campus inside the county, say). Used when
// a check-in is accepted and when a reviewer confirms one; recomputation
// uses it too, so the day table and a rebuild agree.
func CountsAt(c *models.CheckIn, located []models.CheckInRegion) []int64 {
	if c.RegionID == nil {
		return nil
	}
	out := []int64{*c.RegionID}
	for _, r := range located {
		if r.Verdict == string(geofence.Inside) && r.RegionID != *c.RegionID {
			out = append(out, r.RegionID)
		}
	}
	return out
}
