package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// exercisers perform operations for TestAuthorizationMatrix that are not in
// its switch; every Op needs one there or here.
var exercisers = map[authz.Op]func(s *store.Store, p *authz.Principal, target *models.User) error{
	authz.ReadRegions: func(s *store.Store, p *authz.Principal, _ *models.User) error {
		_, _, err := s.ListRegions(context.Background(), p, store.RegionFilter{}, store.Page{})
		return err
	},
	authz.WriteRegions: func(s *store.Store, p *authz.Principal, _ *models.User) error {
		_, err := s.ImportRegions(context.Background(), p, []store.RegionGeometry{syntheticCampus("SYN-AUTHZ", 0)}, "test")
		return err
	},
}

// syntheticSquare is a made-up square region (GCJ-02) with its south-west
// corner at (lon, 34.8) and sides of side degrees. It is not a real outline;
// the store keeps its GeoJSON as given and compares its hash.
func syntheticSquare(kind models.RegionKind, code, parent string, lon, side float64) store.RegionGeometry {
	x, y := lon, 34.80
	geo := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%[1]v,%[2]v],[%[3]v,%[2]v],[%[3]v,%[4]v],[%[1]v,%[4]v],[%[1]v,%[2]v]]]}`, x, y, x+side, y+side)
	return store.RegionGeometry{
		Region:  models.Region{Kind: kind, Code: code, Name: "Synthetic " + string(kind) + " " + code, ParentCode: parent},
		Version: models.RegionVersion{Datum: "GCJ02", Hash: fmt.Sprintf("%x", sha256.Sum256([]byte(geo))), GeoJSON: geo, MinLon: x, MinLat: y, MaxLon: x + side, MaxLat: y + side},
	}
}

// syntheticCampus is a synthetic campus of about 1 km in 郑州 (410100) near
// 113.6E 34.8N, shifted east by shift degrees.
func syntheticCampus(code string, shift float64) store.RegionGeometry {
	return syntheticSquare(models.RegionCampus, code, "410100", 113.60+shift, 0.01)
}

func TestImportRegionsVersions(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		admin := &authz.Principal{UserID: 1, Role: models.RoleAdmin}
		steps := []struct {
			name    string
			regions []store.RegionGeometry
			want    store.ImportSummary
			version int
		}{
			{"first import", []store.RegionGeometry{syntheticCampus("SYN-1", 0), syntheticCampus("SYN-2", 0.02)}, store.ImportSummary{Created: 2}, 1},
			{"same geometry again", []store.RegionGeometry{syntheticCampus("SYN-1", 0)}, store.ImportSummary{Unchanged: 1}, 1},
			{"moved geometry", []store.RegionGeometry{syntheticCampus("SYN-1", 0.001)}, store.ImportSummary{Updated: 1}, 2},
			{"moved again, same again", []store.RegionGeometry{syntheticCampus("SYN-1", 0.001)}, store.ImportSummary{Unchanged: 1}, 2},
		}
		for _, st := range steps {
			got, err := s.ImportRegions(ctx, admin, st.regions, "test")
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if got != st.want {
				t.Errorf("%s: summary %+v, want %+v", st.name, got, st.want)
			}
			if v := st.regions[0].Region.CurrentVersion; v != st.version {
				t.Errorf("%s: version %d, want %d", st.name, v, st.version)
			}
		}
		loaded, err := s.LoadRegions(ctx, system)
		if err != nil {
			t.Fatal(err)
		}
		if len(loaded) != 2 {
			t.Fatalf("loaded %d regions, want 2", len(loaded))
		}
		if got, want := loaded[0].Version.MinLon, 113.601; got != want {
			t.Errorf("current geometry min lon = %v, want %v (version 2)", got, want)
		}
		versions, err := s.RegionVersions(ctx, admin, loaded[0].Region.ID)
		if err != nil || len(versions) != 2 {
			t.Fatalf("versions = %d (%v), want 2 kept", len(versions), err)
		}
		cadre := &authz.Principal{UserID: 5, Role: models.RoleCadre}
		if _, err := s.ImportRegions(ctx, cadre, []store.RegionGeometry{syntheticCampus("SYN-3", 0)}, "test"); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("cadre import: %v, want FORBIDDEN", err)
		}
	})
}
