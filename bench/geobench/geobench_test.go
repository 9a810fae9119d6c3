package geobench

import (
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	_ "github.com/go-sql-driver/mysql"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/planar"

	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/regiondata"
)

// accuracyM is the reported accuracy of every benchmark point.
const accuracyM = 30

// henanBox is the province's bounding box (GCJ-02), from the data README.
var henanBox = orb.Bound{Min: orb.Point{110.36, 31.38}, Max: orb.Point{116.65, 36.37}}

// counties parses the bundled county file.
func counties(tb testing.TB) []geofence.Region {
	tb.Helper()
	rs, _, err := geofence.ParseFeatureCollection(regiondata.HenanCounties(), models.RegionCounty, geofence.GCJ02)
	if err != nil {
		tb.Fatalf("ParseFeatureCollection: %v", err)
	}
	return rs
}

// points returns the 4,096 query points: uniform in the province's bounding
// box from a fixed seed (the same points as the geofence benchmarks), so
// about half fall outside Henan.
func points() []orb.Point {
	const seed = 20240601
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pts := make([]orb.Point, 4096)
	for i := range pts {
		pts[i] = orb.Point{
			henanBox.Min[0] + rng.Float64()*(henanBox.Max[0]-henanBox.Min[0]),
			henanBox.Min[1] + rng.Float64()*(henanBox.Max[1]-henanBox.Min[1]),
		}
	}
	return pts
}

// linearScan returns the codes of the regions containing p, testing every
// region's bounding box and then planar.MultiPolygonContains: the baseline.
func linearScan(rs []geofence.Region, bounds []orb.Bound, p orb.Point, dst []string) []string {
	for i := range rs {
		if bounds[i].Contains(p) && planar.MultiPolygonContains(rs[i].Geometry, p) {
			dst = append(dst, rs[i].Code)
		}
	}
	return dst
}

func regionBounds(rs []geofence.Region) []orb.Bound {
	bounds := make([]orb.Bound, len(rs))
	for i, r := range rs {
		bounds[i] = r.Geometry.Bound()
	}
	return bounds
}

// BenchmarkLocate is geofence.Index.Locate: containment, edge distance and
// verdict for every candidate.
func BenchmarkLocate(b *testing.B) {
	x := geofence.NewIndex(counties(b))
	pts := points()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := x.Locate(pts[i%len(pts)], geofence.GCJ02, accuracyM); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLinearScan is the baseline: containment only, every region.
func BenchmarkLinearScan(b *testing.B) {
	rs := counties(b)
	bounds := regionBounds(rs)
	pts := points()
	var buf [4]string
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		linearScan(rs, bounds, pts[i%len(pts)], buf[:0])
	}
}

// BenchmarkMariaDBSTContains asks MariaDB which county contains each point,
// through a prepared statement on a table with a SPATIAL index. It needs
// ONSITE_TEST_MYSQL_DSN; the table is created with a unique name and dropped
// afterwards.
func BenchmarkMariaDBSTContains(b *testing.B) {
	dsn := os.Getenv("ONSITE_TEST_MYSQL_DSN")
	if dsn == "" {
		b.Skip("ONSITE_TEST_MYSQL_DSN is not set")
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxIdleConns(2)
	rs := counties(b)
	table := createCountyTable(b, db, rs)
	stmt, err := db.Prepare("SELECT code FROM " + table + " WHERE ST_Contains(g, ST_PointFromText(?))")
	if err != nil {
		b.Fatalf("prepare: %v", err)
	}
	b.Cleanup(func() { stmt.Close() })
	pts := points()
	texts := make([]string, len(pts))
	for i, p := range pts {
		// MariaDB geometries without an SRID are plain x, y: x = lon, y = lat.
		texts[i] = fmt.Sprintf("POINT(%.9f %.9f)", p[0], p[1])
	}
	checkAgreement(b, stmt, rs, pts, texts)
	b.ReportAllocs()
	var codes []string
	for i := 0; b.Loop(); i++ {
		if codes, err = queryCodes(stmt, texts[i%len(texts)], codes[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// createCountyTable creates a uniquely named table of the counties with a
// SPATIAL index, registers its removal, and returns its name.
func createCountyTable(b *testing.B, db *sql.DB, rs []geofence.Region) string {
	var suffix [6]byte
	if _, err := crand.Read(suffix[:]); err != nil {
		b.Fatal(err)
	}
	table := "geobench_" + hex.EncodeToString(suffix[:])
	_, err := db.Exec("CREATE TABLE " + table + ` (
		code VARCHAR(32) NOT NULL PRIMARY KEY,
		g GEOMETRY NOT NULL,
		SPATIAL INDEX (g)
	) ENGINE=InnoDB`)
	if err != nil {
		b.Fatalf("create table: %v", err)
	}
	b.Cleanup(func() {
		if _, err := db.Exec("DROP TABLE IF EXISTS " + table); err != nil {
			b.Errorf("drop table %s: %v", table, err)
		}
	})
	for _, r := range rs {
		// WKT keeps every coordinate exactly (shortest round-trip decimal).
		g := wkt.MarshalString(r.Geometry)
		if _, err := db.Exec("INSERT INTO "+table+" (code, g) VALUES (?, ST_GeomFromText(?))", r.Code, g); err != nil {
			b.Fatalf("insert %s: %v", r.Code, err)
		}
	}
	return table
}

// queryCodes runs the prepared ST_Contains query for one point.
func queryCodes(stmt *sql.Stmt, point string, dst []string) ([]string, error) {
	rows, err := stmt.Query(point)
	if err != nil {
		return dst, err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return dst, err
		}
		dst = append(dst, code)
	}
	return dst, rows.Err()
}

// checkAgreement compares MariaDB's answers with the linear scan's before the
// timing starts, so that an axis-order or import mistake cannot produce a
// fast but wrong benchmark. Points on a border may legitimately differ (the
// two treat boundaries differently); random points almost never are.
func checkAgreement(b *testing.B, stmt *sql.Stmt, rs []geofence.Region, pts []orb.Point, texts []string) {
	bounds := regionBounds(rs)
	disagree, inside := 0, 0
	for i, p := range pts {
		got, err := queryCodes(stmt, texts[i], nil)
		if err != nil {
			b.Fatalf("query %s: %v", texts[i], err)
		}
		want := linearScan(rs, bounds, p, nil)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			disagree++
		}
		if len(want) > 0 {
			inside++
		}
	}
	b.Logf("MariaDB ST_Contains and planar.MultiPolygonContains disagree on %d of %d points (%d inside Henan)", disagree, len(pts), inside)
	if disagree > len(pts)/100 {
		b.Fatalf("MariaDB disagrees on %d of %d points: check the axis order", disagree, len(pts))
	}
}
