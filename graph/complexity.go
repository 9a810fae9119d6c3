package graph

import (
	"time"

	"github.com/henan-youth/onsite/models"
)

// listCost is the complexity of a list field: the page size times the cost
// of one element, so `first` cannot multiply work past the limit.
func listCost(first *int, child int) int {
	n := 20
	if first != nil && *first > 0 {
		n = *first
	}
	return 1 + n*(child+1)
}

// complexity counts list arguments for every connection field.
func complexity() ComplexityRoot {
	var c ComplexityRoot
	c.OrgUnit.Children = func(child int, first *int, _ *string) int { return listCost(first, child) }
	c.OrgUnit.Users = func(child int, first *int, _ *string) int { return listCost(first, child) }
	c.Query.OrgUnits = func(child int, _ *int64, first *int, _ *string) int { return listCost(first, child) }
	c.Query.Users = func(child int, _ *int64, _ *bool, _ *models.Role, first *int, _ *string) int {
		return listCost(first, child)
	}
	c.Query.Devices = func(child int, _ *int64, _ *models.DeviceStatus, first *int, _ *string) int {
		return listCost(first, child)
	}
	c.Query.Regions = func(child int, _ *models.RegionKind, _ *string, first *int, _ *string) int {
		return listCost(first, child)
	}
	c.Query.SecurityAudit = func(child int, _ *int64, _, _ *string, _, _ *time.Time, first *int, _ *string) int {
		return listCost(first, child)
	}
	c.Region.Geometry = func(int, *float64) int { return 10 } // a few hundred vertices of JSON
	five := 5
	c.User.Devices = func(child int) int { return listCost(&five, child) }
	return c
}
