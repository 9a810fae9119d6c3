package photo

import (
	"bytes"
	"encoding/binary"
)

// StripGPS returns a copy of data, an accepted image, that no longer says
// where it was taken, for viewers other than reviewers. Everything else is
// kept byte for byte where the format allows:
//
//   - JPEG and HEIC/HEIF: in every EXIF block (a JPEG's APP1 "Exif" segment,
//     an HEIF Exif item, and any further EXIF block such as one of an
//     embedded secondary image), the GPS IFD pointer is removed from the
//     IFD chain and the GPS IFD and its values are overwritten with zeros;
//     an XMP packet that mentions a GPS position is overwritten with spaces.
//     The file keeps its length, so no offset inside it (HEIF item
//     locations, JPEG multi-picture pointers) changes. The EXIF time,
//     orientation and camera tags stay.
//   - PNG: the eXIf chunk is dropped, and so are text chunks that carry XMP
//     or a raw EXIF profile; all other chunks are kept as they are.
//
// An EXIF block found the way Inspect finds it is the one stripped; one that
// does not parse is left as it is. It returns an INVALID error when data is
// not an accepted image.
func StripGPS(data []byte) ([]byte, error) {
	f, err := Sniff(data)
	if err != nil {
		return nil, err
	}
	if f == PNG {
		return stripPNG(data), nil
	}
	out := bytes.Clone(data)
	for i := range exifBlocks(out) {
		end := len(out)
		// In a JPEG APP1 segment (FF E1, length, "Exif\0\0"), the segment bounds the block.
		if f == JPEG && i >= 4 && out[i-4] == 0xFF && out[i-3] == 0xE1 {
			if e := i - 2 + int(binary.BigEndian.Uint16(out[i-2:])); e > i+len(exifHeader) && e <= len(out) {
				end = e
			}
		}
		removeGPS(out[i+len(exifHeader) : end])
	}
	blankXMPWithGPS(out)
	return out, nil
}

// pngMetaKeywords are the keywords of PNG text chunks that carry XMP or EXIF
// (the latter as written by ImageMagick).
var pngMetaKeywords = []string{"XML:com.adobe.xmp", "Raw profile type exif", "Raw profile type APP1", "Raw profile type xmp"}

// stripPNG returns data without its eXIf chunk and metadata text chunks.
func stripPNG(data []byte) []byte {
	out := append([]byte(nil), pngMagic...)
	next := len(pngMagic)
	for _, c := range pngChunks(data) {
		next = c.end
		if c.kind == "eXIf" || isMetaText(c) {
			continue
		}
		out = append(out, data[c.start:c.end]...)
	}
	return append(out, data[next:]...)
}

// isMetaText reports whether c is a tEXt, zTXt or iTXt chunk whose keyword
// (the bytes before the first NUL) is one of pngMetaKeywords.
func isMetaText(c chunk) bool {
	if c.kind != "tEXt" && c.kind != "zTXt" && c.kind != "iTXt" {
		return false
	}
	kw, _, _ := bytes.Cut(c.data, []byte{0})
	for _, k := range pngMetaKeywords {
		if string(kw) == k {
			return true
		}
	}
	return false
}

// tagGPSIFD is the TIFF tag whose value points to the GPS IFD.
const tagGPSIFD = 0x8825

// removeGPS removes the GPS IFD pointer from every IFD of the chain that
// starts the TIFF structure t (IFD0, IFD1 …) and zeroes the GPS IFD and the
// values it points to, in place and without changing t's length. It reports
// whether it removed anything; out-of-range offsets are skipped, never read.
func removeGPS(t []byte) bool {
	bo := tiffOrder(t)
	if bo == nil {
		return false
	}
	removed := false
	off := int(bo.Uint32(t[4:]))
	for hops := 0; off != 0 && hops < 4; hops++ { // IFD0 and IFD1; a loop stops
		if off < 8 || off+2 > len(t) {
			return removed
		}
		n := int(bo.Uint16(t[off:]))
		end := off + 2 + 12*n + 4
		if end > len(t) {
			return removed
		}
		for k := 0; k < n; k++ {
			e := off + 2 + 12*k
			if bo.Uint16(t[e:]) != tagGPSIFD {
				continue
			}
			blankIFD(t, bo, int(bo.Uint32(t[e+8:])))
			// Shift the later entries and the next-IFD pointer down by one entry.
			copy(t[e:end-12], t[e+12:end])
			clear(t[end-12 : end])
			n, end, k = n-1, end-12, k-1
			bo.PutUint16(t[off:], uint16(n))
			removed = true
		}
		off = int(bo.Uint32(t[end-4:]))
	}
	return removed
}

// blankIFD zeroes the IFD at off in t and every value it stores outside its
// entries.
func blankIFD(t []byte, bo binary.ByteOrder, off int) {
	if off < 8 || off+2 > len(t) {
		return
	}
	n := int(bo.Uint16(t[off:]))
	end := min(off+2+12*n+4, len(t))
	for k := range n {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			break
		}
		size := typeSize(bo.Uint16(t[e+2:])) * int(bo.Uint32(t[e+4:]))
		if v := int(bo.Uint32(t[e+8:])); size > 4 && v >= 8 && v <= len(t)-size {
			clear(t[v : v+size])
		}
	}
	clear(t[off:end])
}

// typeSize returns the size in bytes of one value of TIFF field type typ, or
// 0 for an unknown type.
func typeSize(typ uint16) int {
	switch typ {
	case 1, 2, 6, 7: // BYTE, ASCII, SBYTE, UNDEFINED
		return 1
	case 3, 8: // SHORT, SSHORT
		return 2
	case 4, 9, 11: // LONG, SLONG, FLOAT
		return 4
	case 5, 10, 12: // RATIONAL, SRATIONAL, DOUBLE
		return 8
	}
	return 0
}

// xmpOpen and xmpClose bound an XMP packet's content.
var (
	xmpOpen  = []byte("<x:xmpmeta")
	xmpClose = []byte("</x:xmpmeta>")
)

// blankXMPWithGPS overwrites with spaces, in place, every XMP packet in b
// that names a GPS position (exif:GPSLatitude, exif:GPSLongitude).
func blankXMPWithGPS(b []byte) {
	for from := 0; ; {
		i := bytes.Index(b[from:], xmpOpen)
		if i < 0 {
			return
		}
		start := from + i
		j := bytes.Index(b[start:], xmpClose)
		if j < 0 {
			return
		}
		end := start + j + len(xmpClose)
		if p := b[start:end]; bytes.Contains(p, []byte("GPSLatitude")) || bytes.Contains(p, []byte("GPSLongitude")) {
			for k := range p {
				p[k] = ' '
			}
		}
		from = end
	}
}
