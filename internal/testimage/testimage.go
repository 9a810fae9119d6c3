// Package testimage makes real image bytes for tests: pixels by Go's
// encoders, EXIF by go-exif's builder, assembled into JPEG APP1 segments,
// PNG eXIf chunks and a minimal HEIF container.
package testimage

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"

	exif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"
)

// exifHeader starts an EXIF block in a JPEG APP1 segment or a HEIF item.
var exifHeader = []byte("Exif\x00\x00")

// EXIF says what TIFF writes; empty fields are left out.
type EXIF struct {
	GPS        bool
	Lat, Lon   float64
	Taken      string // DateTimeOriginal, "2006:01:02 15:04:05"
	Offset     string // OffsetTimeOriginal, "+08:00"
	GPSDate    string // GPSDateStamp, "2006:01:02"
	GPSH, GPSM int    // GPSTimeStamp hours and minutes (UTC), with GPSDate
}

// TIFF returns a TIFF structure (header included) with the tags of s.
func TIFF(t testing.TB, s EXIF) []byte {
	t.Helper()
	im, err := exifcommon.NewIfdMappingWithStandard()
	if err != nil {
		t.Fatal(err)
	}
	ti := exif.NewTagIndex()
	root := exif.NewIfdBuilder(im, ti, exifcommon.IfdStandardIfdIdentity, exifcommon.EncodeDefaultByteOrder)
	must(t, root.AddStandardWithName("Make", "onsite-test"))
	if s.Taken != "" {
		ib, err := exif.GetOrCreateIbFromRootIb(root, "IFD/Exif")
		must(t, err)
		must(t, ib.AddStandardWithName("DateTimeOriginal", s.Taken))
		if s.Offset != "" {
			must(t, ib.AddStandardWithName("OffsetTimeOriginal", s.Offset))
		}
	}
	if s.GPS {
		ib, err := exif.GetOrCreateIbFromRootIb(root, "IFD/GPSInfo")
		must(t, err)
		must(t, ib.AddStandardWithName("GPSVersionID", []uint8{2, 2, 0, 0}))
		must(t, ib.AddStandardWithName("GPSLatitudeRef", hemisphere(s.Lat, "N", "S")))
		must(t, ib.AddStandardWithName("GPSLatitude", dms(s.Lat)))
		must(t, ib.AddStandardWithName("GPSLongitudeRef", hemisphere(s.Lon, "E", "W")))
		must(t, ib.AddStandardWithName("GPSLongitude", dms(s.Lon)))
		if s.GPSDate != "" {
			must(t, ib.AddStandardWithName("GPSDateStamp", s.GPSDate))
			must(t, ib.AddStandardWithName("GPSTimeStamp", []exifcommon.Rational{
				{Numerator: uint32(s.GPSH), Denominator: 1}, {Numerator: uint32(s.GPSM), Denominator: 1}, {Numerator: 0, Denominator: 1},
			}))
		}
	}
	out, err := exif.NewIfdByteEncoder().EncodeToExif(root)
	must(t, err)
	return out
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func hemisphere(v float64, pos, neg string) string {
	if v < 0 {
		return neg
	}
	return pos
}

// dms returns |deg| as EXIF degrees, minutes and seconds (to 1/1000 s).
func dms(deg float64) []exifcommon.Rational {
	deg = math.Abs(deg)
	d := math.Floor(deg)
	m := math.Floor((deg - d) * 60)
	s := ((deg-d)*60 - m) * 60
	return []exifcommon.Rational{
		{Numerator: uint32(d), Denominator: 1},
		{Numerator: uint32(m), Denominator: 1},
		{Numerator: uint32(math.Round(s * 1000)), Denominator: 1000},
	}
}

// picture returns a small image with a gradient, so that encoders have
// something to compress.
func picture() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(4 * x), uint8(5 * y), 128, 255})
		}
	}
	return img
}

// JPEG returns a JPEG of picture() with, after SOI, an APP1 EXIF segment
// holding tiff (none when nil) and then the extra segments given, each
// complete with marker and length.
func JPEG(t testing.TB, tiff []byte, extra ...[]byte) []byte {
	t.Helper()
	var enc bytes.Buffer
	must(t, jpeg.Encode(&enc, picture(), &jpeg.Options{Quality: 90}))
	raw := enc.Bytes()
	out := append([]byte(nil), raw[:2]...) // SOI
	if tiff != nil {
		out = append(out, JPEGSegment(0xE1, append(append([]byte(nil), exifHeader...), tiff...))...)
	}
	for _, e := range extra {
		out = append(out, e...)
	}
	return append(out, raw[2:]...)
}

// JPEGSegment returns a marker segment with payload.
func JPEGSegment(marker byte, payload []byte) []byte {
	out := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(out[2:], uint16(len(payload)+2))
	return append(out, payload...)
}

// PNG returns a PNG of picture() with the given chunks (type, data)
// inserted after IHDR.
func PNG(t testing.TB, chunks ...[2][]byte) []byte {
	t.Helper()
	var enc bytes.Buffer
	must(t, png.Encode(&enc, picture()))
	raw := enc.Bytes()
	ihdrEnd := 8 + 12 + int(binary.BigEndian.Uint32(raw[8:]))
	out := append([]byte(nil), raw[:ihdrEnd]...)
	for _, c := range chunks {
		out = append(out, PNGChunk(string(c[0]), c[1])...)
	}
	return append(out, raw[ihdrEnd:]...)
}

// PNGChunk returns a complete chunk: length, type, data, CRC.
func PNGChunk(kind string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, kind...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
}

// HEIC returns a minimal HEIF container: an ftyp box with the given
// brands, a box holding an Exif item as HEIF writers lay it out (a 4-byte
// offset, then "Exif\0\0" and the TIFF structure), then an mdat box of
// filler standing for the coded image. It is not decodable, which Config
// does not need.
func HEIC(tiff []byte, major string, compatible ...string) []byte {
	ftyp := append([]byte(major), 0, 0, 0, 0)
	for _, c := range compatible {
		ftyp = append(ftyp, c...)
	}
	out := Box("ftyp", ftyp)
	if tiff != nil {
		item := append([]byte{0, 0, 0, 6}, exifHeader...)
		out = append(out, Box("meta", append(item, tiff...))...)
	}
	return append(out, Box("mdat", bytes.Repeat([]byte{0x5A, 0xA5, 0x3C}, 400))...)
}

// Box returns an ISO-BMFF box: size, type, payload.
func Box(kind string, payload []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
	return append(append(out, kind...), payload...)
}
