package graph

import (
	"time"

	"github.com/henan-youth/onsite/graph/model"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

func auditFilter(actorID *int64, actor, action *string, from, to *time.Time) store.AuditFilter {
	return store.AuditFilter{ActorID: actorID, Actor: deref(actor), Action: deref(action), From: from, To: to}
}

func auditConn(rows []*models.AuditEntry, pi store.PageInfo) *model.AuditEntryConnection {
	return &model.AuditEntryConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(e *models.AuditEntry) int64 { return e.ID },
		func(c string, e *models.AuditEntry) *model.AuditEntryEdge {
			return &model.AuditEntryEdge{Cursor: c, Node: e}
		})}
}

func auditVerification(v *store.AuditVerification) *model.AuditVerification {
	out := &model.AuditVerification{Ok: v.OK, Checked: int(v.Checked), FirstSeq: int(v.FirstSeq), LastSeq: int(v.LastSeq)}
	if !v.OK {
		at, problem := int(v.BrokenAt), v.Problem
		out.BrokenAt, out.Problem = &at, &problem
	}
	return out
}
