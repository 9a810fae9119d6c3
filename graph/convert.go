package graph

import (
	"context"

	"github.com/henan-youth/onsite/account"
	"github.com/henan-youth/onsite/graph/model"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

func page(first *int, after *string) store.Page {
	var p store.Page
	if first != nil {
		p.First = *first
		if p.First == 0 {
			p.First = -1 // an explicit 0 is out of range, not "default"
		}
	}
	if after != nil {
		p.After = *after
	}
	return p
}

func pageInfo(pi store.PageInfo) *model.PageInfo {
	out := &model.PageInfo{HasNextPage: pi.HasNextPage}
	if pi.EndCursor != "" {
		out.EndCursor = &pi.EndCursor
	}
	return out
}

// edges maps a page of rows to Relay edges with id cursors.
func edges[T, E any](rows []T, id func(T) int64, edge func(cursor string, node T) E) []E {
	out := make([]E, len(rows))
	for i, r := range rows {
		out[i] = edge(store.Cursor(id(r)), r)
	}
	return out
}

func userConn(rows []*models.User, pi store.PageInfo) *model.UserConnection {
	return &model.UserConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(u *models.User) int64 { return u.ID },
		func(c string, u *models.User) *model.UserEdge { return &model.UserEdge{Cursor: c, Node: u} })}
}

func orgUnitConn(rows []*models.OrgUnit, pi store.PageInfo) *model.OrgUnitConnection {
	return &model.OrgUnitConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(u *models.OrgUnit) int64 { return u.ID },
		func(c string, u *models.OrgUnit) *model.OrgUnitEdge { return &model.OrgUnitEdge{Cursor: c, Node: u} })}
}

func deviceConn(rows []*models.Device, pi store.PageInfo) *model.DeviceConnection {
	return &model.DeviceConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(d *models.Device) int64 { return d.ID },
		func(c string, d *models.Device) *model.DeviceEdge { return &model.DeviceEdge{Cursor: c, Node: d} })}
}

// authPayload makes the new session's user the request's caller, so the
// payload's nested fields resolve as that user, and maps the session.
func authPayload(ctx context.Context, s *account.Session) *model.AuthPayload {
	signedIn(ctx, s.Principal)
	return &model.AuthPayload{AccessToken: s.AccessToken, AccessTokenExpiresAt: s.AccessExpiry, RefreshToken: s.RefreshToken, User: s.User,
		MustChangePassword: s.MustChangePassword}
}

func orgUnitInput(in model.OrgUnitInput) store.OrgUnitInput {
	return store.OrgUnitInput{ParentID: in.ParentID, Code: in.Code, Name: in.Name, Kind: in.Kind}
}

func createUserInput(in model.CreateUserInput) store.UserInput {
	name := in.Username
	if in.DisplayName != nil {
		name = *in.DisplayName
	}
	return store.UserInput{Username: &in.Username, DisplayName: &name, Role: &in.Role, OrgUnitID: &in.OrgUnitID,
		Rank: in.Rank, GrassrootsDept: in.GrassrootsDept, SchoolWorkGroup: in.SchoolWorkGroup, TenureStart: in.TenureStart}
}

func updateUserInput(in model.UpdateUserInput) store.UserInput {
	return store.UserInput{DisplayName: in.DisplayName, Role: in.Role, OrgUnitID: in.OrgUnitID, Rank: in.Rank,
		GrassrootsDept: in.GrassrootsDept, SchoolWorkGroup: in.SchoolWorkGroup, TenureStart: in.TenureStart, Disabled: in.Disabled}
}

// nilIfNotFound maps NOT_FOUND to a null result, as GraphQL clients expect
// for a single-object lookup.
func nilIfNotFound[T any](v *T, err error) (*T, error) {
	if models.CodeOf(err) == models.CodeNotFound {
		return nil, nil
	}
	return v, err
}
