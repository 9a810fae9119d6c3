package checkin

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"time"

	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
)

// Input is one check-in as the phone sends it.
type Input struct {
	ClientID     string // client-generated, unique per cadre (a UUID)
	Lat, Lon     float64
	AccuracyM    float64
	CoordSystem  geofence.Datum
	DeviceTime   time.Time
	MockLocation bool
	Altitude     *float64
	Speed        *float64
	Provider     string
}

// MaxAccuracyM bounds the accuracy a phone may report; larger is nonsense.
const MaxAccuracyM = 100_000

// Validate checks step 1 of the pipeline. Every problem is INVALID with a
// message naming the field; nothing is stored for an invalid input.
func (in *Input) Validate() error {
	switch {
	case !models.ValidClientID(in.ClientID):
		return models.E(models.CodeInvalid, "clientId must be 1–64 letters, digits, '-', '_', '.' or ':' (a UUID)")
	case !finite(in.Lat) || in.Lat < -90 || in.Lat > 90:
		return models.E(models.CodeInvalid, "lat must be a finite number between -90 and 90, got %v", in.Lat)
	case !finite(in.Lon) || in.Lon < -180 || in.Lon > 180:
		return models.E(models.CodeInvalid, "lon must be a finite number between -180 and 180, got %v", in.Lon)
	case !finite(in.AccuracyM) || in.AccuracyM < 0 || in.AccuracyM > MaxAccuracyM:
		return models.E(models.CodeInvalid, "accuracy must be between 0 and %d metres, got %v", MaxAccuracyM, in.AccuracyM)
	case !in.CoordSystem.Valid():
		return models.E(models.CodeInvalid, "coordSystem must be WGS84, GCJ02 or BD09")
	case in.DeviceTime.IsZero() || in.DeviceTime.Year() < 2000 || in.DeviceTime.Year() > 2100:
		return models.E(models.CodeInvalid, "deviceTime is missing or not a plausible time")
	case in.Altitude != nil && !finite(*in.Altitude), in.Speed != nil && !finite(*in.Speed):
		return models.E(models.CodeInvalid, "altitude and speed must be finite numbers")
	case len(in.Provider) > 32:
		return models.E(models.CodeInvalid, "provider must be at most 32 characters")
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// PayloadHash fingerprints everything the phone said about the fix, so a
// retry with the same clientId can be told from a different check-in
// reusing it. Whether it came live or through the offline queue is not part
// of the payload: a live request that timed out may be retried from the
// queue.
func (in *Input) PayloadHash() string {
	opt := func(f *float64) string {
		if f == nil {
			return "-"
		}
		return fmt.Sprint(*f)
	}
	s := fmt.Sprintf("%s|%v|%v|%v|%s|%d|%t|%s|%s|%s", in.ClientID, in.Lat, in.Lon, in.AccuracyM, in.CoordSystem,
		in.DeviceTime.UnixNano(), in.MockLocation, opt(in.Altitude), opt(in.Speed), in.Provider)
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
