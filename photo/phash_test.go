package photo

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	pngenc "image/png"
	"math/bits"
	"testing"

	"github.com/henan-youth/onsite/internal/testimage"
)

// TestPerceptualHash: the same picture as JPEG (with or without EXIF) and
// as PNG hashes a few bits apart; another picture far; HEIC and bytes
// that are no image are not hashed.
func TestPerceptualHash(t *testing.T) {
	hash := func(name string, data []byte) uint64 {
		h, ok := PerceptualHash(data)
		if !ok {
			t.Fatalf("%s: not hashed", name)
		}
		return h
	}
	plain := hash("jpeg", testimage.JPEG(t, nil))
	exif := hash("jpeg with exif", testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{Taken: "2026:03:02 10:00:00"})))
	scene := blocks(1)
	var jpg, png bytes.Buffer
	if err := jpeg.Encode(&jpg, scene, &jpeg.Options{Quality: 75}); err != nil {
		t.Fatal(err)
	}
	if err := pngenc.Encode(&png, scene); err != nil {
		t.Fatal(err)
	}
	var other bytes.Buffer
	if err := jpeg.Encode(&other, blocks(2), nil); err != nil {
		t.Fatal(err)
	}
	sceneJPEG, scenePNG, far := hash("scene as jpeg", jpg.Bytes()), hash("scene as png", png.Bytes()), hash("another scene", other.Bytes())
	for _, c := range []struct {
		name    string
		a, b    uint64
		maxBits int
		minBits int
	}{
		{"EXIF added", plain, exif, 0, 0},
		{"the same scene as JPEG and PNG", sceneJPEG, scenePNG, 4, 0},
		{"another scene", sceneJPEG, far, 64, 10},
	} {
		d := bits.OnesCount64(c.a ^ c.b)
		if d > c.maxBits || d < c.minBits {
			t.Errorf("%s: %d bits apart, want %d–%d", c.name, d, c.minBits, c.maxBits)
		}
	}
	for name, data := range map[string][]byte{"heic": testimage.HEIC(nil, "heic"), "text": []byte("not an image"),
		"truncated jpeg": testimage.JPEG(t, nil)[:200]} {
		if _, ok := PerceptualHash(data); ok {
			t.Errorf("%s: hashed", name)
		}
	}
}

// blocks is a 160×120 scene of 20-pixel blocks of grey levels drawn from
// seed: structure a photo has and a gradient lacks.
func blocks(seed uint32) image.Image {
	img := image.NewGray(image.Rect(0, 0, 160, 120))
	x := seed
	for by := range 6 {
		for bx := range 8 {
			x = x*1664525 + 1013904223
			level := color.Gray{Y: uint8(x >> 24)}
			for y := by * 20; y < by*20+20; y++ {
				for xx := bx * 20; xx < bx*20+20; xx++ {
					img.SetGray(xx, y, level)
				}
			}
		}
	}
	return img
}
