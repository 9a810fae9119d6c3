// Package geobench compares geofence.Index.Locate with a linear scan over the
// same polygons and with MariaDB's ST_Contains on a SPATIAL index, on the real
// Henan county set and the same random points, so that one run prints all
// three for ratios:
//
//	ONSITE_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test?parseTime=true' \
//		go test -run x -bench . -benchtime 2s ./bench/geobench/
//
// Without ONSITE_TEST_MYSQL_DSN the MariaDB benchmark is skipped. The package
// holds benchmarks only; it has no API.
package geobench
