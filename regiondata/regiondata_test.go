package regiondata

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// wantSHA256 is the digest recorded in README.md for henan_counties.geojson.
const wantSHA256 = "b2fd4db504540e641cc4eff961c31e3a2e265d8e395b6243b5c2791ceddb622e"

func TestHenanCountiesDigest(t *testing.T) {
	sum := sha256.Sum256(HenanCounties())
	if got := hex.EncodeToString(sum[:]); got != wantSHA256 {
		t.Errorf("sha256 = %s, want %s", got, wantSHA256)
	}
}

func TestHenanCountiesFeatures(t *testing.T) {
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties struct {
				Name  string `json:"name"`
				Datum string `json:"datum"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(HenanCounties(), &fc); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if got, want := fc.Type, "FeatureCollection"; got != want {
		t.Errorf("type = %q, want %q", got, want)
	}
	if got, want := len(fc.Features), 157; got != want {
		t.Errorf("features = %d, want %d", got, want)
	}
	for i, f := range fc.Features {
		if got, want := f.Properties.Datum, "GCJ-02"; got != want {
			t.Errorf("feature %d (%s): datum = %q, want %q", i, f.Properties.Name, got, want)
		}
	}
}

func TestHenanCountiesIsCopy(t *testing.T) {
	a := HenanCounties()
	a[0] = 'x'
	if got := HenanCounties()[0]; got != '{' {
		t.Errorf("first byte after caller edit = %q, want '{'", got)
	}
}

func TestProvenance(t *testing.T) {
	p := Provenance()
	for _, want := range []string{"zhChuXiao/ChinaGeoJson", "GCJ-02", "157", wantSHA256} {
		if !strings.Contains(p, want) {
			t.Errorf("Provenance() lacks %q", want)
		}
	}
}
