// Package geofence decides which regions (counties, campuses) a check-in lies
// in. It converts between the WGS-84, GCJ-02 and BD-09 datums, imports and
// validates GeoJSON region boundaries, and locates a point with its reported
// accuracy against an Index of regions, answering INSIDE, BOUNDARY or OUTSIDE
// per nearby region together with the distance to the region's edge.
//
// # Verdicts
//
// A check-in is a point p with an accuracy radius a. For each region whose
// edge lies within a + CandidateMarginM of p, or which contains p, Locate
// reports whether the region contains p and the distance d from p to the
// region's nearest edge (holes included). The verdict is BOUNDARY when
// d <= a, whichever side p is on; otherwise INSIDE if the region contains p
// and OUTSIDE if not. Neighbouring regions whose shared border does not match
// exactly (the bundled county data has small gaps and overlaps across city
// borders) therefore give BOUNDARY answers near the border rather than a
// silent pick; the caller chooses among them (package regions) and can tell
// points in no region or in several.
//
// # Distances
//
// Distances are measured in a local equirectangular projection centred on
// the query point q: a position maps to x = (lon−q.lon)·cos(q.lat)·R,
// y = (lat−q.lat)·R (angles in radians, R = EarthRadiusM), and the distance to
// an edge is the exact point-to-segment distance in that plane. Against the
// great-circle (haversine) distance on the same sphere the relative error is
// about tan(lat)·Δlat for the east–west part, plus terms of order (d/R)²: for
// d up to 10 km at Henan's latitudes (31°–37°N) it stays below 0.05%, well
// under the 0.5% the tests require. The sphere itself differs from the WGS-84
// ellipsoid by up to about 0.3% in Henan, far below GPS accuracy.
//
// # Index
//
// An Index keeps the regions of each datum in a uniform grid over their
// bounding boxes. Each region has its own uniform grid of edge ids, which
// answers containment by casting orb's vertical ray only up to the first
// grid cell that no edge crosses (whose containment per ring is
// precomputed), and a bounding-volume hierarchy over runs of consecutive
// edges, which answers the nearest-edge distance. Containment agrees exactly
// with planar.MultiPolygonContains, points on an edge included.
//
// The package is pure: it uses orb and the standard library, holds no global
// state, and an Index is immutable and safe for concurrent use once built.
package geofence
