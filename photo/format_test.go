package photo

import (
	"bytes"
	"testing"

	"github.com/henan-youth/onsite/internal/testimage"
	"github.com/henan-youth/onsite/models"
)

func TestSniff(t *testing.T) {
	jpg := testimage.JPEG(t, nil)
	pngData := testimage.PNG(t)
	pdf := []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n")
	tests := []struct {
		name string
		data []byte
		want Format // "" = refused with INVALID
	}{
		{"jpeg", jpg, JPEG},
		{"png", pngData, PNG},
		{"heic major brand", testimage.HEIC(nil, "heic", "mif1", "heic"), HEIC},
		{"heix major brand", testimage.HEIC(nil, "heix", "mif1"), HEIC},
		{"hevc sequence", testimage.HEIC(nil, "msf1", "msf1", "hevc"), HEIC},
		{"mif1 with heic compatible", testimage.HEIC(nil, "mif1", "miaf", "heic"), HEIC},
		{"heim", testimage.HEIC(nil, "heim"), HEIC},
		{"heis", testimage.HEIC(nil, "heis"), HEIC},
		{"heif without hevc brand", testimage.HEIC(nil, "mif1", "mif1"), HEIF},
		{"msf1 alone", testimage.HEIC(nil, "msf1"), HEIF},
		{"evidence.png whose body is a PDF", pdf, ""},
		{"mp4 video", testimage.HEIC(nil, "isom", "isom", "mp41"), ""},
		{"quicktime", testimage.HEIC(nil, "qt  "), ""},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), ""},
		{"webp", []byte("RIFF\x1a\x00\x00\x00WEBPVP8 "), ""},
		{"text", []byte("hello, this is not a photo"), ""},
		{"empty", nil, ""},
		{"png signature cut short", pngData[:5], ""},
		{"ftyp box larger than the file", append([]byte{0, 0, 1, 0}, []byte("ftypheic\x00\x00\x00\x00")...), ""},
		{"ftyp box size not a multiple of 4", append([]byte{0, 0, 0, 18}, []byte("ftypheic\x00\x00\x00\x00mif1\x00\x00")...), ""},
	}
	for _, tt := range tests {
		got, err := Sniff(tt.data)
		if got != tt.want {
			t.Errorf("%s: Sniff: got %q, want %q", tt.name, got, tt.want)
		}
		if tt.want == "" && (err == nil || models.CodeOf(err) != models.CodeInvalid) {
			t.Errorf("%s: Sniff: got error %v, want INVALID", tt.name, err)
		}
		if tt.want != "" && err != nil {
			t.Errorf("%s: Sniff: got error %v", tt.name, err)
		}
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name          string
		data          []byte
		want          Format
		width, height int
	}{
		{"jpeg", testimage.JPEG(t, nil), JPEG, 64, 48},
		{"png", testimage.PNG(t), PNG, 64, 48},
		{"heic, not decoded", testimage.HEIC(nil, "heic"), HEIC, 0, 0},
		{"jpeg magic then a PDF", append([]byte{0xFF, 0xD8, 0xFF}, []byte("%PDF-1.7 ...")...), "", 0, 0},
		{"png signature then garbage", append(bytes.Clone(pngMagic), []byte("%PDF-1.7 ...")...), "", 0, 0},
	}
	for _, tt := range tests {
		f, w, h, err := Config(tt.data)
		if f != tt.want || w != tt.width || h != tt.height {
			t.Errorf("%s: Config: got %q %dx%d, want %q %dx%d", tt.name, f, w, h, tt.want, tt.width, tt.height)
		}
		if (err != nil) != (tt.want == "") || err != nil && models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("%s: Config: got error %v", tt.name, err)
		}
	}
}
