package photo

import "encoding/binary"

// segment is one JPEG marker segment before the image data.
type segment struct {
	marker     byte   // the byte after 0xFF, e.g. 0xE1 for APP1
	start, end int    // the segment's bytes in the file, marker included
	payload    []byte // after the two length bytes
}

// jpegSegments returns the marker segments of a JPEG from after SOI up to,
// not including, the first SOS (start of scan), where entropy-coded data
// begins. It stops early at the first malformed segment.
func jpegSegments(data []byte) []segment {
	var out []segment
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return out
		}
		start := i
		for i < len(data) && data[i] == 0xFF { // fill bytes
			i++
		}
		if i >= len(data) {
			return out
		}
		marker := data[i]
		i++
		if marker == 0x01 || 0xD0 <= marker && marker <= 0xD7 { // no length
			continue
		}
		if marker == 0xDA || marker == 0xD9 || i+2 > len(data) { // SOS, EOI
			return out
		}
		n := int(binary.BigEndian.Uint16(data[i:]))
		if n < 2 || i+n > len(data) {
			return out
		}
		out = append(out, segment{marker: marker, start: start, end: i + n, payload: data[i+2 : i+n]})
		i += n
	}
	return out
}

// chunk is one PNG chunk.
type chunk struct {
	kind       string // the four-letter type, e.g. "eXIf"
	start, end int    // the chunk's bytes in the file, length to CRC
	data       []byte
}

// pngChunks returns the chunks of a PNG after its signature, up to and
// including IEND. It stops early at the first malformed chunk; the caller
// sees the bytes after it as a tail.
func pngChunks(data []byte) []chunk {
	var out []chunk
	i := len(pngMagic)
	for i+12 <= len(data) {
		n := int(binary.BigEndian.Uint32(data[i:]))
		if n < 0 || n > len(data)-i-12 {
			return out
		}
		c := chunk{kind: string(data[i+4 : i+8]), start: i, end: i + 12 + n, data: data[i+8 : i+8+n]}
		out = append(out, c)
		i = c.end
		if c.kind == "IEND" {
			return out
		}
	}
	return out
}
