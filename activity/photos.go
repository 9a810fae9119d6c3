package activity

import (
	"context"
	"time"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// PhotoPolicy bounds photos and what their EXIF may say.
type PhotoPolicy struct {
	MaxBytes     int64         // per photo
	MaxDistanceM float64       // from the activity's fix
	MaxTimeDiff  time.Duration // from the activity's time
}

// DefaultPhotoPolicy is the province's default: 8 MiB a photo, taken within
// 1 km and 6 hours of the activity.
func DefaultPhotoPolicy() PhotoPolicy {
	return PhotoPolicy{MaxBytes: 8 << 20, MaxDistanceM: 1000, MaxTimeDiff: 6 * time.Hour}
}

// keptPhoto is a photo stored in the blob store, with the flags its EXIF
// raised.
type keptPhoto struct {
	row   models.ActivityPhoto
	flags []presence.RaisedFlag
}

// keepPhotos: placeholder until the photo package lands.
func (s *Service) keepPhotos(ctx context.Context, photos []Photo, fix orb.Point, at time.Time) ([]keptPhoto, error) {
	if len(photos) > 0 {
		return nil, models.E(models.CodeInvalid, "photos are not accepted yet")
	}
	return nil, nil
}

// hasPhotoFlag reports whether flags hold a photo's flag.
func hasPhotoFlag(flags []presence.RaisedFlag) bool { return false }
