package geofence

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"

	"github.com/henan-youth/onsite/models"
	"github.com/paulmach/orb"
)

// Region is one area a cadre can be assigned to.
type Region struct {
	ID      int64 // the store's row id; zero until stored
	Version int   // the store's version of the geometry; zero until stored

	Kind         models.RegionKind
	Code         string // unique within a Kind; for counties the source adcode
	OfficialCode string // for counties the current official (MCA/NBS) code; "" if unknown
	Name         string
	ParentCode   string // the prefecture-level city for counties; "" if none
	ParentName   string

	// Datum is the datum of Center and Geometry.
	Datum Datum
	// Center is a label point, for example the seat of government; nil if the
	// source gave none.
	Center *orb.Point
	// Geometry is the boundary: one or more polygons, each an exterior ring
	// followed by its holes. Rings are closed (first position equals last).
	Geometry orb.MultiPolygon
}

// GeometryHash returns the hex SHA-256 of a canonical binary encoding of mp:
// the polygon count, then per polygon its ring count, then per ring its
// position count and each coordinate as a big-endian IEEE 754 float64 (with
// -0 written as +0). Two geometries hash alike exactly when they hold the same
// coordinates in the same order, so the store can tell whether a re-import
// changed a boundary. It never fails.
func GeometryHash(mp orb.MultiPolygon) string {
	h := sha256.New()
	var buf [8]byte
	putInt := func(n int) {
		binary.BigEndian.PutUint64(buf[:], uint64(n))
		h.Write(buf[:])
	}
	putFloat := func(f float64) {
		if f == 0 {
			f = 0 // folds -0 into +0
		}
		binary.BigEndian.PutUint64(buf[:], math.Float64bits(f))
		h.Write(buf[:])
	}
	putInt(len(mp))
	for _, poly := range mp {
		putInt(len(poly))
		for _, ring := range poly {
			putInt(len(ring))
			for _, p := range ring {
				putFloat(p[0])
				putFloat(p[1])
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
