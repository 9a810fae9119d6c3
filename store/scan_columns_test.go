package store

import (
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm/schema"

	"github.com/henan-youth/onsite/models"
)

// TestScanColumnsCoverModels checks that each hand-written scan (scan.go)
// reads every column GORM gives its model, each once: a column added to a
// model and not to its list would otherwise be read as its zero value.
func TestScanColumnsCoverModels(t *testing.T) {
	for _, c := range []struct {
		model any
		cols  []string
	}{
		{&models.CheckIn{}, checkInColumns},
		{&models.Review{}, reviewColumns},
		{&models.PresenceDay{}, dayColumns},
		{&models.Assignment{}, assignmentColumns},
	} {
		sch, err := schema.Parse(c.model, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		want, got := slices.Sorted(slices.Values(sch.DBNames)), slices.Sorted(slices.Values(c.cols))
		if !slices.Equal(got, want) {
			t.Errorf("%s: the scan reads %v, the model has %v", sch.Table, got, want)
		}
	}
}
