package store

import (
	"database/sql"
	"strings"
	"time"

	"github.com/henan-youth/onsite/models"
)

// The check-in transaction reads its rows with hand-written scans instead
// of GORM's ScanRows, which maps every column to its field by reflection on
// every row, on the goroutine every check-in of a batch waits for. Each
// scan names its columns in a list kept next to the struct it fills;
// TestScanColumnsCoverModels fails when a model gains a column the list
// lacks.

// checkInColumns are the check_ins columns nullCheckIn.dest reads, in its
// order.
var checkInColumns = []string{"id", "user_id", "client_id", "payload_hash", "lat", "lon", "accuracy_m", "coord_system",
	"wgs_lat", "wgs_lon", "altitude", "speed", "provider", "mock_location", "device_id", "device_time", "received_at",
	"occurred_at", "local_date", "offline", "region_id", "region_version", "verdict", "edge_distance_m", "flags",
	"located", "status", "policy_version", "created_at"}

// nullCheckIn is a check_ins row that may be all NULL (an outer join that
// found none).
type nullCheckIn struct {
	id, userID, regionID, regionVersion                    sql.NullInt64
	clientID, payloadHash, coordSystem, provider, deviceID sql.NullString
	localDate, verdict, flags, status, policyVersion       sql.NullString
	lat, lon, accuracyM, wgsLat, wgsLon, altitude, speed   sql.NullFloat64
	edgeDistanceM                                          sql.NullFloat64
	mockLocation, offline                                  sql.NullBool
	deviceTime, receivedAt, occurredAt, createdAt          sql.NullTime
	located                                                models.Located
}

// dest returns the scan destinations in checkInColumns order.
func (n *nullCheckIn) dest() []any {
	return []any{&n.id, &n.userID, &n.clientID, &n.payloadHash, &n.lat, &n.lon, &n.accuracyM, &n.coordSystem,
		&n.wgsLat, &n.wgsLon, &n.altitude, &n.speed, &n.provider, &n.mockLocation, &n.deviceID, &n.deviceTime, &n.receivedAt,
		&n.occurredAt, &n.localDate, &n.offline, &n.regionID, &n.regionVersion, &n.verdict, &n.edgeDistanceM, &n.flags,
		&n.located, &n.status, &n.policyVersion, &n.createdAt}
}

// row returns the check-in, or nil when the row was NULL.
func (n *nullCheckIn) row() *models.CheckIn {
	if !n.id.Valid {
		return nil
	}
	return &models.CheckIn{ID: n.id.Int64, UserID: n.userID.Int64, ClientID: n.clientID.String, PayloadHash: n.payloadHash.String,
		Lat: n.lat.Float64, Lon: n.lon.Float64, AccuracyM: n.accuracyM.Float64, CoordSystem: n.coordSystem.String,
		WGSLat: n.wgsLat.Float64, WGSLon: n.wgsLon.Float64, Altitude: floatPtr(n.altitude), Speed: floatPtr(n.speed),
		Provider: n.provider.String, MockLocation: n.mockLocation.Bool, DeviceID: n.deviceID.String,
		DeviceTime: n.deviceTime.Time, ReceivedAt: n.receivedAt.Time, OccurredAt: n.occurredAt.Time, LocalDate: n.localDate.String,
		Offline: n.offline.Bool, RegionID: intPtr(n.regionID), RegionVersion: int(n.regionVersion.Int64), Verdict: n.verdict.String,
		EdgeDistanceM: n.edgeDistanceM.Float64, Flags: n.flags.String, Located: n.located,
		Status: models.CheckInStatus(n.status.String), PolicyVersion: n.policyVersion.String, CreatedAt: n.createdAt.Time}
}

// insertCheckIns returns the INSERT of rows, every column but id in
// checkInColumns order; a row without CreatedAt gets now, as GORM's
// Create would give it. It is built by hand rather than by a GORM dry run
// because it runs on the goroutine every check-in of a batch waits for.
func insertCheckIns(rows []*models.CheckIn, now time.Time) (string, []any) {
	cols := checkInColumns[1:]
	var q strings.Builder
	q.WriteString("INSERT INTO check_ins (" + strings.Join(cols, ", ") + ") VALUES ")
	one := marks(len(cols))
	args := make([]any, 0, len(cols)*len(rows))
	for i, c := range rows {
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now
		}
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(one)
		args = append(args, c.UserID, c.ClientID, c.PayloadHash, c.Lat, c.Lon, c.AccuracyM, c.CoordSystem,
			c.WGSLat, c.WGSLon, c.Altitude, c.Speed, c.Provider, c.MockLocation, c.DeviceID, c.DeviceTime, c.ReceivedAt,
			c.OccurredAt, c.LocalDate, c.Offline, c.RegionID, c.RegionVersion, c.Verdict, c.EdgeDistanceM, c.Flags,
			c.Located, string(c.Status), c.PolicyVersion, c.CreatedAt)
	}
	return q.String(), args
}

// reviewColumns are the reviews columns nullReview.dest reads, in its order.
var reviewColumns = []string{"id", "check_in_id", "seq", "reviewer_id", "decision", "region_id", "reason", "created_at"}

// nullReview is a reviews row that may be all NULL.
type nullReview struct {
	id, checkInID, seq, reviewerID, regionID sql.NullInt64
	decision, reason                         sql.NullString
	createdAt                                sql.NullTime
}

func (n *nullReview) dest() []any {
	return []any{&n.id, &n.checkInID, &n.seq, &n.reviewerID, &n.decision, &n.regionID, &n.reason, &n.createdAt}
}

// row returns the review, or nil when the row was NULL.
func (n *nullReview) row() *models.Review {
	if !n.id.Valid {
		return nil
	}
	return &models.Review{ID: n.id.Int64, CheckInID: n.checkInID.Int64, Seq: int(n.seq.Int64), ReviewerID: n.reviewerID.Int64,
		Decision: models.ReviewDecision(n.decision.String), RegionID: intPtr(n.regionID), Reason: n.reason.String, CreatedAt: n.createdAt.Time}
}

// dayColumns are the presence_days columns nullDay.dest reads, in its order.
var dayColumns = []string{"id", "user_id", "date", "region_id", "accepted", "first_at", "last_at", "counted", "made_up"}

// nullDay is a presence_days row that may be all NULL.
type nullDay struct {
	id, userID, regionID, accepted sql.NullInt64
	date                           sql.NullString
	firstAt, lastAt                sql.NullTime
	counted, madeUp                sql.NullBool
}

func (n *nullDay) dest() []any {
	return []any{&n.id, &n.userID, &n.date, &n.regionID, &n.accepted, &n.firstAt, &n.lastAt, &n.counted, &n.madeUp}
}

// row returns the day, or nil when the row was NULL.
func (n *nullDay) row() *models.PresenceDay {
	if !n.id.Valid {
		return nil
	}
	return &models.PresenceDay{ID: n.id.Int64, UserID: n.userID.Int64, Date: n.date.String, RegionID: n.regionID.Int64,
		Accepted: int(n.accepted.Int64), FirstAt: n.firstAt.Time, LastAt: n.lastAt.Time, Counted: n.counted.Bool, MadeUp: n.madeUp.Bool}
}

// assignmentColumns are the assignments columns scanAssignment reads, in
// its order.
var assignmentColumns = []string{"id", "user_id", "region_id", "purpose", "work_group_id", "valid_from", "valid_to",
	"created_by", "created_at", "ended_by", "ended_at"}

// scanAssignment reads one row of assignmentColumns.
func scanAssignment(r *sql.Rows) (*models.Assignment, error) {
	var a models.Assignment
	var purpose string
	var created sql.NullTime
	err := r.Scan(&a.ID, &a.UserID, &a.RegionID, &purpose, &a.WorkGroupID, &a.ValidFrom, &a.ValidTo,
		&a.CreatedBy, &created, &a.EndedBy, &a.EndedAt)
	a.Purpose, a.CreatedAt = models.AssignmentPurpose(purpose), created.Time
	return &a, err
}

// columnList returns the columns qualified by table alias t:
// "t.id, t.user_id, ...".
func columnList(t string, cols []string) string {
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t + "." + c)
	}
	return b.String()
}

func floatPtr(n sql.NullFloat64) *float64 {
	if !n.Valid {
		return nil
	}
	return &n.Float64
}

func intPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}
