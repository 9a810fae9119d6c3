package report

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/verdict"
)

// The spreadsheets are written with excelize's StreamWriter: rows go to
// each sheet's buffer (a temporary file past 16 MB) as the cadres are
// judged, a batch at a time, so neither the workbook nor every cadre's
// verdicts are held in memory.

// summarySheet is the first sheet of every export.
const summarySheet = "汇总"

// reportRules are the rules a compliance export has a sheet for, in order.
var reportRules = []string{"R2", "R3", "R4", "R6", "R7", "R8", "R9"}

// statusZH names a status as the sheets show it.
var statusZH = map[compliance.Status]string{
	compliance.StatusMet: "达标", compliance.StatusOnTrack: "进行中", compliance.StatusAtRisk: "有风险",
	compliance.StatusMissed: "未达标", compliance.StatusExempt: "免除",
}

// ComplianceWorkbook returns the report of Report as a workbook: a summary
// sheet (the totals per rule, the unit, the quarter, when it was closed,
// the policy versions and when it was generated, Asia/Shanghai) and one
// sheet per rule with a row per cadre and verdict. The export is written to
// the security audit log (data.export) before it is returned. The refusals
// of Report; UNAVAILABLE when the database or the audit log fails. The
// caller writes the workbook and closes it.
func (s *Service) ComplianceWorkbook(ctx context.Context, p *authz.Principal, unitID int64, year, quarter int) (*excelize.File, error) {
	r, err := s.Report(ctx, p, unitID, year, quarter)
	if err != nil {
		return nil, err
	}
	b, err := newBook()
	if err != nil {
		return nil, err
	}
	if err := s.fillCompliance(ctx, b, r); err != nil {
		b.f.Close()
		return nil, err
	}
	if err := s.audit(ctx, p, "compliance.xlsx", r.Unit, r.Period(), len(r.Cadres)); err != nil {
		b.f.Close()
		return nil, err
	}
	return b.f, nil
}

// fillCompliance writes r's rows, batch by batch, then its summary.
func (s *Service) fillCompliance(ctx context.Context, b *book, r *Report) error {
	sheets := map[string]*ruleSheet{}
	for _, rule := range reportRules {
		sw, err := b.sheet(rule, []float64{10, 16, 12, 18, 10, 60, 24, 10, 10, 10, 10}, 12)
		if err != nil {
			return err
		}
		sheets[rule] = &ruleSheet{sw: sw, row: 1, bold: b.bold}
	}
	versions := map[string]bool{}
	err := s.judge(ctx, r.p, r.Cadres, r.Year, r.Quarter, true, func(j judged) error {
		for _, u := range j.users {
			for _, res := range j.results[u.ID] {
				versions[res.PolicyVersion] = res.PolicyVersion != ""
				if sh := sheets[res.Rule]; sh != nil {
					if err := sh.write(u, res); err != nil {
						return err
					}
				}
			}
		}
		// Totals count the batch, then forget it.
		b.add(totalsOf(j.users, func(id int64) []verdict.Brief { return verdict.BriefOf(j.results[id]) }))
		return nil
	})
	if err != nil {
		return err
	}
	for _, rule := range reportRules {
		if err := sheets[rule].flush(); err != nil {
			return err
		}
	}
	meta := [][2]string{{"单位", r.Unit.Name}, {"季度", r.Period()}, {"干部人数", fmt.Sprint(len(r.Cadres))},
		{"关闭时间", "未关闭"}, {"政策版本", strings.Join(keys(versions), "，")},
		{"生成时间", s.Now().In(s.Location).Format("2006-01-02 15:04:05") + "（北京时间）"}}
	if r.Closing != nil {
		meta[3][1] = r.Closing.ClosedAt.In(s.Location).Format("2006-01-02 15:04:05") + "（北京时间）"
	}
	return b.summary(meta)
}

// ruleSheet is one rule's sheet: its header is written with the first
// verdict, whose numbers name the columns.
type ruleSheet struct {
	sw      *excelize.StreamWriter
	row     int
	bold    int      // the header's style
	numbers []string // the numbers' names, in column order
}

var ruleHeader = []any{"用户ID", "账号", "姓名", "事项", "状态", "说明", "政策版本", "覆盖天数", "期间天数", "剩余天数", "补卡天数"}

func (sh *ruleSheet) header(res *compliance.Result) error {
	head := append([]any(nil), ruleHeader...)
	if res != nil {
		for _, n := range res.Numbers {
			sh.numbers = append(sh.numbers, n.Name)
			head = append(head, n.Label, n.Label+"（要求）")
		}
	}
	for i, h := range head {
		head[i] = excelize.Cell{StyleID: sh.bold, Value: h}
	}
	sh.row = 2
	return sh.sw.SetRow("A1", head)
}

func (sh *ruleSheet) write(u *models.User, res compliance.Result) error {
	if sh.row == 1 {
		if err := sh.header(&res); err != nil {
			return err
		}
	}
	row := []any{u.ID, u.Username, u.DisplayName, res.Item, statusZH[res.Status], res.Message, res.PolicyVersion,
		res.CoveredDays, res.PeriodDays, res.DaysLeft, res.MadeUpDays}
	for _, name := range sh.numbers {
		var value, required any
		for _, n := range res.Numbers {
			if n.Name == name {
				value, required = n.Value, n.Required
			}
		}
		row = append(row, value, required)
	}
	cell, _ := excelize.CoordinatesToCellName(1, sh.row)
	sh.row++
	return sh.sw.SetRow(cell, row)
}

func (sh *ruleSheet) flush() error {
	if sh.row == 1 {
		if err := sh.header(nil); err != nil {
			return err
		}
	}
	return sh.sw.Flush()
}

// book is a workbook being written, with the totals its summary shows.
type book struct {
	f      *excelize.File
	bold   int
	totals map[[2]string]*Totals
}

func newBook() (*book, error) {
	f := excelize.NewFile()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err == nil {
		err = f.SetSheetName("Sheet1", summarySheet)
	}
	if err != nil {
		f.Close()
		return nil, models.Wrap(models.CodeInternal, err, "a new workbook")
	}
	return &book{f: f, bold: bold, totals: map[[2]string]*Totals{}}, nil
}

// sheet adds a sheet named name with a frozen header row and column widths
// (the first columns', then rest for the next fifteen), streamed.
func (b *book) sheet(name string, widths []float64, rest float64) (*excelize.StreamWriter, error) {
	if name != summarySheet {
		if _, err := b.f.NewSheet(name); err != nil {
			return nil, models.Wrap(models.CodeInternal, err, "a sheet")
		}
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "a sheet")
	}
	for i, w := range widths {
		if err = sw.SetColWidth(i+1, i+1, w); err != nil {
			break
		}
	}
	if err == nil {
		err = sw.SetColWidth(len(widths)+1, len(widths)+15, rest)
	}
	if err == nil {
		err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "a sheet's layout")
	}
	return sw, nil
}

// add adds a batch's totals.
func (b *book) add(ts []Totals) {
	for _, t := range ts {
		k := [2]string{t.Rule, t.Item}
		if b.totals[k] == nil {
			b.totals[k] = &Totals{Rule: t.Rule, Item: t.Item}
		}
		a := b.totals[k]
		a.Cadres, a.Met, a.OnTrack, a.AtRisk, a.Missed, a.Exempt =
			a.Cadres+t.Cadres, a.Met+t.Met, a.OnTrack+t.OnTrack, a.AtRisk+t.AtRisk, a.Missed+t.Missed, a.Exempt+t.Exempt
	}
}

// sortedTotals returns the totals in rule then item order.
func (b *book) sortedTotals() []Totals { return sorted(b.totals) }

// summary writes the compliance summary sheet: the totals, then meta.
func (b *book) summary(meta [][2]string) error {
	var rows [][]any
	for _, t := range b.sortedTotals() {
		rows = append(rows, []any{t.Rule, t.Item, t.Cadres, t.Met, t.OnTrack, t.AtRisk, t.Missed, t.Exempt})
	}
	return b.summarySheet([]string{"规则", "事项", "干部人数", "达标", "进行中", "有风险", "未达标", "免除"}, rows, meta)
}

// summarySheet writes the summary sheet: a header, rows, then meta as
// label and value rows below them.
func (b *book) summarySheet(head []string, rows [][]any, meta [][2]string) error {
	sw, err := b.sheet(summarySheet, []float64{10, 24, 10, 10, 10, 10, 10, 10}, 12)
	if err != nil {
		return err
	}
	cells := []any{}
	for _, h := range head {
		cells = append(cells, excelize.Cell{StyleID: b.bold, Value: h})
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return models.Wrap(models.CodeInternal, err, "the summary")
	}
	n := 2
	for _, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := sw.SetRow(cell, r); err != nil {
			return models.Wrap(models.CodeInternal, err, "the summary")
		}
		n++
	}
	n++
	for _, m := range meta {
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := sw.SetRow(cell, []any{excelize.Cell{StyleID: b.bold, Value: m[0]}, m[1]}); err != nil {
			return models.Wrap(models.CodeInternal, err, "the summary")
		}
		n++
	}
	return sw.Flush()
}

// audit writes an export to the security audit log.
func (s *Service) audit(ctx context.Context, p *authz.Principal, what string, unit *models.OrgUnit, period string, cadres int) error {
	return s.Store.Audit(ctx, p, "", "", store.AuditEvent{Action: models.AuditExport, TargetType: "orgunit", TargetID: fmt.Sprint(unit.ID),
		Detail: fmt.Sprintf("%s of %s (%s) for %s: %d cadres", what, unit.Name, unit.Code, period, cadres), Outcome: models.AuditSuccess})
}

// keys returns the set's members, sorted.
func keys(set map[string]bool) []string {
	out := []string{}
	for k, ok := range set {
		if ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
