package activity

import (
	"bytes"
	"context"
	"io"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/photo"
	"github.com/henan-youth/onsite/presence"
)

// PhotoPolicy bounds photos and what their EXIF may say.
type PhotoPolicy struct {
	MaxBytes     int64 // per photo
	photo.Policy       // how far and how long from the activity a photo may be taken
}

// DefaultPhotoPolicy is the province's default: 8 MiB a photo, taken within
// 1 km and 6 hours of the activity.
func DefaultPhotoPolicy() PhotoPolicy {
	return PhotoPolicy{MaxBytes: 8 << 20, Policy: photo.DefaultPolicy()}
}

// keptPhoto is a photo stored in the blob store, with what its EXIF says.
type keptPhoto struct {
	row  models.ActivityPhoto
	meta photo.Meta
}

// keepPhotos is step 2: each photo is read (at most MaxBytes), checked by
// its content (JPEG, PNG, HEIC/HEIF; anything else is INVALID whatever its
// name), its EXIF read, and stored content-addressed. A photo stored before
// an activity fails to commit stays in the store under its hash, harmless.
func (s *Service) keepPhotos(ctx context.Context, photos []Photo) ([]keptPhoto, error) {
	out := make([]keptPhoto, 0, len(photos))
	for i, ph := range photos {
		r, err := ph.Open()
		if err != nil {
			return nil, models.Wrap(models.CodeInvalid, err, "a photo could not be read")
		}
		// Read into a buffer of the announced size, when there is one:
		// io.ReadAll's doubling allocated and zeroed twice a photo's bytes.
		buf := bytes.NewBuffer(make([]byte, 0, min(max(ph.Size, 0), s.Photos.MaxBytes)+bytes.MinRead))
		if _, err := buf.ReadFrom(io.LimitReader(r, s.Photos.MaxBytes+1)); err != nil {
			return nil, models.Wrap(models.CodeInvalid, err, "a photo could not be read")
		}
		data := buf.Bytes()
		if int64(len(data)) > s.Photos.MaxBytes {
			return nil, models.E(models.CodeInvalid, "photo %d is larger than %d MiB", i+1, s.Photos.MaxBytes>>20)
		}
		meta, err := photo.Inspect(data, s.Photos.Location)
		if err != nil {
			return nil, models.E(models.CodeInvalid, "photo %d is not a JPEG, PNG or HEIC image", i+1)
		}
		sha, size, err := s.Blobs.Put(ctx, bytes.NewReader(data), s.Photos.MaxBytes)
		if err != nil {
			return nil, err
		}
		kept := keptPhoto{row: models.ActivityPhoto{SHA256: sha, Size: size, ContentType: string(meta.Format)}, meta: meta}
		if !meta.Taken.IsZero() {
			t := meta.Taken.UTC()
			kept.row.TakenAt = &t
		}
		if meta.HasGPS {
			kept.row.GPSLat, kept.row.GPSLon = &meta.Lat, &meta.Lon
		}
		out = append(out, kept)
	}
	return out, nil
}

// photoFlags compares each photo's EXIF position and time with where (in
// WGS-84) and when the activity took place.
func (s *Service) photoFlags(photos []keptPhoto, a *models.Activity) []presence.RaisedFlag {
	var out []presence.RaisedFlag
	for _, ph := range photos {
		for _, f := range photo.Compare(ph.meta, photo.Fix{Lat: a.WGSLat, Lon: a.WGSLon, Time: a.OccurredAt}, s.Photos.Policy) {
			out = append(out, presence.RaisedFlag{Code: presence.Flag(f.Code), Value: f.Value, Limit: f.Limit, Unit: f.Unit, Detail: f.Detail})
		}
	}
	return out
}

// hasPhotoFlag reports whether flags hold a photo's flag: the activity
// then waits for a reviewer, who sees the numbers.
func hasPhotoFlag(flags []presence.RaisedFlag) bool {
	for _, f := range flags {
		if f.Code == presence.FlagPhotoLocation || f.Code == presence.FlagPhotoTime {
			return true
		}
	}
	return false
}

// ServePhoto returns the bytes of photo sha of an activity p may read, and
// its content type: in full (GPS included) for those who review
// activities, without the GPS position for everyone else; a read by
// someone other than the activity's cadre is in its access log first.
// NOT_FOUND when p may not see it; UNAVAILABLE when the read could not be
// logged; INTERNAL when the stored bytes no longer match their hash.
func (s *Service) ServePhoto(ctx context.Context, p *authz.Principal, sha string) ([]byte, string, error) {
	a, row, err := s.Store.PhotoOwner(ctx, p, sha)
	if err != nil {
		return nil, "", err
	}
	if err := s.logRead(ctx, p, a.UserID, models.AccessActivities, "GET /photos"); err != nil {
		return nil, "", err
	}
	rc, _, err := s.Blobs.Get(ctx, sha)
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc) // to the end: the reader reports a corrupt object only there
	if err != nil {
		return nil, "", err
	}
	if _, err := authz.Check(p, authz.ReviewActivity); err != nil {
		if data, err = photo.StripGPS(data); err != nil {
			return nil, "", models.Wrap(models.CodeInternal, err, "stripping GPS from a stored photo")
		}
	}
	return data, row.ContentType, nil
}
