package auth

import (
	"context"
	"errors"
	"testing"

	"github.com/henan-youth/onsite/models"
)

func TestPrincipalContext(t *testing.T) {
	p := &Principal{UserID: 7, Username: "zhang.wei", Role: models.RoleCadre, OrgUnitID: 3, DeviceID: "dev-1", SessionID: "fam-1"}
	tests := []struct {
		name string
		ctx  context.Context
		want *Principal
	}{
		{"none", context.Background(), nil},
		{"nil principal", WithPrincipal(context.Background(), nil), nil},
		{"principal", WithPrincipal(context.Background(), p), p},
		{"overridden by nil", WithPrincipal(WithPrincipal(context.Background(), p), nil), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PrincipalFrom(tt.ctx)
			if got != tt.want || ok != (tt.want != nil) {
				t.Errorf("PrincipalFrom = %v, %v; want %v, %v", got, ok, tt.want, tt.want != nil)
			}
			got, err := Require(tt.ctx)
			if tt.want == nil {
				if !errors.Is(err, models.ErrUnauthenticated) {
					t.Errorf("Require error = %v, want UNAUTHENTICATED", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Require = %v, %v; want %v, nil", got, err, tt.want)
			}
		})
	}
}

func TestPrincipalKeyIsPrivate(t *testing.T) {
	// A value stored under a look-alike key of another type is not a principal.
	type otherKey struct{}
	ctx := context.WithValue(context.Background(), otherKey{}, &Principal{UserID: 1})
	if got, ok := PrincipalFrom(ctx); ok {
		t.Errorf("PrincipalFrom = %v, true; want nil, false", got)
	}
}

func TestRoleValid(t *testing.T) {
	tests := []struct {
		role models.Role
		want bool
	}{
		{models.RoleCadre, true},
		{models.RoleSupervisor, true},
		{models.RoleDiscipline, true},
		{models.RoleAdmin, true},
		{"", false},
		{"admin", false},
		{"ROOT", false},
	}
	for _, tt := range tests {
		if got := tt.role.Valid(); got != tt.want {
			t.Errorf("Role(%q).Valid() = %v, want %v", tt.role, got, tt.want)
		}
	}
}
