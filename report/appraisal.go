package report

import (
	"context"
	"fmt"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// Appraisal is the annual appraisal (年度考核) of an org unit's subtree:
// per cadre, the year's numbers the appraisal weighs. Its cadres are the
// users there with an assignment in force on some day of the year.
type Appraisal struct {
	Unit   *models.OrgUnit
	Year   int
	Cadres []*models.User // in id order

	s *Service
	p *authz.Principal
}

// AppraisalRow is one cadre's year.
type AppraisalRow struct {
	User *models.User
	// R3 is the year's verdict on days in the grassroots; nil when not
	// given. R7 is the year's lectures verdict.
	R3, R7 *compliance.Result
	// R2 holds the status of each quarter's R2 verdict, Q1 first; R2Met
	// counts the MET ones.
	R2    []compliance.Status
	R2Met int
	// The year's counting activities of each R6 kind, and R7's lectures.
	ForumsYouth, ForumsCadre, InterviewsYouth, InterviewsCadre, Lectures int
	// Summaries holds each quarter's work summary status, Q1 first;
	// AnnualReport the year's report to the secretaries' team (R8).
	Summaries    []compliance.DocStatus
	AnnualReport compliance.DocStatus
	Talks        []*models.SeminarTalk // R9: the year's seminar talks, with their scores
}

// Appraisal returns the annual appraisal of unitID's subtree for year,
// with the refusals of Report (INVALID for a year outside 2000–2100).
func (s *Service) Appraisal(ctx context.Context, p *authz.Principal, unitID int64, year int) (*Appraisal, error) {
	if year < 2000 || year > 2100 {
		return nil, models.E(models.CodeInvalid, "year must be between 2000 and 2100")
	}
	unit, err := s.Store.ReportUnit(ctx, p, authz.ReadCompliance, unitID)
	if err != nil {
		return nil, err
	}
	first := compliance.Quarter{Year: year, Q: 1}.FirstDate().String()
	last := compliance.Quarter{Year: year, Q: 4}.LastDate().String()
	cadres, err := s.Store.ReportCadres(ctx, p, unit, first, last)
	if err != nil {
		return nil, err
	}
	return &Appraisal{Unit: unit, Year: year, Cadres: cadres, s: s, p: p}, nil
}

// Rows returns a page of the appraisal's rows in user-id order, with the
// total. Each page reads its cadres' four quarters with a fixed number of
// statements. INVALID for a malformed cursor or page size.
func (a *Appraisal) Rows(ctx context.Context, page store.Page) ([]AppraisalRow, store.PageInfo, int, error) {
	after, err := checkPage(page)
	if err != nil {
		return nil, store.PageInfo{}, 0, err
	}
	kept, info, total := pageOf(a.Cadres, after, page.First, func(*models.User) bool { return true })
	rows, err := a.rows(ctx, kept)
	return rows, info, total, err
}

// rows reads users' year: the verdicts of its four quarters, the counting
// activities and documents of each, and the talks.
func (a *Appraisal) rows(ctx context.Context, users []*models.User) ([]AppraisalRow, error) {
	out := make([]AppraisalRow, len(users))
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
		out[i] = AppraisalRow{User: u, AnnualReport: compliance.DocMissing, Talks: []*models.SeminarTalk{}}
	}
	if len(users) == 0 {
		return out, nil
	}
	v := a.s.Verdicts
	for q := 1; q <= 4; q++ {
		results, err := v.Judge(ctx, a.p, users, a.Year, q)
		if err != nil {
			return nil, err
		}
		qt := compliance.Quarter{Year: a.Year, Q: q}
		var counts map[int64]compliance.ActivityCounts
		if v.Activities != nil {
			if counts, err = v.Activities.ActivityCounts(ctx, a.p, ids, qt); err != nil {
				return nil, err
			}
		}
		var docs map[int64]compliance.Documents
		if v.Documents != nil {
			if docs, err = v.Documents.Documents(ctx, a.p, ids, qt); err != nil {
				return nil, err
			}
		}
		for i, u := range users {
			out[i].addQuarter(q, results[u.ID], counts[u.ID], docs[u.ID], v.Documents != nil)
		}
	}
	first := compliance.Quarter{Year: a.Year, Q: 1}.FirstDate().String()
	last := compliance.Quarter{Year: a.Year, Q: 4}.LastDate().String()
	talks, err := a.s.Store.SeminarTalksOf(ctx, a.p, ids, first, last)
	if err != nil {
		return nil, err
	}
	for i, u := range users {
		if t := talks[u.ID]; t != nil {
			out[i].Talks = t
		}
	}
	return out, nil
}

// addQuarter adds quarter q's verdicts, counts and documents; the yearly
// verdicts (R3, R7) and the annual report are Q4's, which judge the year.
func (r *AppraisalRow) addQuarter(q int, results []compliance.Result, counts compliance.ActivityCounts, docs compliance.Documents, withDocs bool) {
	r.R2 = append(r.R2, compliance.StatusExempt)
	for i := range results {
		res := results[i]
		switch {
		case res.Rule == "R2":
			r.R2[q-1] = res.Status
			if res.Status == compliance.StatusMet {
				r.R2Met++
			}
		case res.Rule == "R3" && q == 4:
			r.R3 = &res
		case res.Rule == "R7" && q == 4:
			r.R7 = &res
		}
	}
	r.ForumsYouth += counts.Quarter[models.KindForumYouth]
	r.ForumsCadre += counts.Quarter[models.KindForumCadre]
	r.InterviewsYouth += counts.Quarter[models.KindInterviewYouth]
	r.InterviewsCadre += counts.Quarter[models.KindInterviewCadre]
	r.Lectures = counts.YearLectures
	status := compliance.DocMissing
	if withDocs && docs.Summary.Status != "" {
		status = docs.Summary.Status
	}
	r.Summaries = append(r.Summaries, status)
	if withDocs && q == 4 && docs.AnnualReport.Status != "" {
		r.AnnualReport = docs.AnnualReport.Status
	}
}

// AppraisalExportPath is where the appraisal of year for unitID is served
// as a spreadsheet, relative to the server.
func AppraisalExportPath(unitID int64, year int) string {
	return fmt.Sprintf("/export/appraisal.xlsx?orgUnitId=%d&year=%d", unitID, year)
}
