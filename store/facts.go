package store

import (
	"strings"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/models"
)

// facts is what the database holds about one probe (a cadre's new
// check-in) before it is judged.
type facts struct {
	ReplayID *int64 // the stored check-in with the same client id
	PrevID   *int64 // the cadre's previous fix by device time
	Repeated bool   // an earlier fix with identical coordinates and accuracy exists
}

// factsSQL reads the facts of a table v of probes (k, u, cid, t, lat, lon,
// acc) as correlated subqueries: one unique-key lookup, one backward scan
// of idx_checkin_user_time that stops at the first fix not after t, one
// lookup of idx_checkin_fix. MariaDB plans a correlated subquery once per
// statement; the same lookups as a UNION of constant subqueries, one per
// probe, were planned once each (index dives on every candidate index) and
// cost it about 100 µs a probe, 5× this (measured, 30-probe batches).
// v is a UNION ALL of constant rows, which MariaDB, MySQL 8 and SQLite all
// read (a VALUES list is spelt differently in each).
const factsSQL = `SELECT v.k AS k,
 (SELECT c.id FROM check_ins c WHERE c.user_id = v.u AND c.client_id = v.cid) AS replay_id,
 (SELECT c.id FROM check_ins c WHERE c.user_id = v.u AND c.device_time <= v.t ORDER BY c.device_time DESC, c.id DESC LIMIT 1) AS prev_id,
 EXISTS(SELECT 1 FROM check_ins c WHERE c.user_id = v.u AND c.wgs_lat = v.lat AND c.wgs_lon = v.lon AND c.accuracy_m = v.acc) AS repeated
FROM v`

// readFacts reads the facts of every probe in one statement; probes[i]
// belongs to cadre users[i]. Callers hold the cadres' locks, so the answer
// stays true until they commit.
func readFacts(tx *gorm.DB, users []int64, probes []*models.CheckIn) ([]facts, error) {
	out := make([]facts, len(probes))
	if len(probes) == 0 {
		return out, nil
	}
	var sql strings.Builder
	sql.WriteString("WITH v AS (")
	args := make([]any, 0, 7*len(probes))
	for i, p := range probes {
		if i == 0 {
			sql.WriteString("SELECT ? AS k, ? AS u, ? AS cid, ? AS t, ? AS lat, ? AS lon, ? AS acc")
		} else {
			sql.WriteString(" UNION ALL SELECT ?, ?, ?, ?, ?, ?, ?")
		}
		args = append(args, i, users[i], p.ClientID, p.DeviceTime, p.WGSLat, p.WGSLon, p.AccuracyM)
	}
	sql.WriteString(") ")
	sql.WriteString(factsSQL)
	var rows []struct {
		K        int
		ReplayID *int64
		PrevID   *int64
		Repeated bool
	}
	if err := tx.Raw(sql.String(), args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.K] = facts{ReplayID: r.ReplayID, PrevID: r.PrevID, Repeated: r.Repeated}
	}
	return out, nil
}

// checkInsByID reads check-ins by id (no authorization: the recording
// path's own lookups).
func checkInsByID(tx *gorm.DB, ids []int64) (map[int64]*models.CheckIn, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []*models.CheckIn
	if err := tx.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	return keyBy(rows, func(c *models.CheckIn) int64 { return c.ID }), nil
}
