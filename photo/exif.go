package photo

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	exif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"
)

// Meta is what a photo says about itself.
type Meta struct {
	Format        Format
	Width, Height int // 0 for HEIC/HEIF

	// HasGPS says the EXIF GPS position was present and plausible; Lat and
	// Lon are then WGS-84 degrees (what phone cameras record).
	HasGPS   bool
	Lat, Lon float64

	// Taken is when the photo was taken, zero when the EXIF says nothing.
	// It comes from DateTimeOriginal with OffsetTimeOriginal; without an
	// offset, from the GPS date and time stamp (UTC); failing that,
	// DateTimeOriginal read in the zone Inspect was given.
	Taken time.Time
}

// exifHeader starts the EXIF block of a JPEG APP1 segment and of an HEIF
// Exif item: the TIFF structure follows it.
var exifHeader = []byte("Exif\x00\x00")

// Inspect returns the format, size and EXIF facts of data, an image upload
// already read into memory. loc is the zone of EXIF local times that carry no
// offset (Asia/Shanghai for phones used in China; nil means UTC).
//
// The EXIF block is found per format: the first APP1 "Exif" segment of a
// JPEG, the eXIf chunk of a PNG, and for HEIC/HEIF the first "Exif\0\0"
// header followed by a TIFF header anywhere in the file (the layout HEIF
// writers use for the Exif item; an Exif item without that header is not
// found, and such a photo reads as having no EXIF). A photo without EXIF,
// or whose EXIF does not parse, is accepted with no position and no time.
//
// It returns an INVALID error only when data is not an accepted image
// (see Config).
func Inspect(data []byte, loc *time.Location) (Meta, error) {
	f, w, h, err := Config(data)
	if err != nil {
		return Meta{}, err
	}
	m := Meta{Format: f, Width: w, Height: h}
	if tiff := findTIFF(f, data); tiff != nil {
		readExif(tiff, loc, &m)
	}
	return m, nil
}

// findTIFF returns the TIFF structure of data's EXIF, or nil.
func findTIFF(f Format, data []byte) []byte {
	switch f {
	case JPEG:
		for _, s := range jpegSegments(data) {
			if s.marker == 0xE1 && bytes.HasPrefix(s.payload, exifHeader) {
				return s.payload[len(exifHeader):]
			}
		}
	case PNG:
		for _, c := range pngChunks(data) {
			if c.kind == "eXIf" {
				return c.data
			}
		}
	default:
		for i := range exifBlocks(data) {
			return data[i+len(exifHeader):]
		}
	}
	return nil
}

// exifBlocks yields the offset of every "Exif\0\0" header in data that a TIFF
// header follows.
func exifBlocks(data []byte) func(yield func(int) bool) {
	return func(yield func(int) bool) {
		for from := 0; ; {
			i := bytes.Index(data[from:], exifHeader)
			if i < 0 {
				return
			}
			at := from + i
			if tiffOrder(data[at+len(exifHeader):]) != nil && !yield(at) {
				return
			}
			from = at + 1
		}
	}
}

// tiffOrder returns the byte order of a TIFF header at the start of b, or nil
// when b does not start with one.
func tiffOrder(b []byte) binary.ByteOrder {
	switch {
	case len(b) < 8:
		return nil
	case string(b[:4]) == "MM\x00\x2a":
		return binary.BigEndian
	case string(b[:4]) == "II\x2a\x00":
		return binary.LittleEndian
	}
	return nil
}

// readExif fills m's position and time from the TIFF structure tiff. It
// leaves them unset when the structure does not parse; go-exif reports
// malformed input by panicking in places, so a panic is recovered too.
func readExif(tiff []byte, loc *time.Location, m *Meta) {
	defer func() { _ = recover() }()
	im, err := exifcommon.NewIfdMappingWithStandard()
	if err != nil {
		return
	}
	_, index, err := exif.Collect(im, exif.NewTagIndex(), tiff)
	if err != nil {
		return
	}
	var gpsTime time.Time
	if gpsIfd, err := index.RootIfd.ChildWithIfdPath(exifcommon.IfdGpsInfoStandardIfdIdentity); err == nil {
		if gi, err := gpsIfd.GpsInfo(); err == nil {
			lat, lon := gi.Latitude.Decimal(), gi.Longitude.Decimal()
			if plausible(lat, lon) {
				m.HasGPS, m.Lat, m.Lon = true, lat, lon
			}
			gpsTime = gi.Timestamp
		}
	}
	if exifIfd, err := index.RootIfd.ChildWithIfdPath(exifcommon.IfdExifStandardIfdIdentity); err == nil {
		m.Taken = takenAt(tagString(exifIfd, "DateTimeOriginal"), tagString(exifIfd, "OffsetTimeOriginal"), gpsTime, loc)
	} else {
		m.Taken = gpsTime
	}
}

// plausible rejects coordinates out of range and the 0,0 some cameras write
// when they have no fix.
func plausible(lat, lon float64) bool {
	ok := !math.IsNaN(lat) && !math.IsNaN(lon) && math.Abs(lat) <= 90 && math.Abs(lon) <= 180
	return ok && (lat != 0 || lon != 0)
}

// tagString returns the ASCII value of the tag named name in ifd, or "".
func tagString(ifd *exif.Ifd, name string) string {
	tags, err := ifd.FindTagWithName(name)
	if err != nil || len(tags) == 0 {
		return ""
	}
	v, err := tags[0].Value()
	if err != nil {
		return ""
	}
	s, _ := v.(string)
	return strings.TrimSpace(strings.TrimRight(s, "\x00"))
}

// takenAt interprets an EXIF DateTimeOriginal ("2006:01:02 15:04:05") with
// its offset ("+08:00"), falling back as Meta.Taken says. It returns the zero
// time when nothing usable is there.
func takenAt(local, offset string, gpsTime time.Time, loc *time.Location) time.Time {
	t, err := time.Parse("2006:01:02 15:04:05", local)
	if err != nil {
		return gpsTime
	}
	if z, ok := parseOffset(offset); ok {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, z)
	}
	if !gpsTime.IsZero() {
		return gpsTime
	}
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
}

// parseOffset reads an EXIF offset "+08:00" or "-05:30".
func parseOffset(s string) (*time.Location, bool) {
	t, err := time.Parse("-07:00", s)
	if err != nil {
		return nil, false
	}
	_, off := t.Zone()
	return time.FixedZone(fmt.Sprintf("UTC%s", s), off), true
}
