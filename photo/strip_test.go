package photo

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"testing"
	"time"

	"github.com/henan-youth/onsite/internal/testimage"
)

// withGPS is EXIF with a position, a time and a camera make.
func withGPS(t *testing.T) []byte {
	return testimage.TIFF(t, testimage.EXIF{GPS: true, Lat: 34.8215, Lon: 114.8123, Taken: "2026:11:16 10:20:00", Offset: "+08:00"})
}

// checkStripped asserts that stripped has no position, keeps the time, is
// still an image of the same format, and decodes (JPEG, PNG) to the same
// pixels as orig.
func checkStripped(t *testing.T, name string, orig, stripped []byte) {
	t.Helper()
	before, err := Inspect(orig, time.UTC)
	if err != nil || !before.HasGPS {
		t.Fatalf("%s: the test image has no position: %+v, %v", name, before, err)
	}
	after, err := Inspect(stripped, time.UTC)
	if err != nil {
		t.Fatalf("%s: stripped copy: %v", name, err)
	}
	if after.HasGPS {
		t.Errorf("%s: stripped copy still has a position %.5f,%.5f", name, after.Lat, after.Lon)
	}
	if after.Format != before.Format || !after.Taken.Equal(before.Taken) {
		t.Errorf("%s: stripped copy: got %s taken %v, want %s taken %v", name, after.Format, after.Taken, before.Format, before.Taken)
	}
	var decode func([]byte) (image.Image, error)
	switch before.Format {
	case JPEG:
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
	case PNG:
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
	default:
		return
	}
	a, err1 := decode(orig)
	b, err2 := decode(stripped)
	if err1 != nil || err2 != nil {
		t.Fatalf("%s: decoding: %v, %v", name, err1, err2)
	}
	for y := range 48 {
		for x := range 64 {
			if a.At(x, y) != b.At(x, y) {
				t.Fatalf("%s: pixel %d,%d differs after stripping", name, x, y)
			}
		}
	}
}

func TestStripGPSJPEG(t *testing.T) {
	tiff := withGPS(t)
	orig := testimage.JPEG(t, tiff)
	got, err := StripGPS(orig)
	if err != nil {
		t.Fatal(err)
	}
	checkStripped(t, "jpeg", orig, got)
	if len(got) != len(orig) {
		t.Errorf("length: got %d, want %d (unchanged)", len(got), len(orig))
	}
	// Only the APP1 segment may change: SOI, then FF E1, length, "Exif\0\0", TIFF.
	segEnd := 2 + 4 + len(exifHeader) + len(tiff)
	if !bytes.Equal(got[:2], orig[:2]) || !bytes.Equal(got[segEnd:], orig[segEnd:]) {
		t.Error("bytes outside the EXIF segment changed")
	}
	if bytes.Equal(got, orig) {
		t.Error("nothing changed")
	}
	if !bytes.Contains(got, []byte("onsite-test")) {
		t.Error("the camera make was removed with the position")
	}
	// The original is not modified.
	if m, _ := Inspect(orig, time.UTC); !m.HasGPS {
		t.Error("StripGPS modified its input")
	}
}

func TestStripGPSEveryEXIFBlock(t *testing.T) {
	// A second EXIF block after the image, as an embedded secondary image
	// carries it (a multi-picture JPEG).
	orig := append(testimage.JPEG(t, withGPS(t)), testimage.JPEG(t, withGPS(t))...)
	got, err := StripGPS(orig)
	if err != nil {
		t.Fatal(err)
	}
	checkStripped(t, "jpeg with a secondary image", orig, got)
	second := got[len(got)/2:]
	if m, err := Inspect(second, time.UTC); err != nil || m.HasGPS {
		t.Errorf("secondary image: got %+v, %v; want no position", m, err)
	}
}

func TestStripGPSXMP(t *testing.T) {
	xmp := []byte(`http://ns.adobe.com/xap/1.0/` + "\x00" +
		`<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>` +
		`<rdf:Description exif:GPSLatitude="34,49.29N" exif:GPSLongitude="114,48.738E"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`)
	harmless := []byte(`http://ns.adobe.com/xap/1.0/` + "\x00" +
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description xmp:Rating="5"/></rdf:RDF></x:xmpmeta>`)
	orig := testimage.JPEG(t, withGPS(t), testimage.JPEGSegment(0xE1, xmp), testimage.JPEGSegment(0xE1, harmless))
	got, err := StripGPS(orig)
	if err != nil {
		t.Fatal(err)
	}
	checkStripped(t, "jpeg with xmp", orig, got)
	if bytes.Contains(got, []byte("GPSLatitude")) || bytes.Contains(got, []byte("49.29N")) {
		t.Error("the XMP position survived")
	}
	if !bytes.Contains(got, []byte(`xmp:Rating="5"`)) {
		t.Error("an XMP packet without a position was blanked")
	}
	if len(got) != len(orig) {
		t.Errorf("length: got %d, want %d", len(got), len(orig))
	}
}

func TestStripGPSPNG(t *testing.T) {
	text := [2][]byte{[]byte("tEXt"), []byte("Comment\x00interview in Lankao")}
	xmp := [2][]byte{[]byte("iTXt"), []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta/>")}
	orig := testimage.PNG(t, [2][]byte{[]byte("eXIf"), withGPS(t)}, text, xmp)
	got, err := StripGPS(orig)
	if err != nil {
		t.Fatal(err)
	}
	// Inspect finds no eXIf, so no time either: PNG loses the whole EXIF.
	after, err := Inspect(got, time.UTC)
	if err != nil || after.HasGPS || !after.Taken.IsZero() {
		t.Errorf("stripped PNG: got %+v, %v; want no EXIF", after, err)
	}
	want := testimage.PNG(t, text)
	if !bytes.Equal(got, want) {
		t.Errorf("stripped PNG: got %d bytes, want the same PNG with only the comment chunk (%d bytes)", len(got), len(want))
	}
}

func TestStripGPSHEIC(t *testing.T) {
	orig := testimage.HEIC(withGPS(t), "heic", "mif1", "heic")
	got, err := StripGPS(orig)
	if err != nil {
		t.Fatal(err)
	}
	checkStripped(t, "heic", orig, got)
	if len(got) != len(orig) {
		t.Errorf("length: got %d, want %d (item offsets must not move)", len(got), len(orig))
	}
	mdat := bytes.Index(orig, []byte("mdat"))
	if !bytes.Equal(got[mdat:], orig[mdat:]) || !bytes.Equal(got[:32], orig[:32]) {
		t.Error("bytes outside the Exif item changed")
	}
}

func TestStripGPSWithoutPosition(t *testing.T) {
	for _, orig := range [][]byte{
		testimage.JPEG(t, nil),
		testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{Taken: "2026:11:16 10:20:00"})),
		testimage.HEIC(nil, "heic"),
	} {
		got, err := StripGPS(orig)
		if err != nil || !bytes.Equal(got, orig) {
			t.Errorf("StripGPS of a photo without a position: got %d bytes, %v; want it unchanged", len(got), err)
		}
	}
	if _, err := StripGPS([]byte("%PDF-1.7")); err == nil {
		t.Error("StripGPS of a PDF: got nil error")
	}
}

// TestRemoveGPSMalformed feeds TIFF structures with offsets out of range:
// nothing may panic or be read out of bounds.
func TestRemoveGPSMalformed(t *testing.T) {
	good := withGPS(t)
	inputs := [][]byte{
		[]byte("MM\x00\x2a"),
		[]byte("MM\x00\x2a\xff\xff\xff\xff"),
		[]byte("II\x2a\x00\x08\x00\x00\x00\xff\xff"),
		good[:12],
		good[:len(good)/2],
	}
	for i := range 40 { // every truncation of the IFD0 area
		inputs = append(inputs, good[:8+i])
	}
	for _, in := range inputs {
		removeGPS(bytes.Clone(in))
	}
	// The well-formed structure has its pointer removed.
	c := bytes.Clone(good)
	if !removeGPS(c) {
		t.Error("removeGPS of a well-formed structure: got false")
	}
}
