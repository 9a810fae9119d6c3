package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// exercisers perform operations for TestAuthorizationMatrix that are not in
// its switch; every Op needs one there or here.
var exercisers = map[store.Op]func(s *store.Store, p *auth.Principal, target *models.User) error{
	store.OpReadRegions: func(s *store.Store, p *auth.Principal, _ *models.User) error {
		_, _, err := s.ListRegions(context.Background(), p, store.RegionFilter{}, store.Page{})
		return err
	},
	store.OpWriteRegions: func(s *store.Store, p *auth.Principal, _ *models.User) error {
		_, err := s.ImportRegions(context.Background(), p, []geofence.Region{syntheticCampus("SYN-AUTHZ", 0)}, "test")
		return err
	},
}

// syntheticSquare is a made-up square region (GCJ-02) with its south-west
// corner at (lon, 34.8) and sides of side degrees. It is not a real outline.
func syntheticSquare(kind geofence.Kind, code, parent string, lon, side float64) geofence.Region {
	x, y := lon, 34.80
	ring := orb.Ring{{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}}
	return geofence.Region{Kind: kind, Code: code, Name: "Synthetic " + string(kind) + " " + code, ParentCode: parent,
		Datum: geofence.GCJ02, Geometry: orb.MultiPolygon{{ring}}}
}

// syntheticCampus is a synthetic campus of about 1 km in 郑州 (410100) near
// 113.6E 34.8N, shifted east by shift degrees.
func syntheticCampus(code string, shift float64) geofence.Region {
	return syntheticSquare(geofence.KindCampus, code, "410100", 113.60+shift, 0.01)
}

func TestImportRegionsVersions(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		admin := &auth.Principal{UserID: 0, Role: models.RoleAdmin}
		steps := []struct {
			name    string
			regions []geofence.Region
			want    store.ImportSummary
			version int
		}{
			{"first import", []geofence.Region{syntheticCampus("SYN-1", 0), syntheticCampus("SYN-2", 0.02)}, store.ImportSummary{Created: 2}, 1},
			{"same geometry again", []geofence.Region{syntheticCampus("SYN-1", 0)}, store.ImportSummary{Unchanged: 1}, 1},
			{"moved geometry", []geofence.Region{syntheticCampus("SYN-1", 0.001)}, store.ImportSummary{Updated: 1}, 2},
			{"moved again, same again", []geofence.Region{syntheticCampus("SYN-1", 0.001)}, store.ImportSummary{Unchanged: 1}, 2},
		}
		for _, st := range steps {
			got, err := s.ImportRegions(ctx, admin, st.regions, "test")
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if got != st.want {
				t.Errorf("%s: summary %+v, want %+v", st.name, got, st.want)
			}
			if v := st.regions[0].Version; v != st.version {
				t.Errorf("%s: version %d, want %d", st.name, v, st.version)
			}
		}
		loaded, err := s.LoadRegions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(loaded) != 2 {
			t.Fatalf("loaded %d regions, want 2", len(loaded))
		}
		if got, want := loaded[0].Geometry.Bound().Min[0], 113.601; got != want {
			t.Errorf("current geometry min lon = %v, want %v (version 2)", got, want)
		}
		versions, err := s.RegionVersions(ctx, admin, loaded[0].ID)
		if err != nil || len(versions) != 2 {
			t.Fatalf("versions = %d (%v), want 2 kept", len(versions), err)
		}
		cadre := &auth.Principal{UserID: 5, Role: models.RoleCadre}
		if _, err := s.ImportRegions(ctx, cadre, []geofence.Region{syntheticCampus("SYN-3", 0)}, "test"); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("cadre import: %v, want FORBIDDEN", err)
		}
	})
}
