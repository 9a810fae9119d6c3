package inspect

import (
	"context"
	"io"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/photo"
)

// maxPhotoBytes bounds what is read of one stored photo (the upload limit
// is lower).
const maxPhotoBytes = 32 << 20

// HashPhotos gives up to limit stored photos that have none their
// perceptual hash (photo.PerceptualHash; none for HEIC), one at a time,
// and returns how many it hashed. A photo missing from the blob store is
// skipped (logged) and tried again next time. It fails when the database
// does.
func (s *Service) HashPhotos(ctx context.Context, limit int) (int, error) {
	sys := authz.System("photo hashes")
	shas, err := s.Store.PhotosToHash(ctx, sys, limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sha := range shas {
		data, err := s.readPhoto(ctx, sha)
		if err != nil {
			if s.Log != nil {
				s.Log.Warn("photo hashes: a stored photo could not be read", "sha256", sha, "err", err)
			}
			continue
		}
		h := &models.PhotoHash{SHA256: sha, HashedAt: s.now()}
		if v, ok := photo.PerceptualHash(data); ok {
			bits := int64(v)
			h.PHash = &bits
		}
		if err := s.Store.SavePhotoHash(ctx, sys, h); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (s *Service) readPhoto(ctx context.Context, sha string) ([]byte, error) {
	rc, _, err := s.Blobs.Get(ctx, sha)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, maxPhotoBytes))
}
