// Package photo checks evidence photos by their content: which image format
// they are (never trusting a file name or a declared type), where and when
// they were taken according to their EXIF metadata, whether that agrees with
// the activity they document, and a copy without the GPS position for
// viewers who may see the photo but not where exactly it was taken.
//
// It is pure: it works on bytes already read (bounded by the upload limit),
// reads no clock and touches no file or network.
package photo

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"

	"github.com/henan-youth/onsite/models"
)

// Format is an accepted image format, named by its media type so that it
// can be served as Content-Type.
type Format string

// The accepted formats. HEIF is an HEIF image whose brands name no HEVC
// coding (for example mif1 alone); it is accepted like HEIC.
const (
	JPEG Format = "image/jpeg"
	PNG  Format = "image/png"
	HEIC Format = "image/heic"
	HEIF Format = "image/heif"
)

var (
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
)

// heicBrands are the ftyp brands of HEVC-coded HEIF images and sequences;
// heifBrands those of HEIF in general (ISO/IEC 23008-12).
var (
	heicBrands = []string{"heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs"}
	heifBrands = []string{"mif1", "msf1", "mif2", "miaf"}
)

// Sniff returns the format of data judged by its first bytes: the JPEG SOI
// marker, the PNG signature, or an ISO-BMFF ftyp box whose major or
// compatible brands include an HEIC or HEIF brand. It returns an INVALID
// error for anything else (a PDF renamed .png, a GIF, text), whatever the
// file was called.
func Sniff(data []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(data, jpegMagic):
		return JPEG, nil
	case bytes.HasPrefix(data, pngMagic):
		return PNG, nil
	}
	if f, ok := sniffHEIF(data); ok {
		return f, nil
	}
	return "", models.E(models.CodeInvalid, "not a JPEG, PNG or HEIC/HEIF image")
}

// sniffHEIF reads the ftyp box at the start of data: size (4 bytes), "ftyp",
// major brand, minor version, then compatible brands up to the box's end.
func sniffHEIF(data []byte) (Format, bool) {
	if len(data) < 16 || string(data[4:8]) != "ftyp" {
		return "", false
	}
	size := int(binary.BigEndian.Uint32(data[0:4]))
	if size < 16 || size > len(data) || size%4 != 0 {
		return "", false
	}
	brands := []string{string(data[8:12])}
	for i := 16; i+4 <= size; i += 4 {
		brands = append(brands, string(data[i:i+4]))
	}
	heif := false
	for _, b := range brands {
		for _, h := range heicBrands {
			if b == h {
				return HEIC, true
			}
		}
		for _, h := range heifBrands {
			heif = heif || b == h
		}
	}
	if heif {
		return HEIF, true
	}
	return "", false
}

// Config returns the format of data and, for JPEG and PNG, the image's
// width and height from its header (0 for HEIC/HEIF, which Go does not
// decode). It returns an INVALID error when the format is not accepted or a
// JPEG or PNG header does not decode, so a file that only starts like an
// image is refused too.
func Config(data []byte) (f Format, width, height int, err error) {
	f, err = Sniff(data)
	if err != nil {
		return "", 0, 0, err
	}
	var c image.Config
	switch f {
	case JPEG:
		c, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case PNG:
		c, err = png.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		return "", 0, 0, models.Wrap(models.CodeInvalid, err, "the image's header does not decode as "+string(f))
	}
	return f, c.Width, c.Height, nil
}
