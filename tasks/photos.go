package tasks

import (
	"bytes"
	"context"
	"io"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/photo"
)

// DefaultMaxPhotoBytes bounds a tick-off photo, as an activity's.
const DefaultMaxPhotoBytes = 8 << 20

// Photo is one uploaded photo of a tick-off.
type Photo struct {
	Filename string
	Open     func() (io.Reader, error)
}

// keepPhotos reads each photo (at most MaxPhotoBytes), checks it by its
// content (JPEG, PNG, HEIC/HEIF; anything else is INVALID whatever its
// name) and stores it content-addressed. A photo stored before its
// tick-off fails to commit stays in the store under its hash, harmless.
func (s *Service) keepPhotos(ctx context.Context, photos []Photo) ([]models.KeyWorkPhoto, error) {
	limit := s.MaxPhotoBytes
	if limit == 0 {
		limit = DefaultMaxPhotoBytes
	}
	out := make([]models.KeyWorkPhoto, 0, len(photos))
	for i, ph := range photos {
		r, err := ph.Open()
		if err != nil {
			return nil, models.Wrap(models.CodeInvalid, err, "a photo could not be read")
		}
		data, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err != nil {
			return nil, models.Wrap(models.CodeInvalid, err, "a photo could not be read")
		}
		if int64(len(data)) > limit {
			return nil, models.E(models.CodeInvalid, "photo %d is larger than %d MiB", i+1, limit>>20)
		}
		meta, err := photo.Inspect(data, s.loc())
		if err != nil {
			return nil, models.E(models.CodeInvalid, "photo %d is not a JPEG, PNG or HEIC image", i+1)
		}
		sha, size, err := s.Blobs.Put(ctx, bytes.NewReader(data), limit)
		if err != nil {
			return nil, err
		}
		row := models.KeyWorkPhoto{Position: i, SHA256: sha, Size: size, ContentType: string(meta.Format)}
		if !meta.Taken.IsZero() {
			t := meta.Taken.UTC()
			row.TakenAt = &t
		}
		out = append(out, row)
	}
	return out, nil
}

// ServePhoto returns the bytes and content type of a tick-off photo p may
// read: in full for supervisors, the discipline group and admins, without
// its GPS position for cadres. NOT_FOUND when p may not see it; INTERNAL
// when the stored bytes no longer match their hash.
func (s *Service) ServePhoto(ctx context.Context, p *authz.Principal, sha string) ([]byte, string, error) {
	row, err := s.Store.KeyWorkPhoto(ctx, p, sha)
	if err != nil {
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
	if r, _ := authz.Check(p, authz.ReadTasks); r == authz.Self {
		if data, err = photo.StripGPS(data); err != nil {
			return nil, "", models.Wrap(models.CodeInternal, err, "stripping GPS from a stored photo")
		}
	}
	return data, row.ContentType, nil
}
