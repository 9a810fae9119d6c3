package photo

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"

	"github.com/corona10/goimagehash"
)

// maxHashPixels bounds the images PerceptualHash decodes: a photo within
// the upload limit that declares more pixels than a phone camera takes is
// not decoded (a decompression bomb).
const maxHashPixels = 50_000_000

// PerceptualHash returns the 64-bit DCT perceptual hash (pHash, as
// github.com/corona10/goimagehash computes it) of a JPEG or PNG photo:
// near-identical images — re-encoded, resized, lightly edited — hash a
// few bits apart. ok is false for formats it does not decode (HEIC), for
// images over 50 megapixels and for bytes that do not decode.
func PerceptualHash(data []byte) (hash uint64, ok bool) {
	f, err := Sniff(data)
	if err != nil {
		return 0, false
	}
	var decode func([]byte) (image.Image, error)
	var config func([]byte) (image.Config, error)
	switch f {
	case JPEG:
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
	case PNG:
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
	default:
		return 0, false
	}
	c, err := config(data)
	if err != nil || c.Width <= 0 || c.Height <= 0 || int64(c.Width)*int64(c.Height) > maxHashPixels {
		return 0, false
	}
	img, err := decode(data)
	if err != nil {
		return 0, false
	}
	h, err := goimagehash.PerceptionHash(img)
	if err != nil {
		return 0, false
	}
	return h.GetHash(), true
}
