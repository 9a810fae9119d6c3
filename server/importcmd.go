package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
)

// importRegions is the import-regions subcommand: it imports a GeoJSON
// FeatureCollection of counties or campuses into the configured database
// (the same settings as the server) and prints what changed. Geometry
// errors name the feature and ring; self-intersections are printed as
// warnings and the file still loads.
func importRegions(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, now func() time.Time) error {
	cfg, err := parseConfig("import-regions", nil, getenv, stdout)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("import-regions", flag.ContinueOnError)
	fs.SetOutput(stdout)
	kind := fs.String("kind", "campus", "county or campus")
	datum := fs.String("datum", "", "datum of the file's coordinates: WGS84 (OpenStreetMap; default for campuses), GCJ02 (default for counties) or BD09")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database: sqlite or mysql (ONSITE_DB)")
	fs.StringVar(&cfg.DSN, "dsn", cfg.DSN, "SQLite file or MySQL DSN (ONSITE_DSN)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) != 1 {
		return fmt.Errorf("usage: server import-regions [-db sqlite|mysql] [-dsn DSN] [-kind county|campus] [-datum WGS84|GCJ02|BD09] FILE.geojson")
	}
	k := models.RegionKind(strings.ToUpper(*kind))
	d := geofence.Datum(strings.ToUpper(*datum))
	if *datum == "" {
		d = geofence.WGS84
		if k == models.RegionCounty {
			d = geofence.GCJ02
		}
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	a, err := open(ctx, cfg, stdout, now) // logs, and the first admin's password on an empty database
	if err != nil {
		return err
	}
	defer a.close()
	cli := authz.System("import-regions")
	sum, warns, err := a.regions.Import(ctx, cli, k, d, data, "import-regions "+files[0])
	for _, w := range warns {
		fmt.Fprintln(stdout, "warning:", w.String())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s: %d created, %d new versions, %d unchanged\n", files[0], sum.Created, sum.Updated, sum.Unchanged)
	return nil
}
