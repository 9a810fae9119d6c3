package report

import (
	"context"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
)

// docZH names a document status as the sheets show it.
var docZH = map[compliance.DocStatus]string{
	compliance.DocMissing: "未提交", compliance.DocSubmitted: "待审核", compliance.DocReturned: "已退回", compliance.DocAccepted: "已通过",
}

var appraisalHeader = []any{"用户ID", "账号", "姓名", "R3状态", "R3天数", "R3要求", "R2达标季度数", "一季度R2", "二季度R2", "三季度R2", "四季度R2",
	"普通青年座谈会", "基层团干部座谈会", "普通青年谈心谈话", "基层团干部谈心谈话", "理论宣讲", "一季度总结", "二季度总结", "三季度总结", "四季度总结",
	"年度报告", "研讨发言次数", "研讨发言平均分"}

// AppraisalWorkbook returns the annual appraisal as a workbook: a summary
// sheet (the unit, the year, the number of cadres and how many met R3 and
// each number of R2 quarters, when it was generated), the sheet 考核 with
// a row per cadre and the sheet 研讨发言 with a row per seminar talk. The
// export is written to the security audit log. The refusals of Appraisal;
// UNAVAILABLE when the database or the audit log fails.
func (s *Service) AppraisalWorkbook(ctx context.Context, p *authz.Principal, unitID int64, year int) (*excelize.File, error) {
	a, err := s.Appraisal(ctx, p, unitID, year)
	if err != nil {
		return nil, err
	}
	b, err := newBook()
	if err != nil {
		return nil, err
	}
	if err := s.fillAppraisal(ctx, b, a); err != nil {
		b.f.Close()
		return nil, err
	}
	if err := s.audit(ctx, p, "appraisal.xlsx", a.Unit, fmt.Sprint(year), len(a.Cadres)); err != nil {
		b.f.Close()
		return nil, err
	}
	return b.f, nil
}

func (s *Service) fillAppraisal(ctx context.Context, b *book, a *Appraisal) error {
	main, err := b.sheet("考核", []float64{10, 16, 12, 10, 8, 8, 12}, 14)
	if err != nil {
		return err
	}
	talks, err := b.sheet("研讨发言", []float64{10, 16, 12, 12, 40, 8}, 12)
	if err != nil {
		return err
	}
	bold := func(xs []any) []any {
		out := make([]any, len(xs))
		for i, x := range xs {
			out[i] = excelize.Cell{StyleID: b.bold, Value: x}
		}
		return out
	}
	if err := main.SetRow("A1", bold(appraisalHeader)); err != nil {
		return err
	}
	if err := talks.SetRow("A1", bold([]any{"用户ID", "账号", "姓名", "日期", "题目", "得分"})); err != nil {
		return err
	}
	mainRow, talkRow := 2, 2
	r3 := map[compliance.Status]int{}
	r2Met := make([]int, 5)
	for start := 0; start < len(a.Cadres); start += s.batch() {
		rows, err := a.rows(ctx, a.Cadres[start:min(start+s.batch(), len(a.Cadres))])
		if err != nil {
			return err
		}
		for _, r := range rows {
			u := r.User
			line := []any{u.ID, u.Username, u.DisplayName, "", nil, nil, r.R2Met}
			if r.R3 != nil {
				r3[r.R3.Status]++
				line[3] = statusZH[r.R3.Status]
				if len(r.R3.Numbers) > 0 {
					line[4], line[5] = r.R3.Numbers[0].Value, r.R3.Numbers[0].Required
				}
			}
			r2Met[r.R2Met]++
			for _, st := range r.R2 {
				line = append(line, statusZH[st])
			}
			line = append(line, r.ForumsYouth, r.ForumsCadre, r.InterviewsYouth, r.InterviewsCadre, r.Lectures)
			for _, d := range r.Summaries {
				line = append(line, docZH[d])
			}
			sum := 0
			for _, t := range r.Talks {
				sum += t.Score
				cell, _ := excelize.CoordinatesToCellName(1, talkRow)
				if err := talks.SetRow(cell, []any{u.ID, u.Username, u.DisplayName, t.GivenOn, t.Title, t.Score}); err != nil {
					return err
				}
				talkRow++
			}
			var avg any
			if len(r.Talks) > 0 {
				avg = float64(sum) / float64(len(r.Talks))
			}
			line = append(line, docZH[r.AnnualReport], len(r.Talks), avg)
			cell, _ := excelize.CoordinatesToCellName(1, mainRow)
			if err := main.SetRow(cell, line); err != nil {
				return err
			}
			mainRow++
		}
	}
	if err := main.Flush(); err != nil {
		return err
	}
	if err := talks.Flush(); err != nil {
		return err
	}
	var sums [][]any
	for _, st := range []compliance.Status{compliance.StatusMet, compliance.StatusOnTrack, compliance.StatusAtRisk, compliance.StatusMissed, compliance.StatusExempt} {
		sums = append(sums, []any{"R3", statusZH[st], r3[st]})
	}
	for n, c := range r2Met {
		sums = append(sums, []any{"R2", fmt.Sprintf("%d 个季度达标", n), c})
	}
	return b.summarySheet([]string{"规则", "情况", "干部人数"}, sums, [][2]string{{"单位", a.Unit.Name}, {"年度", fmt.Sprint(a.Year)}, {"干部人数", fmt.Sprint(len(a.Cadres))},
		{"生成时间", s.Now().In(s.Location).Format("2006-01-02 15:04:05") + "（北京时间）"}})
}
