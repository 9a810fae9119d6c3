package store

import (
	"context"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// DocumentState is where one R8 document stands: its status and, once
// submitted, when it was first submitted.
type DocumentState struct {
	Status         models.SummaryStatus
	Versions       int
	FirstSubmitted *time.Time
}

// DocumentStates returns, for those of users whose summaries p may read,
// the state of each one's work summary of (year, quarter) and of its
// annual report of year, by user and kind; a document never started is
// absent. Two statements whatever the number of users.
func (s *Store) DocumentStates(ctx context.Context, p *authz.Principal, users []int64, year, quarter int) (map[int64]map[models.SummaryKind]DocumentState, error) {
	q, err := s.summaryQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	var rows []*models.Summary
	err = q.Where("summaries.user_id IN ?", users).
		Where("(summaries.kind = ? AND summaries.year = ? AND summaries.quarter = ?) OR (summaries.kind = ? AND summaries.year = ? AND summaries.quarter = 0)",
			models.SummaryQuarterly, year, quarter, models.SummaryAnnual, year).
		Select("summaries.id, summaries.user_id, summaries.kind, summaries.status, summaries.versions").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out := map[int64]map[models.SummaryKind]DocumentState{}
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	var versions []*models.SummaryVersion // a few per summary; MIN() of a time is text on SQLite
	err = s.db.WithContext(ctx).Select("summary_id, submitted_at").Where("summary_id IN ?", ids).Find(&versions).Error
	if err != nil {
		return nil, mapErr(err)
	}
	first := map[int64]time.Time{}
	for _, v := range versions {
		if f, ok := first[v.SummaryID]; !ok || v.SubmittedAt.Before(f) {
			first[v.SummaryID] = v.SubmittedAt
		}
	}
	for _, r := range rows {
		st := DocumentState{Status: r.Status, Versions: r.Versions}
		if t, ok := first[r.ID]; ok {
			st.FirstSubmitted = &t
		}
		if out[r.UserID] == nil {
			out[r.UserID] = map[models.SummaryKind]DocumentState{}
		}
		out[r.UserID][r.Kind] = st
	}
	return out, nil
}

// TalkDates returns the dates (Asia/Shanghai, YYYY-MM-DD) of the seminar
// talks given in [from, to] by those of users whose seminars p may read,
// by speaker, in date order. One statement.
func (s *Store) TalkDates(ctx context.Context, p *authz.Principal, users []int64, from, to string) (map[int64][]string, error) {
	scope, err := s.userScope(ctx, p, authz.ReadSeminars)
	if err != nil {
		return nil, err
	}
	visible := s.db.Model(&models.User{}).Select("users.id").Scopes(scope).Where("users.id IN ?", users)
	var rows []*models.SeminarTalk
	err = s.db.WithContext(ctx).Select("speaker_id, given_on").Where("speaker_id IN (?) AND given_on BETWEEN ? AND ?", visible, from, to).
		Order("given_on, id").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out := map[int64][]string{}
	for _, t := range rows {
		out[t.SpeakerID] = append(out[t.SpeakerID], t.GivenOn)
	}
	return out, nil
}
