package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	_ "github.com/glebarez/go-sqlite" // driver "sqlite"
	"github.com/go-sql-driver/mysql"  // driver "mysql"

	"github.com/henan-youth/onsite/presence"
)

// checkRow is one check_ins row of a load user.
type checkRow struct {
	ID, UserID int64
	ClientID   string
	Status     string
	LocalDate  string
	RegionID   int64 // 0 for NULL
	OccurredAt time.Time
	DeviceTime time.Time
	Lat, Lon   float64 // as the phone sent them
}

// content is what makes two rows the same check-in whatever their client
// ids: the cadre, the device's time and the coordinates sent. The load
// tool never sends two inputs with the same content (random points, and
// device times that differ), so two rows with one content are a duplicate.
type content struct {
	user     int64
	device   int64 // Unix milliseconds: every supported column keeps them
	lat, lon float64
}

func (r checkRow) content() content {
	return content{r.UserID, r.DeviceTime.UnixMilli(), r.Lat, r.Lon}
}

// dayRow is one presence_days row of a load user.
type dayRow struct {
	UserID   int64
	Date     string
	RegionID int64
	Accepted int
	FirstAt  time.Time
	LastAt   time.Time
	Counted  bool
}

// dayKey identifies a presence day.
type dayKey struct {
	user   int64
	date   string
	region int64
}

// verifier reads the server's database read-only.
type verifier struct {
	db    *sql.DB
	users []int64
	pre   map[int64]checkRow // check-ins of the load users that existed before the run
}

// openVerifier opens the database the server uses, read-only: driver is
// "sqlite" (dsn a file path) or "mysql" (a go-sql-driver DSN).
func openVerifier(ctx context.Context, driver, dsn string) (*verifier, error) {
	switch driver {
	case "sqlite":
		if !strings.HasPrefix(dsn, "file:") {
			dsn = "file:" + dsn
		}
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "mode=ro&_pragma=busy_timeout(10000)"
	case "mysql":
		mc, err := mysql.ParseDSN(dsn)
		if err != nil {
			return nil, fmt.Errorf("MySQL DSN: %w", err)
		}
		mc.ParseTime, mc.Loc = true, time.UTC
		dsn = mc.FormatDSN()
	default:
		return nil, fmt.Errorf("-db must be sqlite or mysql, not %q", driver)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s database: %w", driver, err)
	}
	return &verifier{db: db}, nil
}

// snapshot remembers the load users' existing check-ins (a rerun with the
// same run id), so that they are not taken for unacknowledged ones.
func (v *verifier) snapshot(ctx context.Context, phones []*phone) error {
	v.users = v.users[:0]
	for _, p := range phones {
		v.users = append(v.users, p.userID)
	}
	rows, err := v.checkIns(ctx)
	if err != nil {
		return err
	}
	v.pre = make(map[int64]checkRow, len(rows))
	for _, r := range rows {
		v.pre[r.ID] = r
	}
	return nil
}

// verdict is the outcome of verification.
type verdict struct {
	acked, lost, duplicated, mismatched, unacked int
	unsettled, unsettledStored                   int // outcomes still unknown after the resends, and of them stored
	days, daysBad                                int
	problems                                     []string
}

// ok reports whether nothing was lost, duplicated, misreported, counted
// without acknowledgement, or left with an unknown outcome.
func (vd *verdict) ok() bool {
	return vd.lost == 0 && vd.duplicated == 0 && vd.mismatched == 0 && vd.unacked == 0 && vd.unsettled == 0 && vd.daysBad == 0
}

func (vd *verdict) problem(format string, args ...any) {
	if len(vd.problems) < maxProblems {
		vd.problems = append(vd.problems, fmt.Sprintf(format, args...))
	}
}

// verify compares the database with what the phones recorded and prints the
// result. It fails only if the database cannot be read.
func (v *verifier) verify(ctx context.Context, phones []*phone, w io.Writer) (*verdict, error) {
	rows, err := v.checkIns(ctx)
	if err != nil {
		return nil, err
	}
	days, err := v.presenceDays(ctx)
	if err != nil {
		return nil, err
	}
	vd := &verdict{}
	vd.duplicates(rows, v.pre)
	stored := map[[2]string][]checkRow{}
	expect := map[dayKey]presence.DayStat{}
	count := func(user int64, date string, region int64, status string, at time.Time) {
		if status != "ACCEPTED" && status != "CONFIRMED" || region == 0 {
			return
		}
		k := dayKey{user, date, region}
		expect[k] = expect[k].Add(at)
	}
	for _, r := range rows {
		if _, old := v.pre[r.ID]; old {
			count(r.UserID, r.LocalDate, r.RegionID, r.Status, r.OccurredAt)
			continue
		}
		k := [2]string{strconv.FormatInt(r.UserID, 10), r.ClientID}
		stored[k] = append(stored[k], r)
	}
	for _, p := range phones {
		for _, s := range p.rec.order {
			k := [2]string{strconv.FormatInt(p.userID, 10), s.clientID}
			got := stored[k]
			delete(stored, k)
			switch s.outcome {
			case outcomeAcked:
				vd.acked++
				v.checkAck(vd, p, s, got)
				count(p.userID, s.ack.LocalDate, s.ack.RegionID, s.ack.Status, s.ack.OccurredAt)
			case outcomeUnknown, outcomePending:
				vd.unsettled++
				vd.problem("%s %s: outcome still unknown (last error %s) after resending it", p.username, s.clientID, s.code)
				if len(got) > 0 {
					vd.unsettledStored++
					count(p.userID, got[0].LocalDate, got[0].RegionID, got[0].Status, got[0].OccurredAt)
				}
			default:
				if len(got) > 0 {
					vd.unacked++
					vd.problem("%s %s answered %s but stored as check-in %d", p.username, s.clientID, s.code, got[0].ID)
				}
			}
		}
	}
	for k, got := range stored {
		vd.unacked += len(got)
		vd.problem("user %s: check-in %d (client id %s) was never sent by this run", k[0], got[0].ID, k[1])
	}
	v.checkDays(vd, expect, days)
	vd.print(w)
	return vd, nil
}

// duplicates counts the rows of the run (those not in pre) that repeat the
// content of another under any client id.
func (vd *verdict) duplicates(rows []checkRow, pre map[int64]checkRow) {
	byContent := map[content][]checkRow{}
	for _, r := range rows {
		if _, old := pre[r.ID]; !old {
			byContent[r.content()] = append(byContent[r.content()], r)
		}
	}
	for _, same := range byContent {
		if len(same) > 1 {
			vd.duplicated += len(same) - 1
			ids := make([]string, len(same))
			for i, r := range same {
				ids[i] = fmt.Sprintf("%d (client id %s)", r.ID, r.ClientID)
			}
			vd.problem("user %d: one check-in stored %d times: %s", same[0].UserID, len(same), strings.Join(ids, ", "))
		}
	}
}

// checkAck compares an acknowledged input with its stored rows.
func (v *verifier) checkAck(vd *verdict, p *phone, s *sent, got []checkRow) {
	if len(got) == 0 {
		vd.lost++
		vd.problem("%s %s acknowledged as check-in %d but not stored", p.username, s.clientID, s.ack.CheckInID)
		return
	}
	r, a := got[0], s.ack
	if r.ID != a.CheckInID || r.Status != a.Status || r.LocalDate != a.LocalDate || r.RegionID != a.RegionID {
		vd.mismatched++
		vd.problem("%s %s: answered id %d %s %s region %d, stored id %d %s %s region %d", p.username, s.clientID,
			a.CheckInID, a.Status, a.LocalDate, a.RegionID, r.ID, r.Status, r.LocalDate, r.RegionID)
	}
	if counts := a.Status == "ACCEPTED" || a.Status == "CONFIRMED"; counts != a.Counts {
		vd.mismatched++
		vd.problem("%s %s: status %s but counts=%v", p.username, s.clientID, a.Status, a.Counts)
	}
}

// checkDays compares presence_days with the recomputation. The day rule is
// presence.DefaultPolicy's; times are compared to the second, which is what
// every supported column type keeps.
func (v *verifier) checkDays(vd *verdict, expect map[dayKey]presence.DayStat, days []dayRow) {
	policy := presence.DefaultPolicy()
	seen := map[dayKey]bool{}
	for _, d := range days {
		k := dayKey{d.UserID, d.Date, d.RegionID}
		seen[k] = true
		vd.days++
		e, ok := expect[k]
		counted := ok && e.Counted(policy)
		switch {
		case !ok:
			vd.daysBad++
			vd.problem("presence day user %d %s region %d: %d accepted, recomputed none", d.UserID, d.Date, d.RegionID, d.Accepted)
		case d.Accepted != e.Accepted || d.Counted != counted || !sameSecond(d.FirstAt, e.First) || !sameSecond(d.LastAt, e.Last):
			vd.daysBad++
			vd.problem("presence day user %d %s region %d: stored %d %v %s–%s, recomputed %d %v %s–%s",
				d.UserID, d.Date, d.RegionID, d.Accepted, d.Counted, hm(d.FirstAt), hm(d.LastAt),
				e.Accepted, counted, hm(e.First), hm(e.Last))
		}
	}
	for k, e := range expect {
		if !seen[k] {
			vd.daysBad++
			vd.problem("presence day user %d %s region %d: missing, recomputed %d accepted", k.user, k.date, k.region, e.Accepted)
		}
	}
}

// print writes the verification result.
func (vd *verdict) print(w io.Writer) {
	fmt.Fprintf(w, "\n== verification ==\n")
	fmt.Fprintf(w, "verified: %d acknowledged check-ins, %d lost, %d duplicated (the same cadre, device time and coordinates stored twice)\n",
		vd.acked, vd.lost, vd.duplicated)
	fmt.Fprintf(w, "  answer vs row mismatches: %d; stored but never acknowledged: %d\n", vd.mismatched, vd.unacked)
	fmt.Fprintf(w, "  outcomes still unknown after resending: %d (%d of them stored)\n", vd.unsettled, vd.unsettledStored)
	fmt.Fprintf(w, "  presence days: %d rows, %d differ from the recomputation\n", vd.days, vd.daysBad)
	for _, p := range vd.problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
	if vd.ok() {
		fmt.Fprintln(w, "verification PASSED")
	} else {
		fmt.Fprintln(w, "verification FAILED")
	}
}

// checkIns reads the load users' check-ins.
func (v *verifier) checkIns(ctx context.Context) ([]checkRow, error) {
	var out []checkRow
	err := v.query(ctx, "SELECT id, user_id, client_id, status, local_date, region_id, occurred_at, device_time, lat, lon FROM check_ins WHERE user_id IN (%s)",
		func(rs *sql.Rows) error {
			var r checkRow
			var region sql.NullInt64
			var at, device any
			if err := rs.Scan(&r.ID, &r.UserID, &r.ClientID, &r.Status, &r.LocalDate, &region, &at, &device, &r.Lat, &r.Lon); err != nil {
				return err
			}
			r.RegionID = region.Int64
			var err1, err2 error
			r.OccurredAt, err1 = asTime(at)
			r.DeviceTime, err2 = asTime(device)
			out = append(out, r)
			if err1 != nil {
				return err1
			}
			return err2
		})
	return out, err
}

// presenceDays reads the load users' presence days.
func (v *verifier) presenceDays(ctx context.Context) ([]dayRow, error) {
	var out []dayRow
	err := v.query(ctx, "SELECT user_id, date, region_id, accepted, first_at, last_at, counted FROM presence_days WHERE user_id IN (%s)",
		func(rs *sql.Rows) error {
			var d dayRow
			var first, last any
			if err := rs.Scan(&d.UserID, &d.Date, &d.RegionID, &d.Accepted, &first, &last, &d.Counted); err != nil {
				return err
			}
			var err1, err2 error
			d.FirstAt, err1 = asTime(first)
			d.LastAt, err2 = asTime(last)
			out = append(out, d)
			if err1 != nil {
				return err1
			}
			return err2
		})
	return out, err
}

// query runs format (with one %s for the user id placeholders) over the load
// users in chunks, in a read-only transaction per chunk, calling scan per row.
func (v *verifier) query(ctx context.Context, format string, scan func(*sql.Rows) error) error {
	const chunk = 500
	for lo := 0; lo < len(v.users); lo += chunk {
		ids := v.users[lo:min(lo+chunk, len(v.users))]
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		q := fmt.Sprintf(format, strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","))
		if err := v.queryChunk(ctx, q, args, scan); err != nil {
			return err
		}
	}
	return nil
}

func (v *verifier) queryChunk(ctx context.Context, q string, args []any, scan func(*sql.Rows) error) error {
	tx, err := v.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("read-only transaction: %w", err)
	}
	defer tx.Rollback()
	rs, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%.60s…: %w", q, err)
	}
	defer rs.Close()
	for rs.Next() {
		if err := scan(rs); err != nil {
			return err
		}
	}
	return rs.Err()
}

// timeLayouts are the text forms SQLite drivers store times in.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999",
}

// asTime converts a scanned time column (time.Time, or text) to a time.
func asTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t, nil
	case []byte:
		return asTime(string(t))
	case string:
		for _, l := range timeLayouts {
			if x, err := time.Parse(l, t); err == nil {
				return x, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %T %v as a time", v, v)
}

// sameSecond reports whether a and b are within a second of each other.
func sameSecond(a, b time.Time) bool {
	d := a.Sub(b)
	return d < time.Second && d > -time.Second
}

// hm formats a time for problem lines.
func hm(t time.Time) string { return t.UTC().Format("01-02T15:04:05Z") }
